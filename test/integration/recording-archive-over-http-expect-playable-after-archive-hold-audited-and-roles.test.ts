/**
 * The archive in the real daemon: `POST /api/v1/admin/recordings/archive-run` moves old recordings
 * (still playable: same bytes, same sha256 at the new path), deletes those past retention except
 * the ones on legal hold; `PUT /api/v1/recordings/:id/legal-hold` for supervisors and admins,
 * audited, 404 for an unknown recording, 403 for other roles, 400 for a body outside its schema.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.ts';
import { buildDaemon, type Daemon } from '../../src/daemon.ts';
import { TEST_SCRYPT } from '../../src/storage/test-support.ts';
import { addRecording, brokenRows, DAY_MS, rows, sha256 } from '../helpers/recording-archive-fixtures.ts';

let daemon: Daemon;
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-archive-'));
const tokens: Record<string, string> = {};

async function login(username: string): Promise<string> {
  const res = await fetch(`${daemon.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: `demo-${username}` }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

function call(method: string, path: string, who: string | null, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (who) headers.authorization = `Bearer ${tokens[who]}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${daemon.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

const hold = (id: string, who: string | null, body: unknown) => call('PUT', `/api/v1/recordings/${id}/legal-hold`, who, body);

beforeAll(async () => {
  daemon = await buildDaemon(defaultConfig({ port: 0, simPort: 0, cstaPort: 0, dataDir, logLevel: 'silent', recordingArchive: { archiveAfterDays: 30, deleteAfterDays: 365, at: '02:30' } }), {
    scrypt: TEST_SCRYPT,
    logger: pino({ level: 'silent' }),
  });
  for (const u of ['admin', 'sup1', 'qa1', 'a1001']) tokens[u] = await login(u);
});
afterAll(async () => {
  await daemon?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('legal hold and the archive run over HTTP', () => {
  const hot = () => join(dataDir, 'recordings');
  const now = Date.now();

  it('holds and releases (supervisor, admin), audited; refuses other roles, unknown ids and bad bodies', async () => {
    addRecording(daemon.storage.sqlite, hot(), 'h-1', now - 2 * DAY_MS);

    expect((await hold('h-1', null, { hold: true })).status).toBe(401);
    for (const who of ['a1001', 'qa1']) {
      const res = await hold('h-1', who, { hold: true });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    }
    expect((await hold('no-such-recording', 'sup1', { hold: true })).status).toBe(404);
    expect((await hold('h-1', 'sup1', { hold: 'yes' })).status).toBe(400);
    expect((await hold('h-1', 'sup1', { hold: true, extra: 1 })).status).toBe(400);
    expect((await hold('h-1', 'sup1', {})).status).toBe(400);

    const set = await hold('h-1', 'sup1', { hold: true, reason: 'complaint 4711' });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ id: 'h-1', legalHold: true });
    expect(rows(daemon.storage.sqlite).find((r) => r.id === 'h-1')!.legal_hold).toBe(1);
    const cleared = await hold('h-1', 'admin', { hold: false });
    expect(await cleared.json()).toEqual({ id: 'h-1', legalHold: false });

    const audit = daemon.storage.sqlite.prepare("select actor, action, target, details from audit_log where action = 'recording.legalHold' order by id").all() as { actor: string; action: string; target: string; details: string }[];
    expect(audit.map((a) => ({ ...a, details: JSON.parse(a.details) as unknown }))).toEqual([
      { actor: 'sup1', action: 'recording.legalHold', target: 'h-1', details: { hold: true, reason: 'complaint 4711' } },
      { actor: 'admin', action: 'recording.legalHold', target: 'h-1', details: { hold: false, reason: null } },
    ]);
  });

  it('archive-run (admin only) moves old recordings, keeps them playable, deletes expired unheld ones and keeps held ones', async () => {
    const sqlite = daemon.storage.sqlite;
    const old = addRecording(sqlite, hot(), 'a-old', now - 45 * DAY_MS, { ms: 1500, seed: 3 });
    const expired = addRecording(sqlite, hot(), 'a-expired', now - 400 * DAY_MS);
    const expiredHeld = addRecording(sqlite, hot(), 'a-expired-held', now - 401 * DAY_MS);
    expect((await hold('a-expired-held', 'sup1', { hold: true, reason: 'litigation' })).status).toBe(200);

    for (const who of ['sup1', 'qa1', 'a1001']) expect((await call('POST', '/api/v1/admin/recordings/archive-run', who)).status).toBe(403);
    const res = await call('POST', '/api/v1/admin/recordings/archive-run', 'admin');
    expect(res.status).toBe(200);
    const report = (await res.json()) as Record<string, unknown>;
    expect(report).toMatchObject({ skipped: false, moved: 2, deleted: 1, keptForHold: 1, errors: 0 });
    expect(typeof report.startedAt).toBe('string');

    const byId = (id: string) => rows(sqlite).find((r) => r.id === id)!;
    expect(byId('a-expired').status).toBe('deleted');
    expect(existsSync(expired.path!)).toBe(false);
    // Nothing left to hold once retention deleted the file.
    expect((await hold('a-expired', 'sup1', { hold: true })).status).toBe(409);
    expect(byId('a-expired-held')).toMatchObject({ status: 'closed', tier: 'archive' });
    expect(sha256(readFileSync(byId('a-expired-held').path!))).toBe(expiredHeld.sha256);

    const moved = byId('a-old');
    expect(moved.tier).toBe('archive');
    expect(moved.path!.startsWith(join(dataDir, 'archive'))).toBe(true);
    expect(existsSync(old.path!)).toBe(false);
    expect(readFileSync(moved.path!).equals(old.wav)).toBe(true);
    expect(brokenRows(sqlite)).toEqual([]);
    // Playback (the search/playback API) serves the archived file, when that API is there.
    if (daemon.app.hasRoute({ method: 'GET', url: '/api/v1/recordings/:id/audio' })) {
      const audio = await call('GET', '/api/v1/recordings/a-old/audio', 'qa1');
      expect(audio.status).toBe(200);
      expect(sha256(Buffer.from(await audio.arrayBuffer()))).toBe(old.sha256);
    }
  });
});
