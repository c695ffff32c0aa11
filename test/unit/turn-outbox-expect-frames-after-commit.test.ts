/** TurnOutbox (gateway/turn-outbox.ts) with real Sessions on fake sockets: frames wait for the
 * turn's commit; an answer commits, lets its own session's frames go, then goes. */
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
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

  it('a turn\'s frames to one real socket leave in one write, in order (the socket corked around them)', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    const serverSide = new Promise<WebSocket>((r) => wss.once('connection', r));
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    const got: string[] = [];
    let gotFour: () => void = () => undefined;
    const four = new Promise<void>((r) => (gotFour = r));
    client.on('message', (d) => {
      got.push(JSON.parse(String(d)).event);
      if (got.length === 4) gotFour();
    });
    try {
      await new Promise((r) => client.once('open', r));
      const ws = await serverSide;
      // Writes reaching the TCP socket under the server's WebSocket: _write is one chunk, _writev several.
      const raw = (ws as unknown as { _socket: { _write: (...a: unknown[]) => unknown; _writev: (c: unknown[], cb: unknown) => unknown } })._socket;
      const writes: number[] = [];
      const [w1, wv] = [raw._write, raw._writev];
      raw._write = function (this: unknown, ...a: unknown[]) {
        writes.push(1);
        return w1.apply(this, a);
      };
      raw._writev = function (this: unknown, chunks: unknown[], cb: unknown) {
        writes.push(chunks.length);
        return wv.call(this, chunks, cb);
      };
      const t = setup();
      const a = new Session({ id: 1, username: 'a', displayName: 'a', roles: ['agent'] }, Infinity, { bufferEvents: 100, bufferBytes: 1e6 }, { outbox: t.outbox });
      a.socket = ws;
      a.emit('agent.state', '{}', 0);
      a.emit('call.offered', '{}', 0);
      a.emit('call.established', '{}', 0);
      t.endTurn();
      // Three frames, each a header and a payload: one write of six chunks.
      expect(writes).toEqual([6]);
      a.emit('call.cleared', '{}', 0);
      t.endTurn();
      expect(writes).toEqual([6, 2]);
      await four;
      expect(got).toEqual(['agent.state', 'call.offered', 'call.established', 'call.cleared']);
    } finally {
      client.terminate();
      await new Promise((r) => wss.close(r));
    }
  });
});
