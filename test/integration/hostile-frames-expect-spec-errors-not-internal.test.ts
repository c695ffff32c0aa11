/**
 * Hostile input over the WebSocket that used to get no answer or INTERNAL: op names that are
 * properties of Object.prototype, call data nested a million levels deep, big frames before
 * login, and an anonymous client streaming megabytes. Each gets its error code of the spec and the
 * daemon goes on serving.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DATA_DEPTH, PRE_AUTH_MAX_FRAME_BYTES } from '../../src/gateway/protocol.ts';
import { WsClient } from '../helpers/ws-client.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
let observer: WsClient;
beforeAll(async () => {
  w = await startWorld();
  observer = await w.login('sup1');
});
afterAll(async () => w?.close());
afterEach(async () => {
  expect((await observer.call('session.ping')).now).toBeTruthy();
  expect((await w.http('GET', '/health')).body).toMatchObject({ status: 'ok' });
});

describe('hostile frames', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'])('op %s: UNKNOWN_OP, the session stays open', async (op) => {
    const c = await w.login('a1001');
    const r = await c.request(op, {});
    expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OP' } });
    expect((await c.call('session.ping')).now).toBeTruthy();
    c.close();
  });

  it('a __proto__ key in data is a schema violation, not a prototype change', async () => {
    const c = await w.login('a1002');
    c.sendRaw('{"id":1,"op":"agent.setState","data":{"__proto__":{"state":"ready"}}}');
    const r = await c.request('agent.getState');
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).state).toBeUndefined();
    c.close();
  });

  it(`call data nested deeper than ${MAX_DATA_DEPTH} levels: BAD_REQUEST (a million levels too), not INTERNAL`, async () => {
    const c = await w.login('a1003');
    const deep = (n: number) => `{"id":"d${n}","op":"call.setData","data":{"callId":"c1","data":${'['.repeat(n)}${']'.repeat(n)}}}`;
    for (const n of [MAX_DATA_DEPTH + 1, 10_000, 1_000_000]) {
      const answer = new Promise((resolve) => c.ws.once('message', (m) => resolve(JSON.parse(m.toString()))));
      c.sendRaw(deep(n));
      expect(await answer).toMatchObject({ id: `d${n}`, ok: false, error: { code: 'BAD_REQUEST' } });
    }
    const make = await c.request('call.make', { to: '2004', callData: JSON.parse(`{"a":${'['.repeat(200)}${']'.repeat(200)}}`) });
    expect(make.error?.code).toBe('BAD_REQUEST');
    c.close();
  });

  it(`before login a frame over ${PRE_AUTH_MAX_FRAME_BYTES / 1024} KiB: TOO_LARGE, close 4004`, async () => {
    const c = await WsClient.open(w.daemon.wsUrl);
    c.sendRaw(JSON.stringify({ id: 1, op: 'auth.login', data: { username: 'a1004', password: 'p'.repeat(100 * 1024) } }));
    expect(await c.waitClose()).toBe(4004);
    expect(c.events.find((e) => e.event === 'error')?.data.code).toBe('TOO_LARGE');
  });

  it('before login a 10 MiB frame is cut off at 128 KiB of stream, not buffered whole', async () => {
    const c = await WsClient.open(w.daemon.wsUrl);
    const t0 = Date.now();
    c.sendRaw(Buffer.alloc(10 * 1024 * 1024, 0x20));
    expect(await c.waitClose(5000)).toBe(4004);
    expect(c.events.find((e) => e.event === 'error')?.data.code).toBe('TOO_LARGE');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('after login the limit is 2 MiB: a 1 MiB frame is fine', async () => {
    const c = await w.login('a1005');
    const r = await c.request('call.setData', { callId: 'no-such-call', data: 'x'.repeat(1024 * 1024 - 100) });
    // Answered by the op (the agent is not signed in), not refused as a frame.
    expect(r.error?.code).toBe('INVALID_STATE');
    expect(c.closeCode).toBeNull();
    c.close();
  });
});
