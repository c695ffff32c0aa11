/**
 * Recording searches over HTTP at a steady rate, for `bench:e2e --search-rate`: every 1/rate s
 * (on a fixed schedule, not waiting for the answers: an open loop, like real supervisors), while
 * `active()` says so, one `GET /api/v1/recordings?…` (first page, 50) with the next filter of
 * bench/lib/recordings-data.ts in turn, as a user with the qa role. Each sample is the time from
 * sending the request to having read the whole answer, as the benchmark process sees it (its own
 * event loop, busy with the switch and the agents, is part of it).
 */
import type { RecordingFilters } from '../../src/recording/search/query.ts';

export interface SearchSample {
  filter: string;
  /** When it was sent, process.hrtime.bigint(). */
  at: bigint;
  ms: number;
  /** HTTP status, or 0 for a failed request. */
  status: number;
  rows: number;
}

export interface SearchLoadOptions {
  url: string;
  token: string;
  /** Searches per second. */
  rate: number;
  filters: Record<string, () => RecordingFilters>;
  /** Whether to search at `now` (process.hrtime.bigint()); false skips that tick. */
  active(now: bigint): boolean;
}

export function searchQuery(f: RecordingFilters, limit = 50): string {
  const q = new URLSearchParams({ limit: String(limit) });
  for (const [k, v] of Object.entries(f)) if (v !== undefined) q.set(k, String(v));
  return q.toString();
}

export class SearchLoad {
  readonly samples: SearchSample[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private readonly names: string[];
  private next = 0;

  constructor(private readonly o: SearchLoadOptions) {
    this.names = Object.keys(o.filters);
  }

  start(): void {
    const intervalNs = BigInt(Math.round(1e9 / this.o.rate));
    const t0 = process.hrtime.bigint();
    let k = 0n;
    const tick = () => {
      const now = process.hrtime.bigint();
      if (this.o.active(now)) this.one(now);
      // Fixed schedule: the k-th tick at t0 + k × interval, whatever the timer's lateness.
      do k++;
      while (t0 + k * intervalNs <= now);
      this.timer = setTimeout(tick, Number(t0 + k * intervalNs - now) / 1e6);
    };
    tick();
  }

  /** Stops the schedule and waits for the searches in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.all([...this.inFlight]);
  }

  private one(at: bigint): void {
    const filter = this.names[this.next++ % this.names.length]!;
    const qs = searchQuery(this.o.filters[filter]!());
    const p = (async () => {
      let status = 0;
      let rows = 0;
      try {
        const res = await fetch(`${this.o.url}/api/v1/recordings?${qs}`, { headers: { authorization: `Bearer ${this.o.token}` } });
        status = res.status;
        const body = (await res.json()) as { items?: unknown[] };
        rows = body.items?.length ?? 0;
      } catch {
        // status 0: counted as an error
      }
      this.samples.push({ filter, at, ms: Number(process.hrtime.bigint() - at) / 1e6, status, rows });
    })();
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}
