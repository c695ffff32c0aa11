// A crowd of softphones logging in at once, on its own thread: the clients' own work (200
// WebSocket handshakes, JSON) must not run on the event loop of the daemon under test, as it would
// not in a real centre, where the softphones are other machines. For the same reason the thread
// lowers its CPU priority (per thread on Linux): on a two-core test box it would otherwise take
// the daemon's CPU, which the softphones of a real centre cannot. Plain JavaScript: worker threads
// do not get vitest's TypeScript transform.
// Input (workerData): {url, usernames, password}. Posts {ready: true} once loaded and waits for a
// message to start. Each client logs in; on RATE_LIMITED it waits `retryAfterS` and tries again.
// Output (message): {ok, refused, errors, ms}.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

try {
  setPriority(19);
} catch {
  // not permitted here: the measurement is then only harder on the daemon
}

const { url, usernames, password } = workerData;

function attempt(username) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, op: 'auth.login', data: { username, password } })));
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      if (msg.id !== 1) return;
      ws.close();
      resolve(msg);
    });
    ws.on('error', (err) => resolve({ ok: false, error: { code: 'SOCKET', message: err.message } }));
    // Closed by the daemon before it answered (resolving twice is harmless: the first one counts).
    ws.on('close', (code) => resolve({ ok: false, error: { code: 'CLOSED', message: `closed ${code} before the answer` } }));
  });
}

async function login(username, stats) {
  for (;;) {
    const r = await attempt(username);
    if (r.ok) return void stats.ok++;
    if (r.error?.code !== 'RATE_LIMITED') return void stats.errors.push(`${username}: ${r.error?.code} ${r.error?.message}`);
    stats.refused++;
    await new Promise((res) => setTimeout(res, (r.error.details?.retryAfterS ?? 1) * 1000));
  }
}

// Started ahead of the flood (a thread's start-up is the harness's cost, not the flood's): say so,
// then wait for the word.
parentPort.postMessage({ ready: true });
await new Promise((resolve) => parentPort.once('message', resolve));
const stats = { ok: 0, refused: 0, errors: [] };
const t0 = performance.now();
await Promise.all(usernames.map((u) => login(u, stats)));
parentPort.postMessage({ ...stats, ms: performance.now() - t0 });
