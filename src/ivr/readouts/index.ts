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

export function readOut(lang: ReadOutLang, as: ReadOutKind, value: string): ReadOut {
  if (!(READOUT_LANGS as readonly string[]).includes(lang)) throw new ReadOutError(`lang "${String(lang)}" is not one of ${READOUT_LANGS.join(', ')}`);
  if (!(READOUT_KINDS as readonly string[]).includes(as)) throw new ReadOutError(`as "${String(as)}" is not one of ${READOUT_KINDS.join(', ')}`);
  if (typeof value !== 'string') throw new ReadOutError('value must be a string');
  return lang === 'zh-CN' ? zhReadOut(as, value) : enReadOut(as, value);
}

function zhReadOut(as: ReadOutKind, value: string): ReadOut {
  const tokens = ((): string[] => {
    switch (as) {
      case 'number':
        return zh.decimal(parseDecimal(value));
      case 'digits':
        return zh.digits(parseDigits(value));
      case 'money':
        return zh.money(parseMoney(value));
      case 'date':
        return zh.date(parseDate(value));
      case 'time':
        return zh.time(parseTime(value));
      case 'datetime': {
        const { date, time } = parseDateTime(value);
        return [...zh.date(date, false), ...zh.time(time)];
      }
      case 'duration':
        return zh.duration(parseDuration(value));
      case 'phone':
        return zh.phone(parsePhone(value));
      case 'ordinal':
        return zh.ordinal(parseWhole(value, 'an ordinal', 1));
      case 'percent':
        return zh.percent(parseDecimal(value, 'a percentage'));
      case 'temperature':
        return zh.temperature(parseDecimal(value, 'a temperature'));
    }
  })();
  return { text: tokens.join(''), prompts: tokens };
}

function enReadOut(as: ReadOutKind, value: string): ReadOut {
  const words = ((): string[] => {
    switch (as) {
      case 'number':
        return en.decimal(parseDecimal(value));
      case 'digits':
        return en.digits(parseDigits(value));
      case 'money':
        return en.money(parseMoney(value));
      case 'date':
        return en.date(parseDate(value));
      case 'time':
        return en.time(parseTime(value));
      case 'datetime': {
        const { date, time } = parseDateTime(value);
        return [...en.date(date), 'at', ...en.time(time)];
      }
      case 'duration':
        return en.duration(parseDuration(value));
      case 'phone':
        return en.phone(parsePhone(value));
      case 'ordinal':
        return en.ordinal(parseWhole(value, 'an ordinal', 1));
      case 'percent':
        return en.percent(parseDecimal(value, 'a percentage'));
      case 'temperature':
        return en.temperature(parseDecimal(value, 'a temperature'));
    }
  })();
  return { text: words.join(' '), prompts: words.flatMap((w) => w.split('-')) };
}
