/**
 * Mandarin read-outs (zh-CN), as a person says them. Each returns the words as tokens — the units
 * a prompt library records (一, 千, 零, 万, 元, 点 …) — and the text is their concatenation.
 *
 * The rules, and where the open peers go wrong:
 * - 万/亿 grouping (above 10^12 the count of 亿 takes 万: 一万二千亿); one 零 for each run of skipped places, also across a 万/亿
 *   boundary: 1005 一千零五, 1010 一千零一十, 10100 一万零一百, 100010000 一亿零一万, 100000 十万; zeros
 *   at the end of a count of 万 or 亿 are not read (201000 二十万一千).
 * - 十 without 一 only at the very start (15 十五, 100000 十万), else 一十 (110 一百一十).
 * - 两 for a leading 2 before 百/千/万/亿 (两百, 两千二百二十二, 两万) and for a count of 2 before a
 *   measure word (两点, 两小时, 两元); 二 in the tens and ones and elsewhere (十二, 二十二, 二月).
 * - Decimals digit by digit after 点 (三点五, 零点零五); 负 for negatives.
 * - Years digit by digit (二零二六年); 月, 日, 星期; 点/分/秒 with 零 before a one-digit minute; 元角分
 *   with 零 for a missing 角 and 整 for a whole amount (12.05 十二元零五分, 12 十二元整); phone digits
 *   with 幺 for 1.
 */
import type { CalendarDate, ClockTime, Decimal } from './values.ts';

const DIGIT = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const PLACE = ['', '十', '百', '千'];
const WEEKDAY = ['日', '一', '二', '三', '四', '五', '六'];

/**
 * A whole number (digit string, up to 16 digits). `leadingLiang`: a leading 2 before 百/千/万/亿 is
 * 两. Read as a person does, by 亿 and 万: the count of 亿 (itself a number with 万 above 10^12:
 * 一万二千三百四十五亿), 亿, then the rest; likewise the count of 万, 万, the rest. Zeros at the end
 * of a count are not read (201000 二十万一千, 1000010000000 一万亿一千万); a rest that does not
 * fill its places starts with one 零 (200100 二十万零一百, 100010000 一亿零一万), and so does each run
 * of zeros inside four places (1005 一千零五). 十 without 一 only at the very start (十五, 十万, but
 * 一百一十, 一千零一十).
 */
export function integer(int: string, leadingLiang = true): string[] {
  if (!/^[0-9]{1,16}$/.test(int)) throw new RangeError('too many digits');
  const n = BigInt(int);
  if (n === 0n) return ['零'];
  return bigNumber(n, true, leadingLiang, false);
}

const WAN = 10_000n;
const YI = 100_000_000n;

function bigNumber(n: bigint, first: boolean, liang: boolean, beforeUnit: boolean): string[] {
  for (const [unit, size, fill] of [['亿', YI, 10_000_000n], ['万', WAN, 1000n]] as const) {
    if (n < size) continue;
    const out = [...bigNumber(n / size, first, liang, true), unit];
    const rest = n % size;
    if (rest === 0n) return out;
    if (rest < fill) out.push('零');
    return [...out, ...bigNumber(rest, false, liang, false)];
  }
  return fourPlaces(Number(n), first, liang, beforeUnit);
}

/** 1–9999. `first`: nothing was said before (十五 not 一十五); `beforeUnit`: 万 or 亿 follows. */
function fourPlaces(n: number, first: boolean, liang: boolean, beforeUnit: boolean): string[] {
  const digits = String(n).padStart(4, '0');
  const out: string[] = [];
  let started = false;
  let pendingZero = false;
  for (let i = 0; i < 4; i++) {
    const d = Number(digits[i]);
    const place = 3 - i;
    if (d === 0) {
      if (started) pendingZero = true;
      continue;
    }
    if (pendingZero) out.push('零');
    pendingZero = false;
    const leading = !started;
    started = true;
    if (d === 1 && place === 1 && leading && first) {
      out.push('十'); // 十五, 十万: no 一 at the very start
      continue;
    }
    // The number's first digit, a 2, before 百/千 — or alone before 万/亿: 两.
    const liangHere = liang && d === 2 && leading && first && (place >= 2 || (place === 0 && beforeUnit));
    out.push(liangHere ? '两' : DIGIT[d]!);
    if (PLACE[place]) out.push(PLACE[place]!);
  }
  return out;
}

