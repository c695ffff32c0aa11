/**
 * The session's resume buffer: events are kept as references to the shared published event (one
 * per publish, whatever the audience), and a replay rebuilds exactly the frames that were sent,
 * with their original seq. Limits: a count, bytes, and an age while a socket is attached.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { fannedOut, frameOf, published, Session, type Published, type SessionLimits } from '../../src/gateway/session.ts';

// A full GC on demand, to see what the buffer still holds (vitest's forks do not pass --expose-gc).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const user = { id: 1, username: 'a1', displayName: 'A 1', roles: ['agent' as const] };

/** A socket that records what is sent on it. */
function fakeSocket(): { ws: WebSocket; sent: string[] } {
  const sent: string[] = [];
  const ws = { OPEN: 1, readyState: 1, bufferedAmount: 0, send: (f: string) => void sent.push(f) } as unknown as WebSocket;
  return { ws, sent };
}

function session(limits: SessionLimits): Session {
  return new Session(user, Date.now() + 3600_000, limits);
}

const pub = (i: number, at = 1_800_000_000_000 + i * 1000): Published => published('queue.stats', JSON.stringify({ queue: 'sales', waiting: i }), at);

describe('session resume buffer', () => {
  it('replays the very frames that were sent, with their seq, from any point still buffered', () => {
    const s = session({ bufferEvents: 100, bufferBytes: 1 << 20 });
    const { ws, sent } = fakeSocket();
    s.socket = ws;
    for (let i = 1; i <= 10; i++) s.emitPublished(pub(i));
    expect(sent).toHaveLength(10);
    expect(JSON.parse(sent[3]!)).toMatchObject({ event: 'queue.stats', seq: 4, data: { waiting: 4 } });
    expect(s.since(0)).toStrictEqual(sent);
    expect(s.since(7)).toStrictEqual(sent.slice(7));
    expect(s.since(10)).toStrictEqual([]);
  });

  it('makes the same frame as a frame built whole, for any seq, the shared parts made once', () => {
    const p = published('agent.state', '{"agentId":"a1","state":"ready"}', 1_800_000_000_123);
    for (const seq of [1, 9, 10, 12345]) expect(frameOf(p, seq)).toBe(`{"event":"agent.state","seq":${seq},"ts":"${new Date(p.at).toISOString()}","data":${p.json}}`);
    expect(JSON.parse(frameOf(p, 7))).toStrictEqual({ event: 'agent.state', seq: 7, ts: '2027-01-15T08:00:00.123Z', data: { agentId: 'a1', state: 'ready' } });
    expect(p.head).not.toBeNull();
  });

  it('shares one published event between sessions; each numbers it in its own sequence', () => {
    const a = session({ bufferEvents: 100, bufferBytes: 1 << 20 });
    const b = session({ bufferEvents: 100, bufferBytes: 1 << 20 });
    a.emit('agent.state', '{"agentId":"x"}', 1_800_000_000_000);
    const p = pub(1);
    a.emitPublished(p);
    b.emitPublished(p);
    expect(a.since(1)).toStrictEqual([frameOf(p, 2)]);
    expect(b.since(0)).toStrictEqual([frameOf(p, 1)]);
  });

  it('drops the oldest beyond the count and the bytes; a replay from before them is refused (null)', () => {
    const s = session({ bufferEvents: 3, bufferBytes: 1 << 20 });
    for (let i = 1; i <= 5; i++) s.emitPublished(pub(i));
    expect(s.since(1)).toBeNull();
    expect(s.since(2)?.map((f) => JSON.parse(f).seq)).toStrictEqual([3, 4, 5]);
    const one = frameOf(pub(1), 1).length;
    const t = session({ bufferEvents: 100, bufferBytes: one * 2 + 2 });
    for (let i = 1; i <= 4; i++) t.emitPublished(pub(i));
    expect(t.since(2)?.map((f) => JSON.parse(f).seq)).toStrictEqual([3, 4]);
    expect(t.bufferedBytes).toBe(frameOf(pub(3), 3).length + frameOf(pub(4), 4).length);
  });

  it('with a socket attached, drops events older than bufferMs; detached, keeps them for the resume', () => {
    const s = session({ bufferEvents: 100, bufferBytes: 1 << 20, bufferMs: 5000 });
    const { ws } = fakeSocket();
    s.socket = ws;
    for (let i = 1; i <= 10; i++) s.emitPublished(pub(i)); // one a second
    // At 10 s the events of 4 s and before are older than 5 s.
    expect(s.since(4)?.map((f) => JSON.parse(f).seq)).toStrictEqual([5, 6, 7, 8, 9, 10]);
    expect(s.since(3)).toBeNull();
    s.socket = null; // detached: nothing more is dropped for its age
    for (let i = 11; i <= 30; i++) s.emitPublished(pub(i));
    expect(s.since(4)?.map((f) => JSON.parse(f).seq)).toStrictEqual(Array.from({ length: 26 }, (_, k) => k + 5));
  });

  it('lets a dropped event go at once, not at the buffer\'s next compaction (a soak held 250 dead events per session)', async () => {
    const s = session({ bufferEvents: 3, bufferBytes: 1 << 20 });
    const refs: WeakRef<Published>[] = [];
    // Made in a function, so no local of this test keeps them alive.
    const emit = (i: number) => {
      const p = pub(i);
      refs.push(new WeakRef(p));
      s.emitPublished(p);
    };
    for (let i = 1; i <= 10; i++) emit(i);
    // WeakRefs hold their targets until the end of the job that made them.
    await new Promise((r) => setImmediate(r));
    gc();
    const alive = refs.map((r) => r.deref() !== undefined);
    expect(alive).toStrictEqual([false, false, false, false, false, false, false, true, true, true]);
    expect(s.since(7)?.map((f) => JSON.parse(f).seq)).toStrictEqual([8, 9, 10]);
  });

  it('replays the same frames after the fan-out let go of the frame parts (fannedOut)', () => {
    const s = session({ bufferEvents: 100, bufferBytes: 1 << 20 });
    const { ws, sent } = fakeSocket();
    s.socket = ws;
    for (let i = 1; i <= 5; i++) {
      const p = pub(i);
      s.emitPublished(p);
      fannedOut(p);
      expect([p.head, p.tail]).toStrictEqual([null, null]);
    }
    expect(s.since(0)).toStrictEqual(sent);
    s.emit('agent.state', '{"agentId":"a1"}', 1_800_000_000_000);
    expect(s.since(5)).toStrictEqual([sent[5]]);
  });

  it('keeps numbering across a dispose and a restart take-back (seq set from the client)', () => {
    const s = session({ bufferEvents: 100, bufferBytes: 1 << 20 });
    for (let i = 1; i <= 3; i++) s.emitPublished(pub(i));
    s.dispose();
    expect(s.since(1)).toBeNull();
    expect(s.bufferedBytes).toBe(0);
    const t = session({ bufferEvents: 100, bufferBytes: 1 << 20 });
    t.seq = 41; // taken back after a restart: numbering continues from the client's lastSeq
    t.emitPublished(pub(1));
    t.emitPublished(pub(2));
    expect(t.since(41)?.map((f) => JSON.parse(f).seq)).toStrictEqual([42, 43]);
    expect(t.since(40)).toBeNull();
  });
});
