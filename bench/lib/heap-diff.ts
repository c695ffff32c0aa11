/**
 * Compares two V8 heap snapshots by constructor: what grew between them, in bytes (self size) and
 * in count. For the fault run's memory check (`bench/lib/heap-probe.ts` writes the snapshots).
 *
 *   node --import tsx bench/lib/heap-diff.ts before.heapsnapshot after.heapsnapshot [--top 30]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

type Tally = Map<string, { count: number; bytes: number }>;

function tally(file: string): Tally {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  if (iType < 0 || iName < 0 || iSize < 0) throw new Error(`${file}: not a V8 heap snapshot (node_fields ${fields.join(',')})`);
  const out: Tally = new Map();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + iType]!]!;
    const name = s.strings[s.nodes[i + iName]!]!;
    const key = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? `(${type})` : type === 'number' ? '(heap number)' : `${type} ${name.slice(0, 60)}`;
    const t = out.get(key) ?? { count: 0, bytes: 0 };
    t.count++;
    t.bytes += s.nodes[i + iSize]!;
    out.set(key, t);
  }
  return out;
}

const [a, b] = process.argv.slice(2).filter((x) => !x.startsWith('--'));
const topAt = process.argv.indexOf('--top');
const top = topAt > 0 ? Number(process.argv[topAt + 1]) : 30;
if (!a || !b) {
  process.stderr.write('usage: node --import tsx bench/lib/heap-diff.ts before.heapsnapshot after.heapsnapshot [--top 30]\n');
  process.exit(2);
}
const before = tally(a);
const after = tally(b);
const rows = [...new Set([...before.keys(), ...after.keys()])].map((k) => {
  const x = before.get(k) ?? { count: 0, bytes: 0 };
  const y = after.get(k) ?? { count: 0, bytes: 0 };
  return { k, dCount: y.count - x.count, dBytes: y.bytes - x.bytes, count: y.count, bytes: y.bytes };
});
rows.sort((p, q) => q.dBytes - p.dBytes);
const total = (t: Tally) => [...t.values()].reduce((n, v) => n + v.bytes, 0);
process.stdout.write(`total self size: ${(total(before) / 1048576).toFixed(1)} → ${(total(after) / 1048576).toFixed(1)} MiB\n`);
process.stdout.write('Δbytes\tΔcount\tcount\tbytes\tconstructor\n');
for (const r of rows.slice(0, top)) process.stdout.write(`${r.dBytes}\t${r.dCount}\t${r.count}\t${r.bytes}\t${r.k}\n`);
