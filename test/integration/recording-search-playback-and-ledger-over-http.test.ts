/**
 * Recordings over HTTP against the real daemon: rows written straight into its database (capture
 * is not under test here) with real WAV files; search by each filter, paging while rows arrive,
 * metadata, Range/whole/416/conditional playback, download, signed URLs, peaks, refusals, and the
 * ledger rows all of it leaves.
 */
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.ts';
import { RecordingSeeder, writeWav, type SeedRecording } from '../helpers/recordings.ts';
import { verifyChain } from '../../src/recording/ledger/chain.ts';
import { AccessLedgerRepository } from '../../src/storage/repositories/access-ledger.ts';

const T0 = Date.UTC(2026, 10, 20, 8, 0, 0);
const MIN = 60_000;
let w: World;
let tokens: Record<string, string>;
let seeder: RecordingSeeder;
let wav: Buffer;
const rows: SeedRecording[] = [];

async function token(username: string): Promise<string> {
  const r = await w.http('POST', '/api/v1/auth/login', { body: { username, password: `demo-${username}` } });
  expect(r.status).toBe(200);
  return r.body.token as string;
}

async function get(path: string, who = 'qa1', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(w.daemon.url + path, { headers: { authorization: `Bearer ${tokens[who]}`, ...headers } });
}

