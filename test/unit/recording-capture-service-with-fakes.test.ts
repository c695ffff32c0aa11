/**
 * The capture service against fakes (no switch, no database): the decision stored once per
 * change, one RecordMessage on the caller's connection, legs, a refused RecordMessage → failed,
 * a closed file moved to DATA_DIR/recordings/YYYY/MM/DD/<id>.wav with its sha256 (the switch's
 * copy deleted), a file gone → failed, pause/resume through Suspend/Resume with the automatic
 * resume, and the file store's copy → verify → delete.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newCall, type TrackedCall } from '../../src/core/calls/call.ts';
import { PbxError, type PbxEvent } from '../../src/core/pbx-port.ts';
import { RecordingCapture, type RecordingWrites } from '../../src/recording/capture/capture-service.ts';
import * as nodeFs from 'node:fs';
import * as nodeCrypto from 'node:crypto';
import { FileMover, inProcessFileMover, type RecordingFiles } from '../../src/recording/capture/file-mover.ts';
import { HASH_CHUNK, hashFileSync, recordingPath, wavDurationMs } from '../../src/recording/capture/file-store.ts';
import type { RecordingPolicy } from '../../src/recording/policies/decide.ts';

const dir = mkdtempSync(join(tmpdir(), 'capture-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const all: RecordingPolicy = { id: 1, name: 'all', mode: 'all', numbers: [], agents: [], services: [], samplePercent: 100, priority: 1, enabled: true, version: 4 };

type OpenRow = ReturnType<NonNullable<RecordingWrites['openRecordings']>>[number];

function world(opts: { refuse?: boolean | Error; policies?: RecordingPolicy[]; leftOpen?: OpenRow[]; logs?: Record<string, unknown>[]; durable?: boolean } = {}) {
  const log: string[] = [];
  const writes = new Proxy({} as RecordingWrites, {
    get: (_t, k: string) =>
      k === 'openRecordings' ? () => opts.leftOpen ?? [] : k === 'durable' ? () => (log.push('durable'), opts.durable ?? true) : (...args: unknown[]) => (log.push(`${k} ${JSON.stringify(args)}`), true),
  });
  const pbxListeners: ((e: PbxEvent) => void)[] = [];
  const requests: string[] = [];
  let n = 0;
  const switchFile = () => join(dir, `switch-${++n}.wav`);
  const timers: { fn: () => void; ms: number; live: boolean }[] = [];
  const pbx = {
    onEvent: (l: (e: PbxEvent) => void) => (pbxListeners.push(l), () => undefined),
    recordMessage: async (r: { conn: { callId: string; deviceId: string } }) => {
      requests.push(`record ${r.conn.callId}/${r.conn.deviceId}`);
      if (opts.refuse) throw opts.refuse instanceof Error ? opts.refuse : Object.assign(new Error('refused'), { code: 'PBX_REJECTED' });
      const message = switchFile();
      writeFileSync(message, Buffer.alloc(44 + 16 * 500, 1));
      return { message };
    },
    stopMessage: async () => void requests.push('stop'),
    suspendMessage: async () => void requests.push('suspend'),
    resumeMessage: async () => void requests.push('resume'),
  };
  let listener: any = null;
  const notified: string[] = [];
  let now = Date.UTC(2026, 11, 2, 9, 0, 0);
  const capture = new RecordingCapture({
    pbx,
    calls: { subscribe: (l) => ((listener = l), () => undefined), get: () => call, pbxIdAt: () => 'P1' },
    deviceKind: (d) => (d.length > 6 ? 'external' : 'agentPhone'),
    extensionOf: () => '2001',
    agentsOn: () => ['a1001'],
    policies: () => opts.policies ?? [all],
    writes,
    notify: (e, d) => notified.push(`${e} ${JSON.stringify(d)}`),
    clock: { now: () => now },
    timers: { setTimeout: (fn, ms) => { const t = { fn, ms, live: true }; timers.push(t); return t; }, clearTimeout: (t) => { (t as { live: boolean }).live = false; } },
    log: opts.logs ? pino({ level: 'info' }, { write: (line: string) => void opts.logs!.push(JSON.parse(line) as Record<string, unknown>) }) : pino({ level: 'silent' }),
    newId: () => 'rec-1',
    recordingsDir: join(dir, 'recordings'),
    files: inProcessFileMover(),
    pauseMaxMs: 180_000,
  });
  capture.attach();
  const call: TrackedCall = newCall('c1', 'P1', now);
  call.direction = 'inbound';
  call.from = '13900000001';
  call.to = '8000';
  call.dialled = '8000';
  call.queue = 'sales';
  call.connections.set('13900000001', { deviceId: '13900000001', state: 'connected', since: now });
  call.connections.set('2001', { deviceId: '2001', state: 'connected', since: now });
  return {
    capture, call, log, requests, notified, timers,
    listener: () => listener,
    advance: (ms: number) => (now += ms),
    emit: (e: PbxEvent) => pbxListeners.forEach((l) => l(e)),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

describe('capture service', () => {
  it('records on the caller\'s connection, stores the decision once, legs, and closes the file into DATA_DIR/recordings', async () => {
    const w = world();
    w.listener().agentConnection('a1001', w.call, 'alerting', 'connected');
    w.listener().agentConnection('a1001', w.call, 'hold', 'connected');
    await tick();
    expect(w.requests).toEqual(['record P1/13900000001']);
    expect(w.log.filter((l) => l.startsWith('setCallDecision'))).toEqual(['setCallDecision ["c1",{"decision":"recorded","policyId":1,"policyVersion":4}]']);
    expect(w.log.some((l) => l.startsWith('insertStarted') && l.includes('"queue":"sales"') && l.includes('"policyVersion":4'))).toBe(true);
    expect(w.log.filter((l) => l.startsWith('addAgentLeg'))).toHaveLength(1);
    const source = join(dir, 'switch-1.wav');
    w.advance(500);
    w.emit({ kind: 'voiceStopped', callId: 'P1', deviceId: '13900000001', message: source, cause: 'cleared', monitoredDevice: '2001' });
    await w.capture.settled();
    const target = recordingPath(join(dir, 'recordings'), 'rec-1', Date.UTC(2026, 11, 2, 9));
    expect(target).toBe(join(dir, 'recordings', '2026', '12', '02', 'rec-1.wav'));
    const sha = createHash('sha256').update(readFileSync(target)).digest('hex');
    expect(w.log.find((l) => l.startsWith('close'))).toBe(`close ["rec-1",{"endedAt":${Date.UTC(2026, 11, 2, 9) + 500},"durationMs":500,"path":"${target}","bytes":8044,"sha256":"${sha}"}]`);
    expect(existsSync(source)).toBe(false);
    expect(w.capture.recordingOf('c1')).toBeNull();
    // The row naming the copy was committed before the switch's file went.
    expect(w.log.slice(w.log.findIndex((l) => l.startsWith('close')))).toEqual([expect.stringMatching(/^close /), 'durable']);
  });

  it("the database keeps its writes in memory (degraded): the switch's file stays, so a crash leaves a row naming a file that exists", async () => {
    const logs: Record<string, unknown>[] = [];
    const w = world({ durable: false, logs });
    w.listener().agentConnection('a1001', w.call, 'alerting', 'connected');
    await tick();
    const source = join(dir, 'switch-1.wav');
    w.advance(500);
    w.emit({ kind: 'voiceStopped', callId: 'P1', deviceId: '13900000001', message: source, cause: 'cleared', monitoredDevice: '2001' });
    await w.capture.settled();
    expect(w.log.some((l) => l.startsWith('close'))).toBe(true);
    expect(existsSync(source)).toBe(true);
    expect(existsSync(recordingPath(join(dir, 'recordings'), 'rec-1', Date.UTC(2026, 11, 2, 9)))).toBe(true);
    expect(logs.filter((l) => l.level === 40).map((l) => l.msg)).toEqual(["recording's row not yet on disk (database degraded): the switch's file is kept"]);
  });

  it('RecordMessage refused because the call is gone at the switch: failed, logged as a warning without a stack; any other refusal is an error', async () => {
    const gone: Record<string, unknown>[] = [];
    const w = world({ refuse: new PbxError('PBX_REJECTED', 'RecordMessage rejected by the switch: operation/invalidCallID', { category: 'operation', value: 'invalidCallID' }), logs: gone });
    w.listener().agentConnection('a1001', w.call, 'alerting', 'connected');
    await tick();
    expect(w.log.filter((l) => l.startsWith('fail'))).toHaveLength(1);
    const warned = gone.filter((e) => (e.level as number) >= 40);
    expect(warned.map((e) => [e.level, e.msg])).toEqual([[40, 'recording not started: the call had already gone at the switch']]);
    expect(warned[0]).toMatchObject({ callId: 'c1', cstaError: { value: 'invalidCallID' } });
    expect(warned[0]!.err).toBeUndefined();

    const other: Record<string, unknown>[] = [];
    const v = world({ refuse: new PbxError('PBX_REJECTED', 'RecordMessage rejected by the switch: operation/generic', { category: 'operation', value: 'generic' }), logs: other });
    v.listener().agentConnection('a1001', v.call, 'alerting', 'connected');
    await tick();
    expect(other.filter((e) => (e.level as number) >= 40).map((e) => [e.level, e.msg])).toEqual([[50, 'recording failed; the call goes on unrecorded']]);
  });

  it('RecordMessage refused: failed, nothing more; a file gone at close: failed', async () => {
    const w = world({ refuse: true });
    w.listener().agentConnection('a1001', w.call, 'alerting', 'connected');
    await tick();
    expect(w.log.filter((l) => l.startsWith('fail'))).toHaveLength(1);
    await expect(w.capture.pause('c1', 'a1001')).rejects.toMatchObject({ code: 'INVALID_STATE' });

    const v = world();
    v.listener().agentConnection('a1001', v.call, 'alerting', 'connected');
    await tick();
    const file = join(dir, `switch-1.wav`);
    rmSync(file);
    v.emit({ kind: 'voiceStopped', callId: 'P1', deviceId: '13900000001', message: file, cause: 'cleared', monitoredDevice: '2001' });
    await v.capture.settled();
    expect(v.log.filter((l) => l.startsWith('fail'))).toHaveLength(1);
    expect(v.log.some((l) => l.startsWith('close'))).toBe(false);
  });

  it('no policy: the decision stored, nothing recorded; pause → INVALID_STATE', async () => {
    const w = world({ policies: [] });
    w.listener().agentConnection('a1001', w.call, 'alerting', 'connected');
    await tick();
    expect(w.requests).toEqual([]);
    expect(w.log).toEqual(['setCallDecision ["c1",{"decision":"noPolicy","policyId":null,"policyVersion":null}]']);
    await expect(w.capture.pause('c1', 'a1001')).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('pause and resume: Suspend/Resume, spans in ms from the start, events to the agents; the automatic resume', async () => {
    const w = world();
    w.listener().agentConnection('a1001', w.call, 'alerting', 'connected');
    await tick();
    w.advance(1000);
    const p = await w.capture.pause('c1', 'a1001');
    expect(await w.capture.pause('c1', 'a1001')).toEqual(p);
    w.advance(2000);
    await w.capture.resume('c1', 'a1001');
    expect(w.requests).toEqual(['record P1/13900000001', 'suspend', 'resume']);
    expect(w.log.filter((l) => l.includes('Pause'))).toEqual(['addPause ["rec-1",1000,"a1001"]', 'endPause ["rec-1",3000]']);
    expect(w.notified.map((s) => s.split(' ')[0])).toEqual(['recording.paused', 'recording.resumed']);
    await w.capture.pause('c1', 'sup1');
    const auto = w.timers.find((t) => t.live && t.ms === 180_000)!;
    w.advance(180_000);
    auto.fn();
    await tick();
    expect(w.requests.slice(-2)).toEqual(['suspend', 'resume']);
    expect(w.log.filter((l) => l.includes('Pause')).slice(-2)).toEqual(['addPause ["rec-1",3000,"sup1"]', 'endPause ["rec-1",183000]']);
    expect(w.capture.recordingOf('c1')).toMatchObject({ paused: false, status: 'recording' });
  });

  it('the call ends without a StopEvent: Stop at the switch, then closed', async () => {
    const w = world();
    w.listener().agentConnection('a1001', w.call, 'alerting', 'connected');
    await tick();
    w.call.endedAt = Date.now();
    w.listener().callEnded(w.call);
    await w.capture.settled();
    expect(w.requests).toEqual(['record P1/13900000001', 'stop']);
    expect(w.log.some((l) => l.startsWith('close'))).toBe(true);
  });
});

describe('recordings the previous run left open', () => {
  it('never answered → failed; call over → closed now; call going on → closed on its StopEvent, a later agent a leg of it', async () => {
    const ended = join(dir, 'left-ended.wav');
    const going = join(dir, 'left-going.wav');
    writeFileSync(ended, Buffer.alloc(44 + 160, 3));
    writeFileSync(going, Buffer.alloc(44 + 320, 4));
    const w = world({
      leftOpen: [
        { id: 'r-none', callId: 'cx', startedAt: 1, path: null, callEnded: false },
        { id: 'r-ended', callId: 'cy', startedAt: 2, path: ended, callEnded: true },
        { id: 'r-going', callId: 'c1', startedAt: 3, path: going, callEnded: false },
      ],
    });
    await w.capture.settled();
    expect(w.log.filter((l) => l.startsWith('fail')).map((l) => JSON.parse(l.slice(5))[0])).toEqual(['r-none']);
    expect(w.log.filter((l) => l.startsWith('close')).map((l) => JSON.parse(l.slice(6))[0])).toEqual(['r-ended']);
    w.listener().agentConnection('a1001', w.call, 'alerting', 'connected');
    await tick();
    expect(w.requests).toEqual([]);
    expect(w.log.filter((l) => l.startsWith('addAgentLeg')).map((l) => JSON.parse(l.slice(12))[0])).toEqual(['r-going']);
    w.emit({ kind: 'voiceStopped', callId: 'P1', deviceId: '13900000001', message: going, cause: 'cleared', monitoredDevice: '2001' });
    await w.capture.settled();
    expect(w.log.filter((l) => l.startsWith('close')).map((l) => JSON.parse(l.slice(6))[0])).toEqual(['r-ended', 'r-going']);
  });
});

// The same checks against the worker thread the daemon uses and the same code on this thread.
const hashFile = (path: string) => hashFileSync(nodeFs, nodeCrypto, path, Buffer.allocUnsafe(HASH_CHUNK));
describe.each<[string, () => RecordingFiles]>([
  ['on a worker thread', () => new FileMover()],
  ['in process', () => inProcessFileMover()],
])('file store, %s', (_where, make) => {
  let files: RecordingFiles;
  beforeEach(() => {
    files = make();
  });
  afterEach(() => files.close());

  it('hashes; copy → verify; the source kept until dropped; a failed copy keeps the original', async () => {
    const src = join(dir, 'a.wav');
    writeFileSync(src, Buffer.alloc(44 + 1600, 7));
    expect(hashFile(src)).toEqual({ sha256: createHash('sha256').update(readFileSync(src)).digest('hex'), bytes: 1644 });
    expect(wavDurationMs(1644)).toBe(100);
    const target = join(dir, 'out', 'x', 'a.wav');
    const moved = await files.move(src, target);
    expect(moved.file).toEqual({ moved: true, bytes: 1644, path: target, sha256: createHash('sha256').update(readFileSync(src)).digest('hex') });
    expect(readFileSync(target)).toEqual(readFileSync(src));
    expect(existsSync(src)).toBe(true);
    await moved.dropSource();
    expect(existsSync(src)).toBe(false);
    writeFileSync(src, 'abc');
    writeFileSync(join(dir, 'blocker'), '');
    const failed = await files.move(src, join(dir, 'blocker', 'a.wav'));
    expect(failed.file).toMatchObject({ moved: false, path: src, bytes: 3 });
    expect(failed.error).toBeInstanceOf(Error);
    await failed.dropSource();
    expect(existsSync(src)).toBe(true);
  });

  it('a source that cannot be read rejects with its code (the capture service marks the recording failed)', async () => {
    await expect(files.move(join(dir, 'no-such.wav'), join(dir, 'out', 'n.wav'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(existsSync(join(dir, 'out', 'n.wav'))).toBe(false);
  });

  it('makes the day folder again when it was removed after an earlier move into it', async () => {
    const day = join(dir, 'store', '2026', '12', '03');
    const first = join(dir, 'first.wav');
    writeFileSync(first, Buffer.alloc(500, 1));
    expect((await files.move(first, join(day, 'first.wav'))).file.moved).toBe(true);
    rmSync(join(dir, 'store'), { recursive: true, force: true });
    const second = join(dir, 'second.wav');
    writeFileSync(second, Buffer.alloc(700, 2));
    const moved = await files.move(second, join(day, 'second.wav'));
    expect(moved.error).toBeUndefined();
    expect(moved.file).toMatchObject({ moved: true, path: join(day, 'second.wav'), bytes: 700 });
    expect(readFileSync(join(day, 'second.wav'))).toEqual(Buffer.alloc(700, 2));
  });
});

describe('the file mover worker', () => {
  it('moves asked for in one turn go in one batch, each answered with its own result', async () => {
    const files = new FileMover();
    try {
      const names = [1, 2, 3, 4, 5].map((i) => {
        const src = join(dir, `batch-${i}.wav`);
        writeFileSync(src, Buffer.alloc(100 * i, i));
        return src;
      });
      const moved = await Promise.all(names.map((src, i) => files.move(src, join(dir, 'batch-out', `${i + 1}.wav`))));
      expect(moved.map((m) => m.file.bytes)).toEqual([100, 200, 300, 400, 500]);
      for (const [i, m] of moved.entries()) expect(readFileSync(m.file.path)).toEqual(Buffer.alloc(100 * (i + 1), i + 1));
      await Promise.all(moved.map((m) => m.dropSource()));
      expect(names.filter((n) => existsSync(n))).toEqual([]);
    } finally {
      await files.close();
    }
  });

  it('a move that does not answer in time is rejected and the worker replaced; the next move works', async () => {
    // A FIFO with no writer: opening it blocks the worker, as a stuck disk would.
    const fifo = join(dir, 'stuck.wav');
    execFileSync('mkfifo', [fifo]);
    const files = new FileMover({ timeoutMs: 300 });
    try {
      await expect(files.move(fifo, join(dir, 'stuck-out', 'a.wav'))).rejects.toThrow(/did not answer within 300 ms/);
      const src = join(dir, 'after-stuck.wav');
      writeFileSync(src, Buffer.alloc(64, 9));
      const moved = await files.move(src, join(dir, 'stuck-out', 'b.wav'));
      expect(moved.file).toMatchObject({ moved: true, bytes: 64 });
    } finally {
      // Unblock the old worker's open() so that its thread can end.
      const fd = openSync(fifo, 'w');
      closeSync(fd);
      await files.close();
    }
  });
});

describe('hashFileSync', () => {
  it('hashes a file of several read chunks and an empty one like a whole-file sha256', () => {
    const big = join(dir, 'big.wav');
    const bytes = Buffer.alloc(HASH_CHUNK * 2 + 12345);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 9)) & 0xff;
    writeFileSync(big, bytes);
    expect(hashFile(big)).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    const empty = join(dir, 'empty.wav');
    writeFileSync(empty, '');
    expect(hashFile(empty)).toEqual({ sha256: createHash('sha256').digest('hex'), bytes: 0 });
    expect(() => hashFile(join(dir, 'no-such.wav'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
