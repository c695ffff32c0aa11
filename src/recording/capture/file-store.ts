/**
 * The recording files' last step (docs/recording.md, "Capture"): the switch's closed file is
 * copied to `DATA_DIR/recordings/YYYY/MM/DD/<id>.wav`, the copy's sha256 checked against the
 * original's, and only then is the switch's copy deleted. All of it async and streamed: nothing
 * here blocks the event loop on a big file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** sha256 (hex) and size of a file, read as a stream. */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(createReadStream(path), async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      bytes += chunk.length;
      hash.update(chunk);
    }
  });
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

/**
 * Copy → verify → (the caller updates the row) → delete: `move` returns the checked copy and a
 * `dropSource` to call once the row points at it. A copy that cannot be made or does not verify
 * leaves the original in place (`moved` false), still hashed.
 */
export async function moveRecording(source: string, target: string): Promise<{ file: MovedFile; dropSource: () => Promise<void>; error?: Error }> {
  const original = await hashFile(source);
  try {
    await mkdir(join(target, '..'), { recursive: true });
    await copyFile(source, target);
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
