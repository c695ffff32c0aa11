/**
 * The recording metadata of the benchmarks (bench/recordings.ts, and bench/e2e.ts `--recordings`):
 * one year of calls, each with 1–2 agent legs (agents a1000…a1299), 5 % tagged (10 tags), 30 % with
 * one of 100,000 customers, generated from a seeded PRNG (mulberry32) so every run has the same
 * data; the search filters drawn from the same PRNG: agent + one week, 7-digit number prefix,
 * customer, tag, tag + one month, no filter.
 */
import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { RecordingFilters } from '../../src/recording/search/query.ts';
import { RecordingSeeder, type SeedRecording } from '../../test/helpers/recordings.ts';

const AGENTS = 300;
const CUSTOMERS = 100_000;
const TAGS = ['complaint', 'vip', 'escalated', 'sale', 'churn-risk', 'training', 'legal', 'callback', 'refund', 'praise'];
const YEAR = 365 * 86_400_000;
const T0 = Date.UTC(2025, 11, 1);
const WEEK = 7 * 86_400_000;

export interface SeedResult {
  rows: number;
  agentRows: number;
  tagRows: number;
  /** Wall time of the inserts, s. */
  insertS: number;
  /** CPU time of this process (user + sys, every thread) during the inserts, s. */
  cpuS: number;
  /** Bytes this process wrote to storage during the inserts (/proc/self/io write_bytes; null
   * where there is no such file): the WAL appends and the checkpoints. */
  writtenBytes: number | null;
}

function writtenBytes(): number | null {
  try {
    const m = /^write_bytes:\s+(\d+)/m.exec(readFileSync('/proc/self/io', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export class RecordingData {
  private seed: number;

  constructor(seed = 42) {
    this.seed = seed;
  }

  /** mulberry32: uniform in [0, 1). */
  rnd(): number {
    this.seed = (this.seed + 0x6d2b79f5) | 0;
    let t = Math.imul(this.seed ^ (this.seed >>> 15), 1 | this.seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  private pick(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  private digits(n: number): string {
    return String(this.pick(10 ** n)).padStart(n, '0');
  }

  /** Row `done` of `total` (start times rise with the row number, a little jitter). */
  row(done: number, total: number): SeedRecording {
    const startedAt = T0 + Math.floor((done / total) * YEAR) + this.pick(1000);
    const inbound = this.rnd() < 0.8;
    const outside = `138${this.digits(8)}`;
    const ext = String(2000 + this.pick(AGENTS));
    const legs = this.rnd() < 0.15 ? 2 : 1;
    const agents = Array.from({ length: legs }, (_, k) => ({ agent: `a${1000 + this.pick(AGENTS)}`, extension: ext, fromMs: k * 30_000, toMs: (k + 1) * 30_000 }));
    const tags = this.rnd() < 0.05 ? [TAGS[this.pick(TAGS.length)]!] : [];
    return {
      id: `rec-${done.toString(36).padStart(5, '0')}-${this.digits(4)}`,
      startedAt,
      durationMs: 10_000 + this.pick(600_000),
      direction: inbound ? 'inbound' : 'outbound',
      caller: inbound ? outside : ext,
      callee: inbound ? '8000' : outside,
      queue: inbound ? ['sales', 'support', 'billing'][this.pick(3)]! : null,
      customerId: this.rnd() < 0.3 ? 1 + this.pick(CUSTOMERS) : null,
      path: `/var/lib/switchboard/recordings/2026/${done}.wav`,
      bytes: 16_044 * 60,
      sha256: 'a'.repeat(64),
      agents,
      tags,
    };
  }

  /** Inserts `total` rows in transactions of `batch`; `progress` every 200,000 rows. */
  insert(sqlite: Database.Database, total: number, batch: number, progress?: (done: number, rowsPerS: number) => void): SeedResult {
    const seeder = new RecordingSeeder(sqlite);
    let agentRows = 0;
    let tagRows = 0;
    const cpu0 = process.cpuUsage();
    const written0 = writtenBytes();
    const t0 = performance.now();
    for (let done = 0; done < total; ) {
      const rows: SeedRecording[] = [];
      for (let i = 0; i < batch && done < total; i++, done++) {
        const r = this.row(done, total);
        agentRows += r.agents!.length;
        tagRows += r.tags!.length;
        rows.push(r);
      }
      seeder.many(rows);
      if (done % 200_000 === 0) progress?.(done, Math.round(done / ((performance.now() - t0) / 1000)));
    }
    const insertS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const written1 = writtenBytes();
    return { rows: total, agentRows, tagRows, insertS, cpuS: (cpu.user + cpu.system) / 1e6, writtenBytes: written0 !== null && written1 !== null ? written1 - written0 : null };
  }

  /** The search filters, by name; each call draws new random values. */
  filters(): Record<string, () => RecordingFilters> {
    return {
      'agent + week': () => {
        const from = T0 + this.pick(YEAR - WEEK);
        return { agent: `a${1000 + this.pick(AGENTS)}`, from, to: from + WEEK };
      },
      'number prefix (7 digits)': () => ({ number: `1380${this.digits(3)}` }),
      customer: () => ({ customer: 1 + this.pick(CUSTOMERS) }),
      tag: () => ({ tag: TAGS[this.pick(TAGS.length)]! }),
      'tag + month': () => {
        const from = T0 + this.pick(YEAR - 4 * WEEK);
        return { tag: TAGS[this.pick(TAGS.length)]!, from, to: from + 4 * WEEK };
      },
      'none (newest)': () => ({}),
    };
  }
}
