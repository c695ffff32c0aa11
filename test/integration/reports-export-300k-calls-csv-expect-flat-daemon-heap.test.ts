/**
 * The call detail export streams: 300,000 calls (~45 MB of CSV) seeded into a real daemon's
 * database, downloaded over HTTP as a stream that is counted, never kept, while this process's heap
 * (the daemon of startWorld runs in it) is sampled. The heap stays flat (it grows by less than half
 * the body, and by less than 25 MB), every row arrives, and the event loop keeps turning between
 * slices. The million-call run is bench/report-export.ts (docs/performance.md, "Report exports"):
 * seeding it alone takes ~30 s on the 2-core CI machine.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { downloadMeasured, seedCalls } from '../helpers/report-export-seed.ts';
import { startWorld, type World } from '../helpers/world.ts';

const ROWS = 300_000;
const FROM = Date.parse('2026-03-01T00:00:00Z');
const SPAN = 200 * 86_400_000;
const MB = 1e6;

let w: World;
let token: string;

beforeAll(async () => {
  w = await startWorld();
  seedCalls(w.daemon.storage.sqlite, { rows: ROWS, from: FROM, spanMs: SPAN });
  const res = await fetch(`${w.daemon.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'sup1', password: 'demo-sup1' }) });
  token = ((await res.json()) as { token: string }).token;
}, 120_000);
afterAll(async () => w?.close());

it('300,000 calls as CSV over HTTP: every row, the daemon\'s heap flat while ~45 MB streams by', async () => {
  const timers: number[] = [];
  const tick = setInterval(() => timers.push(Date.now()), 50);
  const f = await downloadMeasured(`${w.daemon.url}/api/v1/reports/calls?from=${FROM}&to=${FROM + SPAN}&format=csv`, token);
  clearInterval(tick);
  expect(f.status).toBe(200);
  expect(f.lines).toBe(ROWS + 1);
  expect(f.bytes).toBeGreaterThan(40 * MB);
  const growth = f.heapMax - f.heapStart;
  expect(growth).toBeLessThan(Math.min(25 * MB, f.bytes / 2));
  // A timer of 50 ms fired all along the download: the export yields between slices.
  expect(timers.length).toBeGreaterThan((f.seconds * 1000) / 50 / 3);
  console.info(`export ${ROWS} rows, ${(f.bytes / MB).toFixed(1)} MB in ${f.seconds.toFixed(1)} s; heap +${(growth / MB).toFixed(1)} MB; longest loop stall ${f.loopDelayMaxMs.toFixed(0)} ms`);
}, 120_000);