/** A GET through node:http: fetch adds `cache-control: no-cache` to conditional requests. */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(w.daemon.url + path, { headers: { authorization: `Bearer ${tokens.qa1}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const ledger = () => new AccessLedgerRepository(w.daemon.storage.sqlite).list({ limit: 1000 }).items;

beforeAll(async () => {
  w = await startWorld();
  tokens = { qa1: await token('qa1'), sup1: await token('sup1'), admin: await token('admin'), a1001: await token('a1001') };
  const dir = join(w.dataDir, 'recordings');
  const f = writeWav(join(dir, 'rec-main.wav'), 3);
  wav = f.data;
  for (let i = 0; i < 12; i++) {
    rows.push({
      id: `rec-${String(i).padStart(2, '0')}`,
      callId: `call-${i}`,
      startedAt: T0 + i * MIN,
      durationMs: 20_000 + i * 10_000,
      caller: i % 2 ? `1380000${i}` : '2001',
      callee: i % 2 ? '8000' : `1390000${i}`,
      queue: i % 3 ? 'support' : 'sales',
      customerId: i % 4 === 0 ? 3 : null,
      tier: i === 3 ? 'archive' : 'hot',
      path: i === 11 ? join(dir, 'gone.wav') : join(dir, 'rec-main.wav'),
      bytes: f.bytes,
      sha256: f.sha256,
      agents: [{ agent: i % 2 ? 'a1001' : 'a1002', extension: i % 2 ? '2001' : '2002', fromMs: 0, toMs: 10_000 }],
      paused: i === 1 ? [{ fromMs: 2000, toMs: 4000 }] : [],
      tags: i % 5 === 0 ? ['complaint'] : [],
    });
  }
  seeder = new RecordingSeeder(w.daemon.storage.sqlite);
  seeder.many(rows);
});
afterAll(async () => {
  await w?.close();
});

const idsOf = (pred: (r: SeedRecording) => boolean) => rows.filter(pred).sort((a, b) => b.startedAt - a.startedAt).map((r) => r.id);

async function searchAll(qs: string, limit = 5): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const r = await w.http('GET', `/api/v1/recordings?${qs}${qs ? '&' : ''}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token: tokens.qa1 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    out.push(...r.body.items.map((x: { id: string }) => x.id));
    cursor = r.body.next;
    if (!cursor) return out;
  }
}

describe('recordings over HTTP', () => {
  it('each search filter returns exactly the expected rows, newest first', async () => {
    expect(await searchAll('')).toEqual(idsOf(() => true));
    expect(await searchAll('agent=a1001')).toEqual(idsOf((r) => r.agents![0]!.agent === 'a1001'));
    expect(await searchAll('number=13800')).toEqual(idsOf((r) => r.caller!.startsWith('13800')));
    expect(await searchAll('number=1390000')).toEqual(idsOf((r) => r.callee!.startsWith('1390000')));
    expect(await searchAll(`from=${new Date(T0 + 3 * MIN).toISOString()}&to=${new Date(T0 + 6 * MIN).toISOString()}`)).toEqual(idsOf((r) => r.startedAt >= T0 + 3 * MIN && r.startedAt <= T0 + 6 * MIN));
    expect(await searchAll('customer=3')).toEqual(idsOf((r) => r.customerId === 3));
    expect(await searchAll('queue=sales')).toEqual(idsOf((r) => r.queue === 'sales'));
    expect(await searchAll('minDurationS=50&maxDurationS=90')).toEqual(idsOf((r) => r.durationMs! >= 50_000 && r.durationMs! <= 90_000));
    expect(await searchAll('tag=complaint')).toEqual(idsOf((r) => !!r.tags?.includes('complaint')));
    expect(await searchAll('callId=call-7')).toEqual(['rec-07']);
    const one = await w.http('GET', '/api/v1/recordings?callId=call-1', { token: tokens.sup1 });
    expect(one.body.items[0]).toMatchObject({ id: 'rec-01', callId: 'call-1', caller: '13800001', agents: [{ agentId: 'a1001', extension: '2001', fromMs: 0, toMs: 10_000 }], paused: [{ fromMs: 2000, toMs: 4000 }], tier: 'hot', legalHold: false, bytes: wav.length });
  });

  it('pages neither repeat nor skip while rows are inserted between them', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let n = 0;
    do {
      const r = await w.http('GET', `/api/v1/recordings?queue=support&limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: tokens.qa1 });
      seen.push(...r.body.items.map((x: { id: string }) => x.id));
      cursor = r.body.next;
      // A newer row (before page one) and one in the middle of what is left.
      seeder.one({ id: `late-new-${n}`, startedAt: T0 + 500 * MIN + n, queue: 'support' });
      seeder.one({ id: `late-mid-${n}`, startedAt: T0 + 2 * MIN + 30_000 + n, queue: 'support' });
      n++;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of idsOf((r) => r.queue === 'support')) expect(seen).toContain(id);
    expect(seen.filter((s) => s.startsWith('late-new'))).toEqual([]);
    expect(seen.filter((s) => s.startsWith('late-mid')).length).toBeGreaterThan(0);
  });

  it('the query string is a closed schema with stable codes', async () => {
    const bad = async (qs: string) => (await w.http('GET', `/api/v1/recordings?${qs}`, { token: tokens.qa1 })).body.error;
    expect(await bad('colour=red')).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await bad('number=12a')).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await bad('limit=501')).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await bad('from=yesterday')).toMatchObject({ code: 'BAD_REQUEST', details: { reason: 'BAD_TIME' } });
    expect(await bad('cursor=abc')).toMatchObject({ code: 'BAD_REQUEST', details: { reason: 'BAD_CURSOR' } });
    expect((await w.http('GET', '/api/v1/recordings')).status).toBe(401);
  });

  it('metadata of one recording is a view row; unknown is 404', async () => {
    const r = await w.http('GET', '/api/v1/recordings/rec-05', { token: tokens.sup1 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: 'rec-05', tags: ['complaint'], customer: null, queue: 'support' });
    expect(ledger()[0]).toMatchObject({ user: 'sup1', recordingId: 'rec-05', action: 'view', via: 'http' });
    expect((await w.http('GET', '/api/v1/recordings/nope', { token: tokens.sup1 })).status).toBe(404);
  });

  it('an agent is refused 403 and the refusal is a ledger row', async () => {
    const r = await w.http('GET', '/api/v1/recordings/rec-02', { token: tokens.a1001 });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
    expect(ledger()[0]).toMatchObject({ user: 'a1001', recordingId: 'rec-02', action: 'denied' });
    expect((await w.http('GET', '/api/v1/recordings', { token: tokens.a1001 })).status).toBe(403);
    expect(ledger()[0]).toMatchObject({ user: 'a1001', recordingId: null, action: 'denied' });
    expect((await get('/api/v1/recordings/rec-02/audio', 'a1001')).status).toBe(403);
  });

  it('whole file 200, a Range 206 with Content-Range, both the file\'s bytes; 416; conditional GET; play rows with their ranges', async () => {
    const whole = await get('/api/v1/recordings/rec-04/audio');
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(wav)).toBe(true);
    expect(ledger()[0]).toMatchObject({ user: 'qa1', recordingId: 'rec-04', action: 'play', range: `bytes=0-${wav.length - 1}` });

    const part = await get('/api/v1/recordings/rec-04/audio', 'qa1', { range: 'bytes=100-1099' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-1099/${wav.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(wav.subarray(100, 1100))).toBe(true);
    expect(ledger()[0]).toMatchObject({ action: 'play', range: 'bytes=100-1099' });

    const tail = await get('/api/v1/recordings/rec-04/audio', 'qa1', { range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(wav.subarray(wav.length - 10))).toBe(true);

    const beyond = await get('/api/v1/recordings/rec-04/audio', 'qa1', { range: `bytes=${wav.length + 10}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${wav.length}`);
    await beyond.arrayBuffer();

    const etag = whole.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect(whole.headers.get('last-modified')).toBeTruthy();
    const cached = await rawGet('/api/v1/recordings/rec-04/audio', { 'if-none-match': etag });
    expect(cached.status).toBe(304);
    expect(cached.body.length).toBe(0);
    // If-Range with a stale validator: the whole file, not the range.
    const stale = await rawGet('/api/v1/recordings/rec-04/audio', { range: 'bytes=0-9', 'if-range': '"stale"' });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(wav)).toBe(true);
    const fresh = await rawGet('/api/v1/recordings/rec-04/audio', { range: 'bytes=0-9', 'if-range': etag });
    expect(fresh.status).toBe(206);
    expect(fresh.body.equals(wav.subarray(0, 10))).toBe(true);
  });

  it('an archive-tier recording plays the same; a missing file is 404 FILE_MISSING', async () => {
    const r = await get('/api/v1/recordings/rec-03/audio');
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer()).equals(wav)).toBe(true);
    const gone = await get('/api/v1/recordings/rec-11/audio');
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: unknown }).error).toMatchObject({ code: 'NOT_FOUND', details: { reason: 'FILE_MISSING' } });
  });

  it('?download=1 is an attachment and a download row', async () => {
    const r = await get('/api/v1/recordings/rec-06/audio?download=1', 'admin');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="rec-06.wav"');
    await r.arrayBuffer();
    expect(ledger()[0]).toMatchObject({ user: 'admin', recordingId: 'rec-06', action: 'download', range: `bytes=0-${wav.length - 1}` });
  });

  it('a signed play URL works in a plain GET without a header; tampered or expired is 403 and a denied row', async () => {
    const r = await w.http('POST', '/api/v1/recordings/rec-08/play-url', { token: tokens.qa1 });
    expect(r.status).toBe(200);
    const { url, expiresAt } = r.body as { url: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(4 * MIN);
    const plain = await fetch(w.daemon.url + url, { headers: { range: 'bytes=0-43' } });
    expect(plain.status).toBe(206);
    expect(Buffer.from(await plain.arrayBuffer()).equals(wav.subarray(0, 44))).toBe(true);
    expect(ledger()[0]).toMatchObject({ user: 'qa1', recordingId: 'rec-08', action: 'play', range: 'bytes=0-43' });

    const other = await fetch(w.daemon.url + url.replace('rec-08', 'rec-09'));
    expect(other.status).toBe(403);
    expect(ledger()[0]).toMatchObject({ user: 'qa1', recordingId: 'rec-09', action: 'denied' });
    const u = new URL(url, w.daemon.url);
    u.searchParams.set('user', 'admin');
    expect((await fetch(u)).status).toBe(403);
    const expired = new URL(url, w.daemon.url);
    expired.searchParams.set('exp', String(Date.now() - 1000));
    const e = await fetch(expired);
    expect(e.status).toBe(403);
    expect(ledger()[0]).toMatchObject({ action: 'denied', detail: 'signed URL: badSignature' });
    expect((await w.http('POST', '/api/v1/recordings/rec-08/play-url', { token: tokens.a1001 })).status).toBe(403);
  });

  it('waveform peaks: min/max per bucket, computed once and cached on disk', async () => {
    const r = await w.http('GET', '/api/v1/recordings/rec-04/peaks?points=30', { token: tokens.qa1 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ recordingId: 'rec-04', points: 30, sampleRate: 8000, samplesPerPoint: 800, durationMs: 3000 });
    // The tone gets louder over the file: the last bucket's peak is above the first's.
    expect(r.body.max[29]).toBeGreaterThan(r.body.max[0]);
    expect(r.body.min[29]).toBeLessThan(0);
    const samples = wav.subarray(44);
    let mx = -32768;
    for (let i = 29 * 800; i < 30 * 800; i++) mx = Math.max(mx, samples.readInt16LE(i * 2));
    expect(r.body.max[29]).toBe(mx);
    // Served from the cache: the WAV can be gone from the peaks' point of view... but not the row's.
    const again = await w.http('GET', '/api/v1/recordings/rec-05/peaks?points=30', { token: tokens.qa1 });
    expect(again.body.max).toEqual(r.body.max);
    expect(readFileSync(join(w.dataDir, 'peaks', 'rec-04-30-' + rows[4]!.sha256!.slice(0, 24) + '.json'), 'utf8')).toContain('"points":30');
  });

  it('the access list (supervisor, admin) filters by recording and user; qa is refused; the chain holds', async () => {
    const r = await w.http('GET', '/api/v1/recordings/access?recordingId=rec-04&user=qa1&limit=2', { token: tokens.sup1 });
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(2);
    for (const item of r.body.items) expect(item).toMatchObject({ recordingId: 'rec-04', user: 'qa1', via: 'http' });
    expect(r.body.next).toBeTruthy();
    const p2 = await w.http('GET', `/api/v1/recordings/access?recordingId=rec-04&user=qa1&cursor=${r.body.next}`, { token: tokens.sup1 });
    expect(p2.body.items[0].seq).toBeLessThan(r.body.items[1].seq);
    expect((await w.http('GET', '/api/v1/recordings/access', { token: tokens.qa1 })).status).toBe(403);
    const all = [...new AccessLedgerRepository(w.daemon.storage.sqlite).all()];
    expect(verifyChain(all)).toEqual({ rows: all.length, broken: null });
    rmSync(join(w.dataDir, 'peaks'), { recursive: true, force: true });
  });
});
