/**
 * Supervisors of bench:softphones, on a thread of their own: their sockets are not read by the
 * thread that also reads 10,000 softphones' sockets, so the time an `agent.state` reaches them is
 * the daemon's, not the bench's. Each event is stamped with process.hrtime.bigint() (one clock
 * for every thread of the process) when it is read, and posted to the main thread.
 *
 * Plain JavaScript: a worker thread does not get tsx's loader. A few lines of client, as
 * bench/lib/light-client.ts does it.
 *
 * workerData: {wsUrl, tokens}. Posts {type: 'ready'} once all are subscribed, then
 * {type: 'state', agentId, state, at} per agent.state (at: hrtime ns, as a string).
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { wsUrl, tokens } = workerData;
const sockets = [];

function open() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends a request on `ws` and resolves with its answer's data (rejects on an error answer). */
function call(ws, pending, id, op, data) {
  return new Promise((resolve, reject) => {
    pending.set(id, (msg) => (msg.ok ? resolve(msg.data) : reject(new Error(`${op} failed: ${msg.error?.code}`))));
    ws.send(JSON.stringify({ id, op, data }));
  });
}

for (const token of tokens) {
  const ws = await open();
  sockets.push(ws);
  const pending = new Map();
  ws.on('message', (raw) => {
    const at = process.hrtime.bigint();
    const msg = JSON.parse(raw.toString());
    if (msg.event === 'agent.state') parentPort.postMessage({ type: 'state', agentId: msg.data.agentId, state: msg.data.state, at: String(at) });
    else if (msg.event === undefined && pending.has(msg.id)) {
      const done = pending.get(msg.id);
      pending.delete(msg.id);
      done(msg);
    }
  });
  await call(ws, pending, 1, 'auth.login', { token });
  await call(ws, pending, 2, 'supervisor.subscribe', {});
}
parentPort.postMessage({ type: 'ready' });
parentPort.on('message', (m) => {
  if (m.type !== 'close') return;
  for (const ws of sockets) ws.close();
  parentPort.close();
});
