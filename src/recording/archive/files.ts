/**
 * File steps of the archive: streamed sha256, a durable copy (temp name, fsync, rename, fsync of
 * the folder), unlink that tolerates a file already gone. All asynchronous: no big synchronous
 * read ever holds the event loop.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** The sha256 (hex) of a file, read as a stream; null when there is no such file. */
export async function sha256File(path: string): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(path, { highWaterMark: 256 * 1024 }), hash);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
  return hash.digest('hex');
}

/** Removes a file; true when it was there. */
export async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

async function syncPath(path: string, flags: string): Promise<void> {
  const fh = await open(path, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The temp name a copy to `target` is written under (same folder: the rename is atomic). */
export function tempNameFor(target: string): string {
  return `${target}.part`;
}

/** Copies `source` to `target` durably: to a temp name in the target's folder, fsync, rename,
 * fsync of the folder. After it returns, `target` holds the whole file or (on a throw) nothing
 * new. */
export async function durableCopy(source: string, target: string): Promise<void> {
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const tmp = tempNameFor(target);
  await copyFile(source, tmp);
  await syncPath(tmp, 'r+');
  await rename(tmp, target);
  await syncPath(dir, 'r');
}

/** `DATA_DIR/archive/YYYY/MM/DD/<id>.wav` by the recording's start (UTC date). */
export function archivePathFor(archiveDir: string, recordingId: string, startedAt: number): string {
  const d = new Date(startedAt);
  const yyyy = String(d.getUTCFullYear()).padStart(4, '0');
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return join(archiveDir, yyyy, mm, dd, `${safeName(recordingId)}.wav`);
}

/** A recording id as a file name: anything outside [A-Za-z0-9._-] becomes `_`. */
function safeName(id: string): string {
  const s = id.replace(/[^A-Za-z0-9._-]/g, '_');
  return s === '' || s === '.' || s === '..' ? `_${s}` : s;
}

export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}
