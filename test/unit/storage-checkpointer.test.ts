import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer, type Checkpointer } from '../../src/storage/checkpointer.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';

const log = pino({ level: 'silent' });
let t: TempDatabase | undefined;
let cp: Checkpointer | undefined;

afterEach(async () => {
  await cp?.close();
  t?.dispose();
  cp = t = undefined;
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const autoCheckpoint = (db: TempDatabase) => db.sqlite.pragma('wal_autocheckpoint', { simple: true });

describe('WAL checkpoints on a worker thread', () => {
  it('turns the automatic checkpoint off, checkpoints the WAL from the worker, and turns it back on when closed', async () => {
    t = openTempDatabase();
    expect(autoCheckpoint(t)).toBe(1000);
    cp = startCheckpointer({ file: t.file, sqlite: t.sqlite, intervalMs: 20, log });
    expect(autoCheckpoint(t)).toBe(0);
    const insert = t.sqlite.prepare('insert into audit_log (at, actor, action, target, details) values (?, ?, ?, ?, ?)');
    for (let i = 0; i < 300; i++) insert.run(i, 'test', 'write', `t${i}`, JSON.stringify({ i, pad: 'x'.repeat(200) }));
    await until(() => cp!.stats().frames > 0);
    // Everything the main connection wrote is in the database file: a checkpoint now finds
    // nothing left to copy.
    await until(() => {
      const [r] = t!.sqlite.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
      return r!.log === r!.checkpointed;
    });
    expect(cp.running).toBe(true);
    await cp.close();
    expect(cp.running).toBe(false);
    expect(autoCheckpoint(t)).toBe(1000);
    expect(t.sqlite.prepare('select count(*) from audit_log').pluck().get()).toBe(300);
  });

  it('falls back to automatic checkpoints when the worker cannot open the database', async () => {
    t = openTempDatabase();
    cp = startCheckpointer({ file: '/nonexistent-dir/no.db', sqlite: t.sqlite, intervalMs: 20, log });
    await until(() => !cp!.running);
    expect(autoCheckpoint(t)).toBe(1000);
  });
});
