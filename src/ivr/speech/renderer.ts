/**
 * Speech: text → an audio file the switch's voice units play. The interface the IVR engine uses;
 * `EspeakRenderer` (espeak-ng + sox, offline) is the implementation the daemon wires in.
 *
 * The renderer is given text already normalised by the read-outs (src/ivr/readouts): Chinese
 * characters or English words, never Arabic digits (a voice may read them in another language).
 * It refuses text it should not be given rather than guess.
 */

export const SPEECH_LANGS = ['zh-CN', 'en-US'] as const;
export type SpeechLang = (typeof SPEECH_LANGS)[number];

export interface RenderedSpeech {
  /** Absolute path of an 8 kHz mono 16-bit PCM WAV file. Stays valid while the cache folder is kept. */
  path: string;
  durationMs: number;
  /** true: the file was already in the cache (no engine run for this request). */
  cached: boolean;
  /** The engine's voice that spoke it (`cmn`, `en-us`). */
  voice: string;
}

export interface SpeechHealth {
  available: boolean;
  engine: string;
  /** The engine's version, when found (`1.51`). */
  version?: string;
  /** Languages whose voice was found. */
  langs: SpeechLang[];
  /** The voice used for each of those languages. */
  voices: Partial<Record<SpeechLang, string>>;
  /** Why it is not available (a missing program or voice). */
  reason?: string;
}

export interface SpeechRenderer {
  /** Renders `text` in `lang` (or returns the cached file). Rejects with a `SpeechError`. */
  render(text: string, lang: SpeechLang): Promise<RenderedSpeech>;
  /** Whether render can work (for `lang`, when given). Checked once, then remembered. */
  available(lang?: SpeechLang): Promise<boolean>;
  health(): Promise<SpeechHealth>;
}

/**
 * - `TTS_UNAVAILABLE` the engine, sox or the language's voice is missing (let the switch speak);
 * - `TTS_TEXT_EMPTY`, `TTS_TEXT_TOO_LONG`, `TTS_TEXT_NOT_NORMALISED` (digits or control
 *   characters: the read-outs were not applied) — the caller's mistake;
 * - `TTS_TIMEOUT` a process ran past its time and was killed; `TTS_FAILED` a process failed or
 *   wrote no valid audio;
 * - `BAD_LANG` a language other than zh-CN / en-US; `BAD_PROMPT_ID` (prompt library) an id that is
 *   not `[A-Za-z0-9._-]`.
 */
export type SpeechErrorCode =
  | 'TTS_UNAVAILABLE'
  | 'TTS_TEXT_EMPTY'
  | 'TTS_TEXT_TOO_LONG'
  | 'TTS_TEXT_NOT_NORMALISED'
  | 'TTS_TIMEOUT'
  | 'TTS_FAILED'
  | 'BAD_LANG'
  | 'BAD_PROMPT_ID';

export class SpeechError extends Error {
  constructor(
    readonly code: SpeechErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SpeechError';
  }
}

export function isSpeechLang(lang: unknown): lang is SpeechLang {
  return typeof lang === 'string' && (SPEECH_LANGS as readonly string[]).includes(lang);
}

/** Longest text a render accepts, characters: a prompt, not a document. */
export const MAX_SPEECH_TEXT_CHARS = 2000;

/**
 * Checks and canonicalises text for a TTS engine: NFC, whitespace runs (newlines included) as one
 * space, trimmed. Throws `SpeechError`: empty, longer than `MAX_SPEECH_TEXT_CHARS`, or holding a
 * decimal digit of any script (`\p{Nd}`: 0-9, fullwidth ０-９, Arabic-Indic …) or a control
 * character. Chinese numerals (一二三) are letters, not digits, and pass.
 */
export function normaliseSpeechText(text: string): string {
  if (typeof text !== 'string') throw new SpeechError('TTS_TEXT_EMPTY', 'text must be a string');
  const t = text.normalize('NFC').replace(/\s+/gu, ' ').trim();
  if (t.length === 0) throw new SpeechError('TTS_TEXT_EMPTY', 'text is empty');
  if (t.length > MAX_SPEECH_TEXT_CHARS) throw new SpeechError('TTS_TEXT_TOO_LONG', `text is ${t.length} characters, at most ${MAX_SPEECH_TEXT_CHARS}`);
  const digit = /\p{Nd}/u.exec(t);
  if (digit) throw new SpeechError('TTS_TEXT_NOT_NORMALISED', `text holds the digit "${digit[0]}" at ${digit.index}: give the engine read-out text (src/ivr/readouts), never digits`);
  const control = /\p{Cc}/u.exec(t);
  if (control) throw new SpeechError('TTS_TEXT_NOT_NORMALISED', `text holds control character U+${control[0].codePointAt(0)!.toString(16).padStart(4, '0').toUpperCase()} at ${control.index}`);
  return t;
}
