/**
 * Many queue calls fast, for the export's memory test and bench (test/integration/reports-export-…,
 * bench/report-export.ts): one prepared INSERT run in transactions of `batch` rows, calls spread
 * evenly over [from, from + spanMs), two in three answered (by `first_agent`: no agent state rows,
 * so the export's join finds nothing and falls back to it), the rest abandoned. Numbers and ids of
 * realistic length, so the bytes per row are those of a real export (~150 B of CSV).
 */
import type Database from 'better-sqlite3';

export interface SeedOptions {
  rows: number;
  from: number;
  spanMs: number;
  batch?: number;
  queues?: string[];
  onProgress?: (done: number) => void;
}

export function seedCalls(db: Database.Database, o: SeedOptions): { seconds: number } {
  const t0 = performance.now();
  const queues = o.queues ?? ['sales', 'support', 'billing'];
  const batch = o.batch ?? 50_000;
  const insert = db.prepare(`INSERT INTO calls (id, direction, from_number, to_number, dialled_number, queue_id, agents, first_agent, offered_at, answered_at, ended_at, wait_ms, talk_ms, outcome)
    VALUES (?, 'inbound', ?, '4008001234', '4008001234', ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const step = o.spanMs / o.rows;
  const run = db.transaction((start: number, end: number) => {
    for (let i = start; i < end; i++) {
      const offered = o.from + Math.floor(i * step);
      const answered = i % 3 !== 2;
      const wait = 3000 + (i % 40) * 1000;
      const talk = 60_000 + (i % 300) * 1000;
      const agent = `a${1001 + (i % 50)}`;
      insert.run(
        `bulk-${i.toString().padStart(8, '0')}-${(i * 2654435761 % 2 ** 32).toString(16).padStart(8, '0')}`,
        `138${(10_000_000 + ((i * 7919) % 89_999_999)).toString()}`,
        queues[i % queues.length]!,
        answered ? `["${agent}"]` : '[]',
        answered ? agent : null,
        offered,
        answered ? offered + wait : null,
        offered + wait + (answered ? talk : 0),
        wait,
        answered ? talk : null,
        answered ? 'answered' : 'abandoned',
      );
    }
  });
  for (let i = 0; i < o.rows; i += batch) {
    run(i, Math.min(o.rows, i + batch));
    o.onProgress?.(Math.min(o.rows, i + batch));
  }
  return { seconds: (performance.now() - t0) / 1000 };
}

export interface DownloadFigures {
  status: number;
  bytes: number;
  /** Line breaks seen (CSV: rows + header). */
  lines: number;
  seconds: number;
  /** heapUsed when the first bytes arrived, its highest while downloading, bytes. */
  heapStart: number;
  heapMax: number;
  rssStart: number;
  rssMax: number;
  /** The event loop's longest stall during the download (monitorEventLoopDelay), ms. */
  loopDelayMaxMs: number;
}

/** Downloads `url` as a stream, counting bytes and line breaks without keeping the body, while
 * sampling this process's memory (the daemon of startWorld runs in it) every 20 ms. */
export async function downloadMeasured(url: string, token: string): Promise<DownloadFigures> {
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const m0 = process.memoryUsage();
  const f: DownloadFigures = { status: res.status, bytes: 0, lines: 0, seconds: 0, heapStart: m0.heapUsed, heapMax: m0.heapUsed, rssStart: m0.rss, rssMax: m0.rss, loopDelayMaxMs: 0 };
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    f.heapMax = Math.max(f.heapMax, m.heapUsed);
    f.rssMax = Math.max(f.rssMax, m.rss);
  }, 20);
  loop.enable();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      f.bytes += chunk.byteLength;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) f.lines++;
    }
  } finally {
    clearInterval(sample);
    loop.disable();
  }
  f.seconds = (performance.now() - t0) / 1000;
  f.loopDelayMaxMs = loop.max / 1e6;
  return f;
}
