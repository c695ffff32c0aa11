/**
 * Summarises a V8 `.cpuprofile` (as written by `node --cpu-prof`, e.g. `npm run bench:e2e --
 * --cpu-prof DIR`): where the CPU time went, by function (self and inclusive) and by area
 * (SQLite, WebSocket, XML, logging, GC, …), optionally only between two instants so that start-up
 * and log-in are left out. The e2e bench prints the steady window as `window.startUs/endUs` in its
 * `--json` output; V8's profile clock and `process.hrtime` are both the monotonic clock.
 *
 *   npx tsx bench/profile-summary.ts FILE.cpuprofile [--from-us N --to-us N] [--top 30]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Areas, first match wins, tested on the frames of a stack from the leaf up. */
const AREAS: [string, (f: CallFrame) => boolean][] = [
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['idle', (f) => f.functionName === '(idle)'],
  ['SQLite (better-sqlite3 + drizzle)', (f) => /better-sqlite3|drizzle-orm/.test(f.url)],
  ['logging (pino)', (f) => /node_modules\/pino/.test(f.url)],
  ['XML (the CSTA XML reader; fast-xml-parser before 2026-12-03)', (f) => /fast-xml-parser|strnum|xml-reader\.ts/.test(f.url)],
  ['WebSocket (ws)', (f) => /node_modules\/ws\//.test(f.url)],
  ['ajv', (f) => /node_modules\/ajv/.test(f.url)],
  ['fastify', (f) => /node_modules\/(fastify|avvio|find-my-way|light-my-request)/.test(f.url)],
  ['tsx / esbuild', (f) => /node_modules\/(tsx|esbuild)/.test(f.url)],
];

function short(f: CallFrame): string {
  const url = f.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '~/').replace(/^.*\/(src|bench|test)\//, '$1/');
  return `${f.functionName || '(anonymous)'} ${url ? `${url}:${f.lineNumber + 1}` : ''}`.trim();
}

function main(): void {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { 'from-us': { type: 'string' }, 'to-us': { type: 'string' }, top: { type: 'string', default: '30' } },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: profile-summary FILE.cpuprofile [--from-us N --to-us N] [--top N]');
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const from = values['from-us'] ? Number(values['from-us']) : -Infinity;
  const to = values['to-us'] ? Number(values['to-us']) : Infinity;
  const top = Number(values.top);

  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  let t = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i] ?? 0;
    // A sample's weight is the time until the next sample.
    const dt = prof.timeDeltas[i + 1] ?? 0;
    if (t < from || t > to) continue;
    total += dt;
    let id: number | undefined = prof.samples[i]!;
    const leaf = byId.get(id)!;
    self.set(short(leaf.callFrame), (self.get(short(leaf.callFrame)) ?? 0) + dt);
    const seen = new Set<string>();
    let area: string | null = null;
    while (id !== undefined) {
      const f = byId.get(id)!.callFrame;
      const name = short(f);
      if (!seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
      }
      if (area === null) for (const [a, test] of AREAS) if (test(f)) area = a;
      id = parent.get(id);
    }
    if (area === null) area = leaf.callFrame.url.includes('/src/') ? 'daemon code (src/)' : leaf.callFrame.url.startsWith('node:') || leaf.callFrame.url === '' ? 'node internals / native' : 'other';
    areas.set(area, (areas.get(area) ?? 0) + dt);
  }

  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms`;
  const busy = total - (areas.get('idle') ?? 0);
  const out: string[] = [`profile ${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s not idle (${((100 * busy) / total).toFixed(1)} %)`, '', 'by area:'];
  for (const [a, us] of [...areas.entries()].sort((x, y) => y[1] - x[1])) out.push(`  ${pct(us)}  ${a}`);
  out.push('', `self time, top ${top}:`);
  for (const [n, us] of [...self.entries()].sort((x, y) => y[1] - x[1]).slice(0, top)) out.push(`  ${pct(us)}  ${n}`);
  out.push('', `inclusive time, top ${top}:`);
  for (const [n, us] of [...inclusive.entries()].sort((x, y) => y[1] - x[1]).slice(0, top)) out.push(`  ${pct(us)}  ${n}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
