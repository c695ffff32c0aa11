/**
 * Test-only: recording rows written straight into the tables (capture is not what these tests are
 * about), and real WAV files (8 kHz mono 16-bit PCM). Also used by bench/recordings.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';

export interface SeedRecording {
  id: string;
  callId?: string;
  startedAt: number;
  durationMs?: number;
  direction?: 'inbound' | 'outbound' | 'internal';
  caller?: string;
  callee?: string;
  queue?: string | null;
  pilot?: string | null;
  customerId?: number | null;
  tier?: 'hot' | 'archive';
  status?: 'recording' | 'closed' | 'failed' | 'deleted';
  path?: string | null;
  bytes?: number | null;
  sha256?: string | null;
  legalHold?: boolean;
  agents?: { agent: string; extension: string; fromMs: number; toMs: number | null }[];
  paused?: { fromMs: number; toMs: number | null; by?: string }[];
  tags?: string[];
}

export class RecordingSeeder {
  private readonly rec;
  private readonly agent;
  private readonly pause;
  private readonly tag;
  readonly many;

  constructor(private readonly db: Database.Database) {
    this.rec = db.prepare(`INSERT INTO recordings (id, call_id, started_at, ended_at, duration_ms, direction, caller, callee, queue, pilot, customer_id, tier, status, path, bytes, sha256, legal_hold, created_at)
      VALUES (@id, @callId, @startedAt, @endedAt, @durationMs, @direction, @caller, @callee, @queue, @pilot, @customerId, @tier, @status, @path, @bytes, @sha256, @legalHold, @createdAt)`);
    this.agent = db.prepare('INSERT INTO recording_agents (recording_id, agent, extension, from_ms, to_ms, started_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.pause = db.prepare('INSERT INTO recording_pauses (recording_id, from_ms, to_ms, by) VALUES (?, ?, ?, ?)');
    this.tag = db.prepare('INSERT INTO recording_tags (recording_id, tag, started_at) VALUES (?, ?, ?)');
    this.many = db.transaction((rows: SeedRecording[]) => {
      for (const r of rows) this.one(r);
    });
  }

  one(r: SeedRecording): void {
    const durationMs = r.durationMs ?? 60_000;
    this.rec.run({
      id: r.id,
      callId: r.callId ?? `call-${r.id}`,
      startedAt: r.startedAt,
      endedAt: r.startedAt + durationMs,
      durationMs,
      direction: r.direction ?? 'inbound',
      caller: r.caller ?? '13800000000',
      callee: r.callee ?? '8000',
      queue: r.queue ?? null,
      pilot: r.pilot ?? null,
      customerId: r.customerId ?? null,
      tier: r.tier ?? 'hot',
      status: r.status ?? 'closed',
      path: r.path ?? null,
      bytes: r.bytes ?? null,
      sha256: r.sha256 ?? null,
      legalHold: r.legalHold ? 1 : 0,
      createdAt: r.startedAt,
    });
    for (const a of r.agents ?? []) this.agent.run(r.id, a.agent, a.extension, a.fromMs, a.toMs, r.startedAt);
    for (const p of r.paused ?? []) this.pause.run(r.id, p.fromMs, p.toMs, p.by ?? 'agent');
    for (const t of r.tags ?? []) this.tag.run(r.id, t, r.startedAt);
  }
}

/** A WAV file of `seconds` of a tone (8 kHz mono 16-bit); returns its bytes, size and sha256. */
export function writeWav(path: string, seconds: number, amplitude = 8000): { bytes: number; sha256: string; data: Buffer } {
  const samples = Math.round(8000 * seconds);
  const data = Buffer.alloc(44 + samples * 2);
  data.write('RIFF', 0);
  data.writeUInt32LE(36 + samples * 2, 4);
  data.write('WAVE', 8);
  data.write('fmt ', 12);
  data.writeUInt32LE(16, 16);
  data.writeUInt16LE(1, 20);
  data.writeUInt16LE(1, 22);
  data.writeUInt32LE(8000, 24);
  data.writeUInt32LE(16000, 28);
  data.writeUInt16LE(2, 32);
  data.writeUInt16LE(16, 34);
  data.write('data', 36);
  data.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    // A 400 Hz tone whose loudness rises over the file: peaks differ from bucket to bucket.
    const env = (i + 1) / samples;
    data.writeInt16LE(Math.round(amplitude * env * Math.sin((2 * Math.PI * 400 * i) / 8000)), 44 + i * 2);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  return { bytes: data.length, sha256: createHash('sha256').update(data).digest('hex'), data };
}
