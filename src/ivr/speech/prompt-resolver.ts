/**
 * What to play for a prompt: the recorded file when the prompt library has one, else the prompt's
 * text rendered to speech, else (no renderer, or it failed) the text for the switch to synthesise.
 * The answer's `message`, `text` and `lang` are the `PlayRequest` fields (src/core/pbx-port.ts):
 * `file:<absolute path>` or `tts:<id>`.
 */
import { createHash } from 'node:crypto';
import type { SpeechLogger } from './prompt-cache.ts';
import type { PromptLibrary } from './prompt-library.ts';
import { type SpeechErrorCode, type SpeechLang, type SpeechRenderer, isSpeechLang, SPEECH_LANGS, SpeechError } from './renderer.ts';

export interface PromptToPlay {
  /** The prompt's id in the flow's catalogue (looked up in the library; the `tts:` id). */
  promptId?: string;
  /** What it says (rendered when there is no recorded file; for the switch's log otherwise). */
  text: string;
  lang: SpeechLang;
}

interface ResolvedBase {
  text: string;
  lang: SpeechLang;
  promptId?: string;
}

export type ResolvedPrompt =
  /** A recorded file of the prompt library. */
  | (ResolvedBase & { source: 'library'; message: `file:${string}`; path: string; durationMs: number })
  /** Rendered speech (cached or just rendered). */
  | (ResolvedBase & { source: 'speech'; message: `file:${string}`; path: string; durationMs: number; voice: string; cached: boolean })
  /** Left to the switch's own TTS: `text` and `lang` must go with the play. `reason`: why not rendered. */
  | (ResolvedBase & { source: 'switch'; message: `tts:${string}`; reason: SpeechErrorCode });

export type PromptSource = ResolvedPrompt['source'];

export interface PromptResolverOptions {
  library?: PromptLibrary;
  renderer?: SpeechRenderer;
  logger: SpeechLogger;
}

const MAX_REFUSED = 1000;

export class PromptResolver {
  private readonly library: PromptLibrary | undefined;
  private readonly renderer: SpeechRenderer | undefined;
  private readonly logger: SpeechLogger;
  /** Texts the renderer refused for good (digits, too long), with why. */
  private readonly refused = new Map<string, SpeechErrorCode>();

  constructor(opts: PromptResolverOptions) {
    this.library = opts.library;
    this.renderer = opts.renderer;
    this.logger = opts.logger;
  }

  /**
   * Rejects only for the caller's mistakes: `BAD_PROMPT_ID`, `BAD_LANG`, or `TTS_TEXT_EMPTY` when
   * there is neither a recorded file nor text. Every failure of the renderer falls back to the
   * switch (logged, except `TTS_UNAVAILABLE`, which the renderer warned about once).
   */
  async resolve(prompt: PromptToPlay): Promise<ResolvedPrompt> {
    const { promptId, lang } = prompt;
    const text = typeof prompt.text === 'string' ? prompt.text : '';
    if (!isSpeechLang(lang)) throw new SpeechError('BAD_LANG', `lang "${String(lang)}" is not one of ${SPEECH_LANGS.join(', ')}`);
    const base: ResolvedBase = promptId === undefined ? { text, lang } : { text, lang, promptId };
    if (promptId !== undefined && this.library) {
      const rec = await this.library.lookup(promptId, lang);
      if (rec) return { ...base, source: 'library', message: `file:${rec.path}`, path: rec.path, durationMs: rec.durationMs };
    }
    if (text.trim() === '') throw new SpeechError('TTS_TEXT_EMPTY', `prompt ${promptId ?? '(no id)'} in ${lang}: no recorded file and no text`);
    let reason: SpeechErrorCode = 'TTS_UNAVAILABLE';
    const key = `${lang}\n${text}`;
    const refusedBefore = this.refused.get(key);
    if (refusedBefore) return { ...base, source: 'switch', message: `tts:${ttsId(promptId, lang, text)}`, reason: refusedBefore };
    if (this.renderer) {
      try {
        const r = await this.renderer.render(text, lang);
        return { ...base, source: 'speech', message: `file:${r.path}`, path: r.path, durationMs: r.durationMs, voice: r.voice, cached: r.cached };
      } catch (err) {
        reason = err instanceof SpeechError ? err.code : 'TTS_FAILED';
        // Text the engine refuses is refused every time: remember it (bounded), say it once.
        if (reason === 'TTS_TEXT_NOT_NORMALISED' || reason === 'TTS_TEXT_TOO_LONG') {
          if (this.refused.size >= MAX_REFUSED) this.refused.delete(this.refused.keys().next().value!);
          this.refused.set(key, reason);
        }
        if (reason !== 'TTS_UNAVAILABLE') {
          const level = reason === 'TTS_TEXT_NOT_NORMALISED' || reason === 'TTS_TEXT_TOO_LONG' ? 'error' : 'warn';
          this.logger[level]({ promptId, lang, code: reason, err: (err as Error).message }, 'speech render failed; the switch synthesises this prompt');
        }
      }
    }
    return { ...base, source: 'switch', message: `tts:${ttsId(promptId, lang, text)}`, reason };
  }
}

/** The prompt's id, or `t-` and 16 hex digits of the text's sha256 for text without an id. */
export function ttsId(promptId: string | undefined, lang: SpeechLang, text: string): string {
  return promptId ?? `t-${createHash('sha256').update(`${lang}\n${text}`).digest('hex').slice(0, 16)}`;
}
