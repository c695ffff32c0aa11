/**
 * Message ids a voice unit plays (ECMA-323 `messageToBePlayed`, docs/csta-profile.md "Voice
 * units") and how long each lasts:
 *   prompt:<name>   a prompt the switch holds; `promptDurationsMs[name]`, else 1500 ms
 *   file:<path>     an absolute path of a PCM WAV file (8/16 kHz, mono/stereo, 8/16 bit): its length
 *   tts:<id>        text the switch synthesises (private `text` required): estimated from the text
 *   tone:beep       300 ms at 1 kHz
 *   silence:<ms>    that long (1…600000)
 *   music           music on hold, until stopped
 * An id the switch cannot play is refused before anything happens: `operation/invalidParameterValue`
 * (unknown scheme, malformed id, tts without text, a relative path), `operation/invalidFile` (a file
 * that is missing, unreadable, not a WAV or in a format above).
 */
import { isAbsolute } from 'node:path';
import { CstaFault } from './errors.ts';
import type { HeardKind } from './heard-log.ts';
import { readWavInfo, WavError } from './wav.ts';

export const DEFAULT_PROMPT_MS = 1500;
export const BEEP_MS = 300;
export const MAX_SILENCE_MS = 600_000;
const PROMPT_NAME = /^[A-Za-z0-9_.:\-/]{1,200}$/;
const TTS_ID = /^[^\s]{1,200}$/;

export interface PlaySpec {
  /** The id as the CTI gave it (events carry it back). */
  id: string;
  kind: HeardKind;
  ref?: string;
  text?: string;
  lang?: string;
  /** A WAV file whose samples are heard. */
  file?: string;
  /** The message's own length; null: until stopped (music). */
  nominalMs: number | null;
  /** PlayMessage `duration`: played at most this long (then StopEvent durationExceeded). */
  limitMs?: number;
  bargeIn: boolean;
}

export const invalidMessage = (why: string): CstaFault => new CstaFault('operation', 'invalidParameterValue', why);
const invalidFile = (why: string): CstaFault => new CstaFault('operation', 'invalidFile', why);

/** Length of synthesised speech: 220 ms per CJK character, 65 ms per Latin letter or digit, 200 ms
 * per pause mark, at least 400 ms. */
export function estimateSpeechMs(text: string): number {
  let ms = 0;
  for (const ch of text) {
    if (/[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/u.test(ch)) ms += 220;
    else if (/[\p{L}\p{N}]/u.test(ch)) ms += 65;
    else if (/[,.;:!?，。；：！？、]/u.test(ch)) ms += 200;
  }
  return Math.max(400, ms);
}

export interface ParseInput {
  id: string;
  text?: string;
  lang?: string;
  bargeIn: boolean;
  promptDurationsMs: Readonly<Record<string, number>>;
}

export function parseMessageId(input: ParseInput): PlaySpec {
  const { id, bargeIn } = input;
  const text = input.text !== undefined && input.text !== '' ? input.text : undefined;
  const words = { ...(text !== undefined ? { text } : {}), ...(input.lang ? { lang: input.lang } : {}) };
  const base = { id, bargeIn, ...words };
  if (id === 'music') return { ...base, kind: 'music', nominalMs: null };
  const colon = id.indexOf(':');
  if (colon < 0) throw invalidMessage(`message id ${JSON.stringify(id.slice(0, 80))} has no scheme`);
  const scheme = id.slice(0, colon);
  const rest = id.slice(colon + 1);
  switch (scheme) {
    case 'prompt':
      if (!PROMPT_NAME.test(rest)) throw invalidMessage(`prompt name ${JSON.stringify(rest.slice(0, 80))}`);
      return { ...base, kind: 'prompt', ref: rest, nominalMs: input.promptDurationsMs[rest] ?? DEFAULT_PROMPT_MS };
    case 'file': {
      if (!isAbsolute(rest)) throw invalidMessage(`file ${JSON.stringify(rest.slice(0, 200))} is not an absolute path`);
      let durationMs: number;
      try {
        durationMs = readWavInfo(rest).durationMs;
      } catch (err) {
        if (err instanceof WavError) throw invalidFile(`${rest}: ${err.message}`);
        throw err;
      }
      // A file with the text it says is rendered speech: heard as tts, the file being its ref.
      return { ...base, kind: text !== undefined ? 'tts' : 'file', ref: rest, file: rest, nominalMs: durationMs };
    }
    case 'tts':
      if (!TTS_ID.test(rest)) throw invalidMessage(`tts id ${JSON.stringify(rest.slice(0, 80))}`);
      if (text === undefined) throw invalidMessage(`tts:${rest} without text to say`);
      return { ...base, kind: 'tts', ref: rest, nominalMs: estimateSpeechMs(text) };
    case 'tone':
      if (rest !== 'beep') throw invalidMessage(`unknown tone ${JSON.stringify(rest.slice(0, 80))} (the switch has beep)`);
      return { ...base, kind: 'tone', ref: rest, nominalMs: BEEP_MS };
    case 'silence': {
      const ms = /^\d{1,6}$/.test(rest) ? Number(rest) : NaN;
      if (!(ms >= 1 && ms <= MAX_SILENCE_MS)) throw invalidMessage(`silence:${rest.slice(0, 20)} (1…${MAX_SILENCE_MS} ms)`);
      return { ...base, kind: 'silence', nominalMs: ms };
    }
    default:
      throw invalidMessage(`unknown message scheme ${JSON.stringify(scheme.slice(0, 40))}`);
  }
}
