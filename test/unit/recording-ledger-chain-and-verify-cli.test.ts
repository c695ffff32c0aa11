import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/storage/database.ts';
import { AccessLedgerRepository } from '../../src/storage/repositories/access-ledger.ts';
import { GENESIS_HASH, rowHash, verifyChain } from '../../src/recording/ledger/chain.ts';
import { verifyLedgerFile } from '../../src/recording/ledger/verify-cli.ts';

const run = promisify(execFile);
let dir: string;
let opened: OpenedDatabase;
let ledger: AccessLedgerRepository;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-'));
  file = join(dir, 'switchboard.db');
  opened = openDatabase({ file });
  let t = 1_000;
  ledger = new AccessLedgerRepository(opened.sqlite, { now: () => t++ });
  for (let i = 0; i < 10; i++) ledger.append({ user: i % 2 ? 'qa1' : 'sup1', recordingId: `rec-${i}`, action: i % 3 ? 'play' : 'view', range: i % 3 ? `bytes=0-${i * 100}` : null, via: 'http' });
});
afterEach(() => {
  opened.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI as an operator runs it. */
async function cli(): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/recording/ledger/verify-cli.ts', '--db', file], { cwd: process.cwd() });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('access ledger', () => {
  it('chains each row to the previous one from a genesis of 64 zeros', () => {
    const rows = [...ledger.all()];
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(rows[3]!.hash).toBe(rowHash(rows[2]!.hash, rows[3]!));
    expect(verifyChain(rows)).toEqual({ rows: 10, broken: null });
  });

  it('the CLI says the chain is intact', async () => {
    const r = await cli();
    expect(r).toEqual({ code: 0, out: 'ledger ok: 10 rows\n' });
  });

  it('a row whose user was changed with raw SQL is named by the CLI', async () => {
    opened.sqlite.prepare("UPDATE access_ledger SET user = 'admin' WHERE seq = 4").run();
    const r = await cli();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/ledger BROKEN at seq 4: contents changed/);
    expect(r.out).toContain('"user":"admin"');
  });

  it('a row whose range was changed is named', () => {
    opened.sqlite.prepare("UPDATE access_ledger SET range = 'bytes=0-1' WHERE seq = 7").run();
    expect(verifyLedgerFile(file)).toMatchObject({ ok: false, message: expect.stringMatching(/^ledger BROKEN at seq 7: contents changed/) });
  });

  it('a deleted row is named as a gap', async () => {
    opened.sqlite.prepare('DELETE FROM access_ledger WHERE seq = 5').run();
    const r = await cli();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/seq 6: expected seq 5 — row\(s\) 5 missing/);
  });

  it('a row rehashed after tampering still breaks the link to the next one', () => {
    const row = [...ledger.all()][2]!;
    const forged = { ...row, user: 'nobody' };
    opened.sqlite.prepare('UPDATE access_ledger SET user = ?, hash = ? WHERE seq = 3').run('nobody', rowHash(row.prevHash, forged));
    expect(verifyLedgerFile(file).message).toMatch(/^ledger BROKEN at seq 4: prev_hash/);
  });

  it('an intact ledger reports its row count', () => {
    expect(verifyLedgerFile(file)).toEqual({ ok: true, rows: 10, message: 'ledger ok: 10 rows' });
  });
});
