/**
 * The rendered-speech cache: one WAV file per (engine, engine version, voice, parameters, text),
 * named by the sha256 of those, in a folder the caller gives (the daemon: `DATA_DIR/speech-cache`).
 * Files are written under a temporary name in the same folder and renamed into place, so a file
 * with a final name is always complete; they survive restarts and are checked (a valid 8 kHz mono
 * WAV) before they are used. Deleting the folder's files is always safe: they are rendered again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { readWavInfo, telephonyMismatch } from './wav-info.ts';

export type SpeechLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** Bumped when the way files are rendered changes without a change of the key's other parts. */
export const SPEECH_CACHE_FORMAT = 1;

export interface SpeechCacheKeyParts {
  engine: string;
  /** The engine's version: an upgraded engine renders again. */
  version: string;
  voice: string;
  /** Everything else that changes the audio (speed, pitch, output format …). Order does not matter. */
  params: Record<string, string | number>;
  /** The text exactly as the engine is given it (normalised already). */
  text: string;
}

/** sha256 (hex) of the key's parts, in a fixed order; stable across runs and machines. */
export function speechCacheKey(parts: SpeechCacheKeyParts): string {
  const params = Object.keys(parts.params)
    .sort()
    .map((k) => [k, parts.params[k]]);
  return createHash('sha256')
    .update(JSON.stringify([SPEECH_CACHE_FORMAT, parts.engine, parts.version, parts.voice, params, parts.text]))
    .digest('hex');
}

/** `<voice>-<key>.wav`; the voice (letters, digits, `-`) makes a listing readable. */
export function speechCacheFileName(voice: string, key: string): string {
  return `${voice.replace(/[^A-Za-z0-9-]/g, '_')}-${key}.wav`;
}

export interface CachedSpeech {
  path: string;
  durationMs: number;
}

const TMP_PREFIX = '.tmp-';
/** Temporary files older than this, left by a crash, are removed when the folder is first used. */
const STALE_TMP_MS = 10 * 60_000;

export class SpeechCache {
  readonly dir: string;
  private ready: Promise<void> | undefined;
  /** Files already validated, with the size and mtime they had: a later use only stats them. */
  private readonly known = new Map<string, { size: number; mtimeMs: number; durationMs: number }>();

  constructor(
    dir: string,
    private readonly logger: SpeechLogger,
  ) {
    this.dir = resolve(dir);
  }

  /** Creates the folder (once) and removes stale temporary files. */
  ensureDir(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      const now = Date.now();
      for (const name of await readdir(this.dir)) {
        if (!name.startsWith(TMP_PREFIX)) continue;
        const p = join(this.dir, name);
        try {
          if (now - (await stat(p)).mtimeMs > STALE_TMP_MS) await unlink(p);
        } catch {
          // another process took it first
        }
      }
    })().catch((err: unknown) => {
      this.ready = undefined; // try again next time
      throw err;
    });
    return this.ready;
  }

  pathOf(fileName: string): string {
    return join(this.dir, fileName);
  }

  /** The cached file when it exists and is a valid 8 kHz mono 16-bit WAV; an invalid one is deleted. */
  async lookup(fileName: string): Promise<CachedSpeech | undefined> {
    const path = this.pathOf(fileName);
    let st;
    try {
      st = await stat(path);
    } catch {
      this.known.delete(fileName);
      return undefined;
    }
    const seen = this.known.get(fileName);
    if (seen && seen.size === st.size && seen.mtimeMs === st.mtimeMs) return { path, durationMs: seen.durationMs };
    try {
      const info = await readWavInfo(path);
      const mismatch = telephonyMismatch(info);
      if (mismatch) throw new Error(mismatch);
      this.known.set(fileName, { size: st.size, mtimeMs: st.mtimeMs, durationMs: info.durationMs });
      return { path, durationMs: info.durationMs };
    } catch (err) {
      this.known.delete(fileName);
      this.logger.warn({ file: path, err: (err as Error).message }, 'speech cache: invalid file removed, rendering it again');
      await unlink(path).catch(() => undefined);
      return undefined;
    }
  }

  /** A fresh temporary file name in the folder (same file system as the final name). */
  tmpPath(tag: string): string {
    return join(this.dir, `${TMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}-${tag}.wav`);
  }

  /** Moves a complete temporary file to its final name (atomic on one file system). */
  async commit(tmp: string, fileName: string, durationMs: number): Promise<CachedSpeech> {
    const path = this.pathOf(fileName);
    await rename(tmp, path);
    const st = await stat(path);
    this.known.set(fileName, { size: st.size, mtimeMs: st.mtimeMs, durationMs });
    return { path, durationMs };
  }
}
