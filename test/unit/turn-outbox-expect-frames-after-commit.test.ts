/** TurnOutbox (gateway/turn-outbox.ts) with real Sessions on fake sockets: frames wait for the
 * turn's commit; an answer commits, lets its own session's frames go, then goes. */
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { Session } from '../../src/gateway/session.ts';
import { TurnOutbox } from '../../src/gateway/turn-outbox.ts';

function fakeSocket(log: string[], name: string): WebSocket {
  return { OPEN: 1, readyState: 1, bufferedAmount: 0, send: (f: string) => void log.push(`${name} ${JSON.parse(f).event ?? 'answer'}`) } as unknown as WebSocket;
}

function setup() {
  const log: string[] = [];
  const deferred: (() => void)[] = [];
  const outbox = new TurnOutbox({ barrier: () => void log.push('commit'), defer: (fn) => void deferred.push(fn) });
  const make = (name: string) => {
    const s = new Session({ id: 1, username: name, displayName: name, roles: ['agent'] }, Infinity, { bufferEvents: 100, bufferBytes: 1e6 }, { outbox });
    s.socket = fakeSocket(log, name);
    return s;
  };
  return { log, deferred, outbox, make, endTurn: () => deferred.splice(0).forEach((fn) => fn()) };
}

describe('TurnOutbox', () => {
  it('holds every frame of a turn and sends them after one commit, once per turn', () => {
    const t = setup();
    const a = t.make('a');
    const b = t.make('b');
    a.emit('call.offered', '{}', 0);
    b.emit('agent.state', '{}', 0);
    a.emit('agent.state', '{}', 0);
    expect(t.log).toEqual([]);
    expect(t.deferred).toHaveLength(1);
    t.endTurn();
    expect(t.log).toEqual(['commit', 'a call.offered', 'a agent.state', 'b agent.state']);
    t.endTurn();
    expect(t.log).toHaveLength(4);
  });

  it('an answer commits, then its session’s held frames, then itself; other sessions wait for the turn', () => {
    const t = setup();
    const a = t.make('a');
    const b = t.make('b');
    a.emit('agent.state', '{}', 0);
    b.emit('agent.state', '{}', 0);
    a.respond(1, {});
    expect(t.log).toEqual(['commit', 'a agent.state', 'a answer']);
    t.endTurn();
    expect(t.log).toEqual(['commit', 'a agent.state', 'a answer', 'commit', 'b agent.state']);
  });

  it('frames held for a socket that was replaced are not sent on the new one (a resume replays them)', () => {
    const t = setup();
    const a = t.make('a');
    a.emit('call.offered', '{}', 0);
    a.socket = fakeSocket(t.log, 'a2');
    t.endTurn();
    expect(t.log).toEqual(['commit']);
    expect(a.since(0)!.map((f) => JSON.parse(f).event)).toEqual(['call.offered']);
  });
});
