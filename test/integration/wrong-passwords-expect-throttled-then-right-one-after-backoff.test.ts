/**
 * Login throttling over real TCP: 20 wrong passwords for one username get it throttled; the right
 * password is then refused (RATE_LIMITED, close 4008 on the WebSocket; 429 with Retry-After over
 * HTTP) until the back-off ends, and accepted after. An address that sprays usernames is throttled
 * as a whole. Sessions already open are not touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WsClient, type ResponseFrame } from '../helpers/ws-client.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
let bystander: WsClient;
beforeAll(async () => {
  w = await startWorld();
  bystander = await w.login('a1010');
});
afterAll(async () => w?.close());

/** One WebSocket login attempt on a fresh socket: the answer and the close code. */
async function wsLogin(username: string, password: string): Promise<{ r: ResponseFrame; close: number | null }> {
  const c = await WsClient.open(w.daemon.wsUrl);
  const r = await c.request('auth.login', { username, password });
  const close = r.ok ? null : await c.waitClose();
  c.close();
  return { r, close };
}

const httpLogin = async (username: string, password: string) => {
  const res = await fetch(`${w.daemon.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { error?: { code: string; details?: { retryAfterS: number } } } };
};

describe('login throttling', () => {
  it('over WebSocket: 20 wrong passwords → throttled; the right one is refused until the back-off ends, then accepted', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { r, close } = await wsLogin('a1001', `guess-${i}`);
      outcomes.push(`${r.error?.code}/${close}`);
    }
    // The first failures are plain failures (4002); the 5th starts the back-off, then every
    // attempt is refused at once with 4008 and no password check.
    expect(outcomes.slice(0, 5)).toEqual(Array(5).fill('UNAUTHENTICATED/4002'));
    expect(outcomes.slice(5)).toEqual(Array(15).fill('RATE_LIMITED/4008'));

    const throttledAt = Date.now();
    const refused = await wsLogin('a1001', 'demo-a1001');
    expect(refused.r.error).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterS: expect.any(Number) } });
    expect(refused.close).toBe(4008);
    const retryAfterS = (refused.r.error as unknown as { details: { retryAfterS: number } }).details.retryAfterS;
    expect(retryAfterS).toBeGreaterThanOrEqual(1);

    // Keep trying with the right password, as a softphone would, honouring retryAfterS.
    let accepted: ResponseFrame | null = null;
    let refusals = 0;
    while (!accepted) {
      const { r } = await wsLogin('a1001', 'demo-a1001');
      if (r.ok) accepted = r;
      else {
        expect(r.error?.code).toBe('RATE_LIMITED');
        refusals++;
        await new Promise((res) => setTimeout(res, 200));
      }
      expect(Date.now() - throttledAt).toBeLessThan(retryAfterS * 1000 + 3000);
    }
    expect(refusals).toBeGreaterThan(0);
    expect(Date.now() - throttledAt).toBeGreaterThanOrEqual(retryAfterS * 1000 - 1000);
    expect(accepted.data.user.username).toBe('a1001');
  });

  it('over HTTP: 429 RATE_LIMITED with a Retry-After header, for the right password too', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await httpLogin('a1002', `guess-${i}`)).status);
    expect(statuses.slice(0, 5)).toEqual(Array(5).fill(401));
    expect(statuses.slice(5)).toEqual(Array(15).fill(429));
    const right = await httpLogin('a1002', 'demo-a1002');
    expect(right.status).toBe(429);
    expect(right.body.error?.code).toBe('RATE_LIMITED');
    expect(Number(right.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(right.body.error?.details?.retryAfterS).toBe(Number(right.retryAfter));
    // A user without failures is not held up by another user's throttle.
    expect((await httpLogin('a1003', 'demo-a1003')).status).toBe(200);
  });

  it('an address spraying usernames is throttled as a whole (the last test here: it throttles 127.0.0.1)', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 95; i++) codes.push((await httpLogin(`nobody-${i}`, 'x')).status);
    // The two tests above left 10 failures on this address; its 100th starts the back-off.
    expect(codes.slice(0, 90)).toEqual(Array(90).fill(401));
    expect(codes.slice(90)).toEqual(Array(5).fill(429));
    // Now even a user with no failures is refused from this address…
    expect((await httpLogin('a1004', 'demo-a1004')).status).toBe(429);
    // …and a session already open goes on being served.
    expect((await bystander.call('session.ping')).now).toBeTruthy();
  });
});
