import { describe, expect, it } from 'vitest';
import { Hub } from '../../src/gateway/hub.ts';
import { Session, type Published } from '../../src/gateway/session.ts';

const clock = { now: () => Date.UTC(2026, 10, 29) };
const limits = { bufferEvents: 100, bufferBytes: 1e6 };
const session = (username: string) => new Session({ id: 1, username, displayName: username, roles: ['agent'] }, Infinity, limits);
const tick = () => new Promise((r) => setImmediate(r));

describe('Hub.publish', () => {
  it('a background fan-out to many sessions is sent in slices across turns; every session gets it once, in seq order with later events', async () => {
    const hub = new Hub(clock);
    const sessions = Array.from({ length: 200 }, (_, i) => session(`u${i}`));
    for (const s of sessions) hub.add(s);
    hub.publish('queue.stats', { id: 'sales', waiting: 3 }, { all: true, background: true });
    const sent = () => sessions.filter((s) => s.seq > 0).length;
    expect(sent()).toBe(64); // the first slice at once
    // A call event published meanwhile to a session still waiting for its slice goes first.
    hub.publish('call.offered', { callId: 'c1' }, { users: ['u199'] });
    for (let i = 0; i < 5 && sent() < 200; i++) await tick();
    expect(sent()).toBe(200);
    expect(sessions.every((s) => s.seq >= 1)).toBe(true);
    const last = sessions[199]!.since(0)!;
    expect(last.map((f) => JSON.parse(f).event)).toEqual(['call.offered', 'queue.stats']);
    expect(last.map((f) => JSON.parse(f).seq)).toEqual([1, 2]);
    expect(sessions[0]!.since(0)!.map((f) => JSON.parse(f).event)).toEqual(['queue.stats']);
  });

  it('lets go of the frame parts once an event has gone to its audience: a resume buffer keeps only the data', () => {
    const hub = new Hub(clock);
    const seen: Published[] = [];
    const a = session('a');
    const b = session('b');
    for (const s of [a, b]) {
      const emit = s.emitPublished.bind(s);
      s.emitPublished = (p: Published) => {
        emit(p);
        // Made once for the first session, shared by the second.
        expect(p.head).not.toBeNull();
        seen.push(p);
      };
      hub.add(s);
    }
    hub.publish('agent.state', { agentId: 'a' }, { users: ['a', 'b'] });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
    expect([seen[0]!.head, seen[0]!.tail]).toStrictEqual([null, null]);
    expect(JSON.parse(b.since(0)![0]!)).toMatchObject({ event: 'agent.state', seq: 1, data: { agentId: 'a' } });
  });

  it('call events, and small background fan-outs, are sent at once', () => {
    const hub = new Hub(clock);
    const sessions = Array.from({ length: 10 }, (_, i) => session(`u${i}`));
    for (const s of sessions) hub.add(s);
    hub.publish('queue.stats', { id: 'sales' }, { all: true, background: true });
    hub.publish('call.offered', { callId: 'c1' }, { all: true });
    expect(sessions.every((s) => s.seq === 2)).toBe(true);
  });

  it('queue.stats skip a session that turned them off (queue.statsEvents), as member or subscriber; other events still reach it', () => {
    const hub = new Hub(clock);
    const [a, b, sup] = [session('a'), session('b'), session('sup')];
    for (const s of [a, b, sup]) hub.add(s);
    hub.subscribers.add(sup);
    a.queueStats = false;
    sup.queueStats = false;
    hub.publish('queue.stats', { id: 'sales' }, { users: ['a', 'b'], subscribers: true, background: true });
    expect([a.seq, b.seq, sup.seq]).toEqual([0, 1, 0]);
    hub.publish('agent.state', { agentId: 'a' }, { users: ['a'], subscribers: true });
    expect([a.seq, b.seq, sup.seq]).toEqual([1, 1, 1]);
    a.queueStats = true;
    hub.publish('queue.stats', { id: 'sales' }, { users: ['a', 'b'], subscribers: true, background: true });
    expect([a.seq, b.seq, sup.seq]).toEqual([2, 2, 1]);
  });
});
