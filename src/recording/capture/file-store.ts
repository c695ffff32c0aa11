/**
 * The recording files' last step (docs/recording.md, "Capture"): the switch's closed file is
 * copied to `DATA_DIR/recordings/YYYY/MM/DD/<id>.wav`, the copy's sha256 checked against the
 * original's, and only then is the switch's copy deleted.
 *
 * The copy and its checks are plain synchronous file calls (`moveFileSync`), run on a worker
 * thread (file-mover.ts): the event loop posts one message per recording instead of a dozen
 * thread-pool round trips (open, reads, close, copy, open, reads, close), which at a few hundred
 * calls a second cost more of its time than the routing (docs/performance.md, 2026-12-03 (fifth
 * session)). The functions here take `fs`, `crypto` and `path` as arguments and use nothing else
 * from outside, so that the worker can run their source as written.
 */
import type * as FsModule from 'node:fs';
import type * as CryptoModule from 'node:crypto';
import type * as PathModule from 'node:path';
import { join } from 'node:path';

/** Bytes read per step of `hashFileSync`: a minute of 8 kHz 16-bit audio is ~1 MiB. */
export const HASH_CHUNK = 256 * 1024;

export interface FileHash {
  sha256: string;
  bytes: number;
}

/** sha256 (hex) and size of a file, read in `buf`-sized steps through one descriptor. */
export function hashFileSync(fs: typeof FsModule, crypto: typeof CryptoModule, path: string, buf: Buffer): FileHash {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  const fd = fs.openSync(path, 'r');
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, bytes);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      bytes += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** What `moveFileSync` did: the original's hash always; the verified copy's, or why there is none
 * (the copy, if any, removed again). */
export interface FileMoveOutcome {
  original: FileHash;
  copy: FileHash | null;
  error: string | null;
}

/**
 * Copy → verify: hashes `source`, copies it to `target` (making the folder; `madeDirs` remembers
 * the folders made, one a day, and a folder removed behind our back is made again), hashes the
 * copy and compares. Throws only when the source cannot be read; a copy that cannot be made or
 * does not verify is removed and reported in `error`. The source is never touched.
 */
export function moveFileSync(
  fs: typeof FsModule,
  crypto: typeof CryptoModule,
  path: typeof PathModule,
  source: string,
  target: string,
  madeDirs: Set<string>,
  buf: Buffer,
): FileMoveOutcome {
  const original = hashFileSync(fs, crypto, source, buf);
  try {
    const dir = path.dirname(target);
    if (!madeDirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      if (madeDirs.size >= 1000) madeDirs.clear();
      madeDirs.add(dir);
    }
    try {
      fs.copyFileSync(source, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // The source is there (it was just hashed): the folder went away.
      madeDirs.delete(dir);
      fs.mkdirSync(dir, { recursive: true });
      fs.copyFileSync(source, target);
    }
    const copy = hashFileSync(fs, crypto, target, buf);
    if (copy.sha256 !== original.sha256 || copy.bytes !== original.bytes) throw new Error(`copy of ${source} does not verify`);
    return { original, copy, error: null };
  } catch (err) {
    try {
      fs.unlinkSync(target);
    } catch {
      // nothing was copied
    }
    return { original, copy: null, error: (err as Error).message ?? String(err) };
  }
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
