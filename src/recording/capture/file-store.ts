/**
 * The recording files' last step (docs/recording.md, "Capture"): the switch's closed file is
 * copied to `DATA_DIR/recordings/YYYY/MM/DD/<id>.wav`, the copy's sha256 checked against the
 * original's, and only then is the switch's copy deleted. All of it async and read in chunks:
 * nothing here blocks the event loop on a big file.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, open, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes read per step of `hashFile`: a minute of 8 kHz 16-bit audio is ~1 MiB. */
const HASH_CHUNK = 256 * 1024;

/** sha256 (hex) and size of a file, read in chunks through one file handle: the event loop waits
 * for no read (each is the thread pool's), and a short call's file is one read — a stream and a
 * pipeline per file cost more than the hashing (docs/performance.md, 2026-12-03). */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(HASH_CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, HASH_CHUNK, bytes);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      bytes += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Where a recording's file lives: `<root>/YYYY/MM/DD/<id>.wav` (UTC date of its start). */
export function recordingPath(root: string, id: string, startedAt: number): string {
  const d = new Date(startedAt);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return join(root, String(d.getUTCFullYear()), p2(d.getUTCMonth() + 1), p2(d.getUTCDate()), `${id}.wav`);
}

/** 8 kHz mono 16-bit PCM: 16 bytes a millisecond after the 44-byte header. */
export function wavDurationMs(bytes: number): number {
  return Math.max(0, Math.round((bytes - 44) / 16));
}

export interface MovedFile {
  path: string;
  bytes: number;
  sha256: string;
  /** False when the copy failed and the file stays where the switch wrote it. */
  moved: boolean;
}

/** Day folders already made (one a day: `mkdir -p` before every file was a few syscalls per
 * call). A folder removed behind the daemon's back is made again when a copy into it fails. */
const madeDirs = new Set<string>();

async function copyInto(source: string, target: string): Promise<void> {
  const dir = join(target, '..');
  if (!madeDirs.has(dir)) {
    await mkdir(dir, { recursive: true });
    if (madeDirs.size >= 1000) madeDirs.clear();
    madeDirs.add(dir);
  }
  try {
    await copyFile(source, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // The source is there (it was just hashed): the folder went away.
    madeDirs.delete(dir);
    await mkdir(dir, { recursive: true });
    await copyFile(source, target);
  }
}

/**
 * Copy → verify → (the caller updates the row) → delete: `move` returns the checked copy and a
 * `dropSource` to call once the row points at it. A copy that cannot be made or does not verify
 * leaves the original in place (`moved` false), still hashed.
 */
export async function moveRecording(source: string, target: string): Promise<{ file: MovedFile; dropSource: () => Promise<void>; error?: Error }> {
  const original = await hashFile(source);
  try {
    await copyInto(source, target);
    const copy = await hashFile(target);
    if (copy.sha256 !== original.sha256 || copy.bytes !== original.bytes) throw new Error(`copy of ${source} does not verify`);
    return { file: { path: target, ...copy, moved: true }, dropSource: () => unlink(source) };
  } catch (err) {
    await unlink(target).catch(() => undefined);
    return { file: { path: source, ...original, moved: false }, dropSource: async () => undefined, error: err as Error };
  }
}

export async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}
