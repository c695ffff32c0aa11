/**
 * The webhook notifier (services/webhook-notifier.ts) against real local HTTP servers (node:http,
 * port 0) and a real database outbox: a receiver that fails twice then answers 200 gets the event
 * on the 3rd attempt; a receiver that never answers gets at most `maxAttempts` attempts, each cut
 * at the timeout, and the row is marked failed with a warning naming it; a delivery left pending
 * by a stopped notifier is resumed by a new one over the same database.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { safeTimers } from '../../src/services/ports.ts';
import { VoicemailService } from '../../src/services/voicemail-service.ts';
import { WebhookNotifier, type WebhookNotifierOptions } from '../../src/services/webhook-notifier.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';
import { eventually } from '../helpers/world.ts';

interface Received {
  body: any;
  headers: IncomingMessage['headers'];
}

let t: TempDatabase;
const servers: Server[] = [];
const notifiers: WebhookNotifier[] = [];
beforeAll(() => {
  t = openTempDatabase();
});
afterEach(async () => {
  for (const n of notifiers.splice(0)) await n.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});
afterAll(() => t.dispose());

/** A receiver answering each request with `answer(n)` (n from 1), or never when it returns null. */
async function receiver(answer: (n: number) => number | null): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      got.push({ body: JSON.parse(data), headers: req.headers });
      const status = answer(got.length);
      if (status !== null) res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}

const lines: any[] = [];
const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });

function notifier(urls: string[], o: Partial<WebhookNotifierOptions> = {}): WebhookNotifier {
  const n = new WebhookNotifier({ outbox: t.repos.webhookDeliveries, urls, retryDelaysMs: [20, 40, 80, 160], jitter: 0, clock: { now: () => Date.now() }, timers: safeTimers(log), log, ...o });
  notifiers.push(n);
  return n;
}

const voicemail = { callId: 'call-1', caller: '13800000002', mailbox: '8120', flow: 'voicemail', recordedAt: Date.parse('2026-12-01T10:00:00Z'), durationMs: 12_500, path: '/data/voicemail/call-1.wav', bytes: 200_044 };

it('a receiver that fails twice then answers 200 gets the voicemail on the 3rd attempt', async () => {
  const r = await receiver((n) => (n <= 2 ? 500 : 200));
  const n = notifier([r.url]);
  const service = new VoicemailService({ voicemails: t.repos.voicemails, notifier: n, transaction: (fn) => t.repos.transaction(fn) });
  const row = service.store(voicemail);
  const [delivery] = t.repos.webhookDeliveries.pending();
  expect(delivery).toMatchObject({ event: 'voicemail.created', url: r.url, status: 'pending', attempts: 0 });

  await eventually(() => t.repos.webhookDeliveries.get(delivery!.id)?.status === 'delivered');
  expect(t.repos.webhookDeliveries.get(delivery!.id)).toMatchObject({ attempts: 3, lastError: null });
  expect(r.got).toHaveLength(3);
  const first = r.got[0]!;
  expect(first.headers).toMatchObject({ 'content-type': 'application/json', 'x-switchboard-event': 'voicemail.created', 'x-switchboard-delivery': String(delivery!.id) });
  expect(first.body).toEqual({
    event: 'voicemail.created',
    at: expect.any(String),
    data: { id: row.id, callId: 'call-1', caller: '13800000002', mailbox: '8120', flow: 'voicemail', recordedAt: '2026-12-01T10:00:00.000Z', durationMs: 12_500, path: '/data/voicemail/call-1.wav', bytes: 200_044 },
  });
  // Every attempt carries the same body.
  expect(r.got[2]!.body).toEqual(first.body);
});

it('a receiver that never answers: each attempt cut at the timeout, given up at the max, row failed, warning names it', async () => {
  const r = await receiver(() => null);
  const n = notifier([r.url], { maxAttempts: 3, timeoutMs: 150 });
  const [id] = n.enqueue('voicemail.created', { id: 99 });
  await eventually(() => t.repos.webhookDeliveries.get(id!)?.status === 'failed', 8000);
  expect(t.repos.webhookDeliveries.get(id!)).toMatchObject({ attempts: 3, lastError: 'no answer within 150 ms' });
  expect(r.got).toHaveLength(3);
  expect(lines.find((l) => l.msg === 'webhook delivery given up' && l.deliveryId === id)).toMatchObject({ level: 40, attempts: 3 });
  // Nothing more is attempted.
  await new Promise((res) => setTimeout(res, 300));
  expect(r.got).toHaveLength(3);
  expect(n.busy()).toBe(0);
});

it('a delivery pending when its notifier stops is resumed by the next one (same database), once delivered never again', async () => {
  let up = false;
  const r = await receiver(() => (up ? 200 : 503));
  const first = notifier([r.url], { retryDelaysMs: [60_000] });
  const [id] = first.enqueue('voicemail.created', { id: 7 });
  await eventually(() => t.repos.webhookDeliveries.get(id!)?.attempts === 1);
  expect(t.repos.webhookDeliveries.get(id!)).toMatchObject({ status: 'pending', lastError: 'HTTP 503' });
  await first.close();

  // The next start, a minute later.
  up = true;
  const second = notifier([r.url], { clock: { now: () => Date.now() + 60_000 } });
  expect(second.start()).toBeGreaterThanOrEqual(1);
  await eventually(() => t.repos.webhookDeliveries.get(id!)?.status === 'delivered');
  expect(t.repos.webhookDeliveries.get(id!)).toMatchObject({ attempts: 2 });
  expect(r.got.map((g) => g.headers['x-switchboard-delivery'])).toEqual([String(id), String(id)]);
  const third = notifier([r.url]);
  expect(third.start()).toBe(0);
});

it('backoff: 1 s, 2 s, 4 s, 8 s by default, within ±20 % jitter', () => {
  const lo = new WebhookNotifier({ outbox: t.repos.webhookDeliveries, urls: [], clock: { now: () => 0 }, timers: safeTimers(log), log, random: () => 0 });
  const hi = new WebhookNotifier({ outbox: t.repos.webhookDeliveries, urls: [], clock: { now: () => 0 }, timers: safeTimers(log), log, random: () => 1 });
  expect([1, 2, 3, 4].map((f) => lo.delayAfter(f))).toEqual([800, 1600, 3200, 6400]);
  expect([1, 2, 3, 4].map((f) => hi.delayAfter(f))).toEqual([1200, 2400, 4800, 9600]);
});
