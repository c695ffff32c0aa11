/**
 * The metrics' documentation and dashboard stay true to the code: every switchboard_ metric the
 * daemon registers has its row in docs/metrics.md and a panel in docs/grafana/switchboard.json,
 * and neither names a metric (or a histogram series) that does not exist.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonMetrics } from '../../src/metrics/index.ts';

const metrics = new DaemonMetrics({ defaultMetrics: true, transport: 'annex-g' });
afterAll(() => metrics.close());

const families = new Map(metrics.exposed().getMetricsAsArray().map((m) => [m.name, (m as unknown as { type: string }).type] as const));
const ours = [...families.keys()].filter((n) => n.startsWith('switchboard_')).sort();

/** The family a series name belongs to (a histogram's _bucket, _sum, _count), or null. */
function familyOf(series: string): string | null {
  if (families.has(series)) return series;
  const m = /^(.*)_(bucket|sum|count)$/.exec(series);
  return m && families.get(m[1]!) === 'histogram' ? m[1]! : null;
}

describe('docs/metrics.md', () => {
  const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  const rows = new Map<string, string>();
  for (const line of doc.split('\n')) {
    const m = /^\| `(switchboard_[a-z0-9_]+)` \| (\w+) \|/.exec(line);
    if (m) rows.set(m[1]!, m[2]!);
  }

  it('has a row for every switchboard_ metric, with its type', () => {
    expect(ours.length).toBeGreaterThanOrEqual(20);
    for (const name of ours) expect(rows.get(name), name).toBe(families.get(name));
  });

  it('names no metric the daemon does not have', () => {
    for (const name of rows.keys()) expect(families.has(name), name).toBe(true);
    const mentioned = new Set(doc.match(/\b(?:switchboard|nodejs|process)_[a-z0-9_]+/g) ?? []);
    for (const series of mentioned) {
      if (series.endsWith('_')) continue; // a pattern such as nodejs_eventloop_lag_{min,max}_seconds
      expect(familyOf(series), series).not.toBeNull();
    }
  });
});

describe('docs/grafana/switchboard.json', () => {
  const dashboard = JSON.parse(readFileSync(new URL('../../docs/grafana/switchboard.json', import.meta.url), 'utf8')) as { panels: { type: string; title: string; targets?: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);

  it('queries only series that exist', () => {
    expect(exprs.length).toBeGreaterThan(20);
    for (const expr of exprs) {
      for (const [, series] of expr.matchAll(/\b((?:switchboard|nodejs|process)_[a-z0-9_]+)\{/g)) expect(familyOf(series!), `${series} in ${expr}`).not.toBeNull();
      // histograms through histogram_quantile on their buckets, counters through rate()/increase()
      for (const [, series] of expr.matchAll(/histogram_quantile\([^,]+, sum by \([^)]*\) \(rate\(([a-z0-9_]+)\{/g)) expect(series, expr).toMatch(/_bucket$/);
      for (const [, series] of expr.matchAll(/\b((?:switchboard|process)_[a-z0-9_]+_total)\{/g)) expect(expr, series).toMatch(new RegExp(`(rate|increase)\\(${series}\\{`));
    }
  });

  it('shows every switchboard_ metric on some panel', () => {
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b(switchboard_[a-z0-9_]+)\{/g)].map((m) => familyOf(m[1]!))));
    for (const name of ours) expect(used.has(name), name).toBe(true);
  });
});
