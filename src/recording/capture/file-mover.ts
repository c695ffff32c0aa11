/**
 * Moves recording files off the event loop (docs/recording.md, "Capture"): one worker thread runs
 * file-store.ts's `moveFileSync` for each closed recording, one at a time, and answers with the
 * hashes; the capture service then points the row at the copy and drops the switch's file
 * (`dropSource`, after the row, so a crash in between leaves both files and a row naming one).
 * A move that has not answered within `timeoutMs` (a file far beyond any call's length on a stuck
 * disk) is rejected and the worker replaced (storage/worker-queue.ts).
 *
 * `inProcessFileMover` runs the same code on the calling thread (unit tests of the capture
 * service, tools).
 */
import * as fs from 'node:fs';
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { unlink } from 'node:fs/promises';
import { WorkerQueue } from '../../storage/worker-queue.ts';
import { HASH_CHUNK, hashFileSync, moveFileSync, type FileMoveOutcome, type MovedFile } from './file-store.ts';

export interface MoveResult {
  file: MovedFile;
  /** Deletes the switch's file once the row points at the copy (nothing when it was not moved). */
  dropSource: () => Promise<void>;
  /** Why the file stays where the switch wrote it. */
  error?: Error;
}

/** Where the capture service moves its files. Rejects when the source cannot be read at all. */
export interface RecordingFiles {
  move(source: string, target: string): Promise<MoveResult>;
  close(): Promise<void>;
}

function resultOf(source: string, target: string, o: FileMoveOutcome): MoveResult {
  if (o.copy) return { file: { path: target, ...o.copy, moved: true }, dropSource: () => unlink(source) };
  return { file: { path: source, ...o.original, moved: false }, dropSource: async () => undefined, error: new Error(o.error ?? 'copy failed') };
}

// esbuild (tsx, vitest) may wrap named functions in __name(); the worker has no such helper.
const workerSource = () => `
var __name = function (f) { return f; };
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const path = require('node:path');
const hashFileSync = ${hashFileSync.toString()};
const moveFileSync = ${moveFileSync.toString()};
const madeDirs = new Set();
const buf = Buffer.allocUnsafe(${HASH_CHUNK});
parentPort.on('message', (m) => {
  try {
    parentPort.postMessage({ id: m.id, outcome: moveFileSync(fs, crypto, path, m.source, m.target, madeDirs, buf) });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String((err && err.message) || err), code: err && err.code });
  }
});
`;

interface Answer {
  id: number;
  outcome?: FileMoveOutcome;
  error?: string;
  code?: string;
}

export class FileMover implements RecordingFiles {
  private readonly queue: WorkerQueue<FileMoveOutcome>;

  constructor(opts: { timeoutMs?: number; onError?: (err: Error) => void } = {}) {
    this.queue = new WorkerQueue<FileMoveOutcome>({
      source: workerSource(),
      workerData: null,
      timeoutMs: opts.timeoutMs ?? 120_000,
      name: 'recording file mover',
      decode: (raw) => {
        const m = raw as Answer;
        if (m.outcome) return { id: m.id, value: m.outcome };
        return { id: m.id, error: Object.assign(new Error(m.error ?? 'file move failed'), m.code ? { code: m.code } : {}) };
      },
      timeoutError: (ms) => new Error(`recording file move did not answer within ${ms} ms`),
      ...(opts.onError ? { onError: opts.onError } : {}),
    });
  }

  async move(source: string, target: string): Promise<MoveResult> {
    return resultOf(source, target, await this.queue.run({ source, target }));
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

/** The same moves on the calling thread. */
export function inProcessFileMover(): RecordingFiles {
  const madeDirs = new Set<string>();
  const buf = Buffer.allocUnsafe(HASH_CHUNK);
  return {
    move: async (source, target) => resultOf(source, target, moveFileSync(fs, crypto, path, source, target, madeDirs, buf)),
    close: async () => undefined,
  };
}
