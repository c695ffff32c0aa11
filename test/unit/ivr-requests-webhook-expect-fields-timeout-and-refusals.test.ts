/**
 * The IVR's webhook requests (src/ivr/runtime/requests.ts) against real HTTP servers on port 0: a
 * JSON object's scalar fields come back as the node's variables (with the status); a non-2xx
 * answer, a timeout, a redirect, a non-JSON object answer and a non-http URL fail (the node's
 * onError); the body posted is the node's rendered body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PbxPort } from '../../src/core/pbx-port.ts';
import { IvrRequests } from '../../src/ivr/runtime/requests.ts';

let server: Server;
let base: string;
const posted: unknown[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/ok') {
        posted.push({ type: req.headers['content-type'], body: JSON.parse(body) });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ticket: 'T-42', priority: 3, vip: true, nested: { no: 1 }, none: null }));
      } else if (req.url === '/fail') res.writeHead(503).end('busy');
      else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('{}'), 2000);
      else if (req.url === '/redirect') res.writeHead(302, { location: '/ok' }).end();
      else if (req.url === '/broken') res.writeHead(200).end('{not json');
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const requests = new IvrRequests({
  pbx: {} as PbxPort,
  customerByPhone: () => null,
  query: () => null,
  hoursOpen: () => true,
  storeVoicemail: () => undefined,
  clock: { now: () => Date.now() },
  log: pino({ level: 'silent' }),
});
const ctx = { callId: 'c1', caller: '13800000002', flow: 'main', conn: { callId: '1', deviceId: '8100' } };
const hook = (path: string, timeoutMs = 1000) => requests.run({ kind: 'webhook', url: `${base}${path}`, body: { caller: '13800000002', order: 'A-1' }, timeoutMs }, ctx);

it('a JSON object answer: its scalar fields and the status; the body is posted as JSON', async () => {
  expect(await hook('/ok')).toEqual({ status: 200, ticket: 'T-42', priority: 3, vip: true, none: null });
  expect(posted).toEqual([{ type: 'application/json', body: { caller: '13800000002', order: 'A-1' } }]);
});

it('an answer with no body is a success with the status only', async () => {
  expect(await hook('/empty')).toEqual({ status: 204 });
});

it('a non-2xx answer, a timeout, a redirect, a broken JSON object and a non-http URL fail', async () => {
  await expect(hook('/fail')).rejects.toThrow(/answered 503/);
  const t0 = Date.now();
  await expect(hook('/slow', 200)).rejects.toThrow();
  expect(Date.now() - t0).toBeLessThan(1500);
  await expect(hook('/redirect')).rejects.toThrow();
  await expect(hook('/broken')).rejects.toThrow(/not valid JSON/);
  await expect(requests.run({ kind: 'webhook', url: 'file:///etc/passwd', body: {}, timeoutMs: 100 }, ctx)).rejects.toThrow(/must be http/);
});
