/**
 * Read-outs (智能报读): a value → what the caller hears, in zh-CN or en-US (../shared/spec/ivr.md,
 * "Read-outs"). Pure: the same input gives the same output, no clock, no I/O.
 *
 * `text` is one line of plain text — Chinese characters with no spaces, or lower-case English
 * words — ready for the TTS engine (never Arabic digits, which a TTS voice may read in another
 * language); `prompts` is the same read-out as the units a recorded prompt library holds (一, 千,
 * 零 …; "twenty", "one", "thousand" …), played in order when the library has them all.
 */
import * as en from './en-us.ts';
import { parseDate, parseDateTime, parseDecimal, parseDigits, parseDuration, parseMoney, parsePhone, parseTime, parseWhole, ReadOutError } from './values.ts';
import * as zh from './zh-cn.ts';

export { ReadOutError } from './values.ts';

export const READOUT_LANGS = ['zh-CN', 'en-US'] as const;
export type ReadOutLang = (typeof READOUT_LANGS)[number];
export const READOUT_KINDS = ['number', 'digits', 'money', 'date', 'time', 'datetime', 'duration', 'phone', 'ordinal', 'percent', 'temperature'] as const;
export type ReadOutKind = (typeof READOUT_KINDS)[number];

export interface ReadOut {
  text: string;
  prompts: string[];
}

/** What a language provides: the read-outs as tokens, and how its text is made of them. */
interface Language {
  read: typeof zh | typeof en;
  text: (tokens: string[]) => string;
  prompts: (tokens: string[]) => string[];
}

const LANGUAGES: Record<ReadOutLang, Language> = {
  'zh-CN': { read: zh, text: (t) => t.join(''), prompts: (t) => t },
  // A hyphenated pair ("twenty-one") is one word of the text, two prompts.
  'en-US': { read: en, text: (t) => t.join(' '), prompts: (t) => t.flatMap((w) => w.split('-')) },
};

export function readOut(lang: ReadOutLang, as: ReadOutKind, value: string): ReadOut {
  if (!(READOUT_LANGS as readonly string[]).includes(lang)) throw new ReadOutError(`lang "${String(lang)}" is not one of ${READOUT_LANGS.join(', ')}`);
  if (!(READOUT_KINDS as readonly string[]).includes(as)) throw new ReadOutError(`as "${String(as)}" is not one of ${READOUT_KINDS.join(', ')}`);
  if (typeof value !== 'string') throw new ReadOutError('value must be a string');
  const { read, text, prompts } = LANGUAGES[lang];
  const tokens = tokensOf(read, as, value);
  return { text: text(tokens), prompts: prompts(tokens) };
}

function tokensOf(read: typeof zh | typeof en, as: ReadOutKind, value: string): string[] {
  switch (as) {
    case 'number':
      return read.decimal(parseDecimal(value));
    case 'digits':
      return read.digits(parseDigits(value));
    case 'money':
      return read.money(parseMoney(value));
    case 'date':
      return read.date(parseDate(value));
    case 'time':
      return read.time(parseTime(value));
    case 'datetime': {
      const { date, time } = parseDateTime(value);
      return read.datetime(date, time);
    }
    case 'duration':
      return read.duration(parseDuration(value));
    case 'phone':
      return read.phone(parsePhone(value));
    case 'ordinal':
      return read.ordinal(parseWhole(value, 'an ordinal', 1));
    case 'percent':
      return read.percent(parseDecimal(value, 'a percentage'));
    case 'temperature':
      return read.temperature(parseDecimal(value, 'a temperature'));
  }
}