/** A count before a measure word: exactly 2 is 两 (两点, 两小时, 两元), otherwise as `integer`. */
export function count(n: number | string): string[] {
  const s = String(n);
  return s === '2' ? ['两'] : integer(s);
}

export function digits(s: string, one = '一'): string[] {
  return [...s].map((c) => (c === '1' ? one : DIGIT[Number(c)]!));
}

export function decimal(d: Decimal): string[] {
  const out = d.negative ? ['负'] : [];
  out.push(...integer(d.int));
  if (d.frac && !/^0*$/.test(d.frac)) out.push('点', ...digits(d.frac.replace(/0+$/, '')));
  return out;
}

export function money(m: { negative: boolean; units: string; cents: number }): string[] {
  const out = m.negative ? ['负'] : [];
  const jiao = Math.floor(m.cents / 10);
  const fen = m.cents % 10;
  const whole = m.units !== '0';
  if (whole) out.push(...(m.units === '2' ? ['两'] : integer(m.units)), '元');
  if (jiao === 0 && fen === 0) return whole ? [...out, '整'] : [...out, '零', '元'];
  if (jiao > 0) out.push(...count(jiao), '角');
  else if (whole) out.push('零'); // 十二元零五分
  if (fen > 0) out.push(...count(fen), '分');
  return out;
}

export function date(d: CalendarDate, withWeekday = true): string[] {
  const out = [...digits(String(d.year).padStart(4, '0'), '一'), '年', ...integer(String(d.month), false), '月', ...integer(String(d.day), false), '日'];
  if (withWeekday) out.push('星期', WEEKDAY[d.weekday]!);
  return out;
}

/** Date and time without the weekday: 星期二十四点 would mislead. */
export function datetime(d: CalendarDate, t: ClockTime): string[] {
  return [...date(d, false), ...time(t)];
}

export function time(t: ClockTime): string[] {
  const out = [...count(t.hour), '点'];
  if (t.minute === 0 && !t.second) return [...out, '整'];
  out.push(...sixty(t.minute), '分');
  if (t.second) out.push(...sixty(t.second), '秒');
  return out;
}

/** Minutes and seconds of a clock: 零 before one digit (零五分, 零分). */
function sixty(n: number): string[] {
  if (n === 0) return ['零'];
  return n < 10 ? ['零', DIGIT[n]!] : integer(String(n), false);
}

export function duration(d: { hours: number; minutes: number; seconds: number }): string[] {
  const out: string[] = [];
  if (d.hours) out.push(...count(d.hours), '小时');
  if (d.minutes) out.push(...count(d.minutes), '分');
  if (d.seconds || out.length === 0) out.push(...(d.seconds ? count(d.seconds) : ['零']), '秒');
  return out;
}

export function phone(p: { plus: boolean; digits: string }): string[] {
  return [...(p.plus ? ['加'] : []), ...digits(p.digits, '幺')];
}

export function ordinal(int: string): string[] {
  return ['第', ...integer(int, false)];
}

export function percent(d: Decimal): string[] {
  return [...(d.negative ? ['负'] : []), '百分之', ...decimal({ ...d, negative: false })];
}

export function temperature(d: Decimal): string[] {
  const n = d.int === '2' && (d.frac === '' || /^0+$/.test(d.frac)) ? ['两'] : decimal({ ...d, negative: false });
  return [...(d.negative ? ['零下'] : []), ...n, '摄氏度'];
}
