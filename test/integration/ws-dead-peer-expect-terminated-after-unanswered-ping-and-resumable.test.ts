/**
 * A softphone whose network or power went without a close (no FIN, no close frame) is a socket
 * that still looks open. With WS_PING_S the daemon pings every socket; one that did not answer the
 * previous ping is terminated, and its session waits for session.resume like any other dropped
 * socket. A client that answers pings (every browser and ws client does) stays connected.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WsClient } from '../helpers/ws-client.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
const logged: Record<string, unknown>[] = [];
beforeAll(async () => {
  w = await startWorld({ config: { wsPingS: 1 }, daemonLog: (e) => logged.push(e) });
});
afterAll(async () => w?.close());

/** A client that never answers pings: a peer gone silent. Logs in and resolves with its session. */
function silentPeer(url: string, username: string): Promise<{ ws: WebSocket; session: { sessionToken: string }; lastSeq: number; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { autoPong: false });
    let lastSeq = 0;
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      if (msg.seq) lastSeq = msg.seq;
      if (msg.id === 1) {
        if (!msg.ok) reject(new Error(JSON.stringify(msg.error)));
        else resolve({ ws, session: msg.data, get lastSeq() { return lastSeq; }, closed } as never);
      }
    });
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, op: 'auth.login', data: { username, password: `demo-${username}` } })));
    ws.once('error', reject);
  });
}

it('terminates a socket that does not answer a ping; keeps one that does; the dropped session resumes', async () => {
  const live = await w.login('a1002');
  const silent = await silentPeer(w.daemon.wsUrl, 'a1001');
  const t0 = Date.now();
  // Terminated (1006: no close frame) after one unanswered ping, within two intervals or so.
  expect(await silent.closed).toBe(1006);
  const tookMs = Date.now() - t0;
  expect(tookMs).toBeGreaterThanOrEqual(900);
  expect(tookMs).toBeLessThan(5000);
  expect(logged.some((e) => typeof e.msg === 'string' && e.msg.includes('did not answer a ping'))).toBe(true);
  // The live client, pinged as often, is still there and served.
  expect(live.ws.readyState).toBe(WebSocket.OPEN);
  expect((await live.call('agent.getState')).agentId).toBe('a1002');

  // The silent peer's session was detached, not ended: it resumes where it was.
  const back = await WsClient.open(w.daemon.wsUrl);
  const r = await back.request('session.resume', { sessionToken: silent.session.sessionToken, lastSeq: silent.lastSeq });
  expect(r.ok).toBe(true);
  expect(r.data.replayed).toBeGreaterThanOrEqual(0);
  expect((await back.call('agent.getState')).agentId).toBe('a1001');
  back.close();
});
