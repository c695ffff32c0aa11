/**
 * English read-outs (en-US), lower-case words. Tokens are the words a prompt library records
 * ("twenty", "one", "thousand", "dollars" …); the text joins them with spaces, and 21–99 with a
 * hyphen ("twenty-one"). American usage: no "and" inside numbers (one hundred five), years as
 * spoken (twenty twenty-six, nineteen oh five, two thousand five), dollars and cents, 12-hour times
 * with "oh" and a.m./p.m. (two oh five p.m.), "minus" for negatives.
 */
import type { CalendarDate, ClockTime, Decimal } from './values.ts';

/** A read-out as words; a hyphenated pair ("twenty-one") is one word of the text, two tokens. */
export type Words = string[];

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALE = ['', 'thousand', 'million', 'billion', 'trillion', 'quadrillion'];
const MONTH = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAY = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const ORDINAL_WORD: Record<string, string> = { one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth' };

/** 0–99 as words ("twenty-one" is one word). */
function belowHundred(n: number): Words {
  if (n < 20) return [ONES[n]!];
  const t = TENS[Math.floor(n / 10)]!;
  return n % 10 ? [`${t}-${ONES[n % 10]}`] : [t];
}

function belowThousand(n: number): Words {
  const out: Words = [];
  if (n >= 100) out.push(ONES[Math.floor(n / 100)]!, 'hundred');
  if (n % 100 || n === 0) out.push(...belowHundred(n % 100));
  return out;
}

/** A whole number (digit string, up to 16 digits). */
export function integer(int: string): Words {
  if (/^0*$/.test(int)) return ['zero'];
  const groups: number[] = [];
  for (let end = int.length; end > 0; end -= 3) groups.unshift(Number(int.slice(Math.max(0, end - 3), end)));
  if (groups.length > SCALE.length) throw new RangeError('too many digits');
  const out: Words = [];
  groups.forEach((g, i) => {
    if (g === 0) return;
    out.push(...belowThousand(g));
    const scale = SCALE[groups.length - 1 - i]!;
    if (scale) out.push(scale);
  });
  return out;
}

export function digits(s: string): Words {
  return [...s].map((c) => ONES[Number(c)]!);
}

export function decimal(d: Decimal): Words {
  const out: Words = d.negative ? ['minus'] : [];
  out.push(...integer(d.int));
  const frac = d.frac.replace(/0+$/, '');
  if (frac) out.push('point', ...digits(frac));
  return out;
}

export function money(m: { negative: boolean; units: string; cents: number }): Words {
  const out: Words = m.negative ? ['minus'] : [];
  const whole = m.units !== '0';
  if (whole || m.cents === 0) out.push(...integer(m.units), m.units === '1' ? 'dollar' : 'dollars');
  if (m.cents) {
    if (whole) out.push('and');
    out.push(...belowHundred(m.cents), m.cents === 1 ? 'cent' : 'cents');
  }
  return out;
}

/** A year as spoken: 2026 twenty twenty-six, 1905 nineteen oh five, 2005 two thousand five, 1900 nineteen hundred. */
export function year(y: number): Words {
  if (y < 1000 || (y >= 2000 && y < 2010) || y % 1000 === 0) return integer(String(y));
  const hi = Math.floor(y / 100);
  const lo = y % 100;
  if (lo === 0) return [...belowHundred(hi), 'hundred'];
  return [...belowHundred(hi), ...(lo < 10 ? ['oh', ONES[lo]!] : belowHundred(lo))];
}

export function ordinal(int: string): Words {
  const words = integer(int);
  const last = words[words.length - 1]!;
  const [head, tail] = last.includes('-') ? [`${last.split('-')[0]}-`, last.split('-')[1]!] : ['', last];
  const ord = ORDINAL_WORD[tail] ?? (tail.endsWith('y') ? `${tail.slice(0, -1)}ieth` : `${tail}th`);
  return [...words.slice(0, -1), `${head}${ord}`];
}

export function date(d: CalendarDate, withWeekday = true): Words {
  return [...(withWeekday ? [WEEKDAY[d.weekday]!] : []), MONTH[d.month - 1]!, ...ordinal(String(d.day)), ...year(d.year)];
}

export function datetime(d: CalendarDate, t: ClockTime): Words {
  return [...date(d), 'at', ...time(t)];
}

export function time(t: ClockTime): Words {
  const h12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  const out: Words = [...belowHundred(h12)];
  if (t.minute) out.push(...(t.minute < 10 ? ['oh', ONES[t.minute]!] : belowHundred(t.minute)));
  out.push(t.hour < 12 ? 'a.m.' : 'p.m.');
  if (t.second) out.push('and', ...belowHundred(t.second), t.second === 1 ? 'second' : 'seconds');
  return out;
}

export function duration(d: { hours: number; minutes: number; seconds: number }): Words {
  const out: Words = [];
  const part = (n: number, unit: string) => out.push(...integer(String(n)), n === 1 ? unit : `${unit}s`);
  if (d.hours) part(d.hours, 'hour');
  if (d.minutes) part(d.minutes, 'minute');
  if (d.seconds || out.length === 0) part(d.seconds, 'second');
  return out;
}

export function phone(p: { plus: boolean; digits: string }): Words {
  return [...(p.plus ? ['plus'] : []), ...digits(p.digits)];
}

export function percent(d: Decimal): Words {
  return [...decimal(d), 'percent'];
}

export function temperature(d: Decimal): Words {
  const one = d.int === '1' && /^0*$/.test(d.frac);
  return [...decimal(d), one ? 'degree' : 'degrees', 'celsius'];
}
