/**
 * Test fixtures for the recordings' archive (recording-archive-* tests): real small WAV files
 * (8 kHz mono 16-bit), recording rows inserted with direct SQL (capture is not needed), and the
 * invariant every test checks: each live recording row points at a file that exists with the
 * recorded sha256.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Sqlite } from '../../src/storage/database.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** A WAV of `ms` milliseconds: 8 kHz, mono, 16-bit PCM, a tone whose pitch depends on `seed`. */
export function wav(ms: number, seed = 1): Buffer {
  const rate = 8000;
  const samples = Math.round((rate * ms) / 1000);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * (300 + 37 * seed) * i) / rate)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export interface RecordingFixture {
  id: string;
  startedAt: number;
  path: string | null;
  sha256: string | null;
  status?: 'recording' | 'closed' | 'failed' | 'deleted';
  tier?: 'hot' | 'archive';
  legalHold?: boolean;
  bytes?: number | null;
}

export function insertRecording(sqlite: Sqlite, r: RecordingFixture): void {
  sqlite
    .prepare(
      `insert into recordings (id, call_id, started_at, ended_at, duration_ms, direction, caller, callee, tier, status, path, bytes, sha256, legal_hold, created_at)
       values (?, ?, ?, ?, ?, 'inbound', '13800000001', '8000', ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(r.id, `call-${r.id}`, r.startedAt, r.startedAt + 2000, 2000, r.tier ?? 'hot', r.status ?? 'closed', r.path, r.bytes ?? null, r.sha256, r.legalHold ? 1 : 0, r.startedAt);
}

/** Writes a WAV into `hotDir` and its closed row; returns the row as inserted. */
export function addRecording(sqlite: Sqlite, hotDir: string, id: string, startedAt: number, opts: { legalHold?: boolean; ms?: number; seed?: number; status?: RecordingFixture['status'] } = {}): RecordingFixture & { wav: Buffer } {
  mkdirSync(hotDir, { recursive: true });
  const bytes = wav(opts.ms ?? 300, opts.seed ?? id.length);
  const path = join(hotDir, `${id}.wav`);
  writeFileSync(path, bytes);
  const row: RecordingFixture = { id, startedAt, path, sha256: sha256(bytes), status: opts.status ?? 'closed', legalHold: opts.legalHold ?? false, bytes: bytes.length };
  insertRecording(sqlite, row);
  return { ...row, wav: bytes };
}

export interface RowState {
  id: string;
  tier: string;
  status: string;
  path: string | null;
  sha256: string | null;
  legal_hold: number;
}

export function rows(sqlite: Sqlite): RowState[] {
  return sqlite.prepare('select id, tier, status, path, sha256, legal_hold from recordings order by id').all() as RowState[];
}

/** Every recording row not deleted (and with a checksum) points at a file with that checksum;
 * returns the rows that do not (empty: the invariant holds). */
export function brokenRows(sqlite: Sqlite): string[] {
  const out: string[] = [];
  for (const r of rows(sqlite)) {
    if (r.status === 'deleted' || r.sha256 === null) continue;
    if (r.path === null || !existsSync(r.path)) out.push(`${r.id}: no file at ${r.path}`);
    else if (sha256(readFileSync(r.path)) !== r.sha256) out.push(`${r.id}: checksum differs at ${r.path}`);
  }
  return out;
}
