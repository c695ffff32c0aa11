/**
 * A reader of the Prometheus text format (0.0.4) for tests: every sample with its labels, the
 * TYPE of every family, and lookups by name and labels. Strict: a line it cannot read fails the
 * test, so a malformed exposition is caught rather than skipped.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  helps: Map<string, string>;
  /** The samples named `name` whose labels include `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The one sample named `name` with exactly `labels` (besides none given); throws if absent. */
  value(name: string, labels?: Record<string, string>): number;
  /** A histogram's _count and _sum for `labels`. */
  histogram(name: string, labels?: Record<string, string>): { count: number; sum: number; buckets: { le: number; count: number }[] };
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;

export function parsePrometheus(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (!m) throw new Error(`unreadable comment line: ${line}`);
      (m[1] === 'TYPE' ? types : helps).set(m[2]!, m[3]!);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`unreadable sample line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < m[2].length) {
        const start = LABEL.lastIndex;
        const l = LABEL.exec(m[2]);
        if (!l || LABEL.lastIndex === start) throw new Error(`unreadable labels in: ${line}`);
        labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
    }
    // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes
    // `Nan` for an event-loop delay mean before its first sample).
    const raw = m[3]!.toLowerCase();
    const value = raw === 'nan' ? NaN : raw === '+inf' || raw === 'inf' ? Infinity : raw === '-inf' ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== 'nan') throw new Error(`unreadable value in: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  const matches = (s: Sample, labels: Record<string, string>) => Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  const exp: Exposition = {
    samples,
    types,
    helps,
    find: (name, labels = {}) => samples.filter((s) => s.name === name && matches(s, labels)),
    value(name, labels = {}) {
      const found = samples.filter((s) => s.name === name && matches(s, labels) && Object.keys(s.labels).length === Object.keys(labels).length);
      if (found.length !== 1) throw new Error(`${found.length} samples ${name}${JSON.stringify(labels)}`);
      return found[0]!.value;
    },
    histogram(name, labels = {}) {
      const buckets = exp
        .find(`${name}_bucket`, labels)
        .filter((s) => Object.keys(s.labels).length === Object.keys(labels).length + 1)
        .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), count: s.value }));
      return { count: exp.value(`${name}_count`, labels), sum: exp.value(`${name}_sum`, labels), buckets };
    },
  };
  return exp;
}
