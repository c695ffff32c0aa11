/**
 * Recorded prompts: a folder (`PROMPTS_DIR`, optional) of `<lang>/<promptId>.wav` files, e.g.
 * `zh-CN/greeting.wav`, each an 8 kHz mono 16-bit PCM WAV. A recorded file takes precedence over
 * rendered speech (prompt-resolver.ts). Each file is checked once and the answer remembered
 * (`clear()` forgets, after files were added or replaced); a file in another format is ignored
 * with one warning.
 */
import { stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { SpeechLogger } from './prompt-cache.ts';
import { type SpeechLang, isSpeechLang, SPEECH_LANGS, SpeechError } from './renderer.ts';
import { readWavInfo, telephonyMismatch } from './wav-info.ts';

/** Letters, digits, `.`, `_`, `-`; not starting with `.`; at most 128 characters. */
export const PROMPT_ID_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export function isValidPromptId(id: unknown): id is string {
  return typeof id === 'string' && PROMPT_ID_PATTERN.test(id);
}

export interface RecordedPrompt {
  /** Absolute path of the WAV file. */
  path: string;
  durationMs: number;
}

export interface PromptLibraryOptions {
  /** The folder; undefined: no library (every lookup answers undefined). */
  dir: string | undefined;
  logger: SpeechLogger;
}

export class PromptLibrary {
  readonly dir: string | undefined;
  private readonly logger: SpeechLogger;
  private readonly checked = new Map<string, Promise<RecordedPrompt | undefined>>();

  constructor(opts: PromptLibraryOptions) {
    this.dir = opts.dir === undefined || opts.dir === '' ? undefined : resolve(opts.dir);
    this.logger = opts.logger;
  }

  /**
   * The recorded file of `promptId` in `lang`, when the library holds a valid one. Rejects with
   * `SpeechError` `BAD_PROMPT_ID` for an id outside `PROMPT_ID_PATTERN` (no path traversal),
   * `BAD_LANG` for a language other than zh-CN / en-US.
   */
  async lookup(promptId: string, lang: SpeechLang): Promise<RecordedPrompt | undefined> {
    if (!isValidPromptId(promptId)) throw new SpeechError('BAD_PROMPT_ID', `prompt id ${JSON.stringify(promptId)} must match ${PROMPT_ID_PATTERN.source}`);
    if (!isSpeechLang(lang)) throw new SpeechError('BAD_LANG', `lang "${String(lang)}" is not one of ${SPEECH_LANGS.join(', ')}`);
    const dir = this.dir;
    if (dir === undefined) return undefined;
    const key = `${lang}/${promptId}`;
    let p = this.checked.get(key);
    if (!p) {
      p = this.check(dir, lang, promptId);
      this.checked.set(key, p);
    }
    return await p;
  }

  /** Forgets what was checked: the next lookups look at the folder again. */
  clear(): void {
    this.checked.clear();
  }

  private async check(dir: string, lang: SpeechLang, promptId: string): Promise<RecordedPrompt | undefined> {
    const path = join(dir, lang, `${promptId}.wav`);
    const rel = relative(dir, path);
    if (rel.startsWith('..') || rel.includes(`..${sep}`) || resolve(dir, rel) !== path) return undefined; // cannot happen with PROMPT_ID_PATTERN; kept as a second lock
    try {
      if (!(await stat(path)).isFile()) return undefined;
    } catch {
      return undefined;
    }
    try {
      const info = await readWavInfo(path);
      const mismatch = telephonyMismatch(info);
      if (mismatch) throw new Error(mismatch);
      return { path, durationMs: info.durationMs };
    } catch (err) {
      this.logger.warn({ file: path, err: (err as Error).message }, 'prompt library: file ignored, it is not an 8 kHz mono 16-bit PCM WAV (sox in.wav -r 8000 -c 1 -b 16 out.wav)');
      return undefined;
    }
  }
}
