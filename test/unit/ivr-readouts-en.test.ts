/** English (en-US) read-outs, table-driven; and the values every read-out refuses. */
import { describe, expect, it } from 'vitest';
import { readOut, ReadOutError, type ReadOutKind, type ReadOutLang } from '../../src/ivr/readouts/index.ts';

const cases: [ReadOutKind, string, string][] = [
  ['number', '0', 'zero'],
  ['number', '1', 'one'],
  ['number', '7', 'seven'],
  ['number', '10', 'ten'],
  ['number', '13', 'thirteen'],
  ['number', '19', 'nineteen'],
  ['number', '20', 'twenty'],
  ['number', '21', 'twenty-one'],
  ['number', '45', 'forty-five'],
  ['number', '99', 'ninety-nine'],
  ['number', '100', 'one hundred'],
  ['number', '101', 'one hundred one'],
  ['number', '110', 'one hundred ten'],
  ['number', '999', 'nine hundred ninety-nine'],
  ['number', '1000', 'one thousand'],
  ['number', '1005', 'one thousand five'],
  ['number', '1010', 'one thousand ten'],
  ['number', '10100', 'ten thousand one hundred'],
  ['number', '100000', 'one hundred thousand'],
  ['number', '1000000', 'one million'],
  ['number', '1000001', 'one million one'],
  ['number', '100010000', 'one hundred million ten thousand'],
  ['number', '1234567', 'one million two hundred thirty-four thousand five hundred sixty-seven'],
  ['number', '2000000000', 'two billion'],
  ['number', '1000000000000', 'one trillion'],
  ['number', '9999999999999999', 'nine quadrillion nine hundred ninety-nine trillion nine hundred ninety-nine billion nine hundred ninety-nine million nine hundred ninety-nine thousand nine hundred ninety-nine'],
  ['number', '-3', 'minus three'],
  ['number', '-3.5', 'minus three point five'],
  ['number', '3.14', 'three point one four'],
  ['number', '0.05', 'zero point zero five'],
  ['number', '10.50', 'ten point five'],
  ['number', '007', 'seven'],
  ['digits', '1234', 'one two three four'],
  ['digits', '007', 'zero zero seven'],
  ['phone', '4155550100', 'four one five five five five zero one zero zero'],
  ['phone', '+1 415-555-0100', 'plus one four one five five five five zero one zero zero'],
  ['money', '0', 'zero dollars'],
  ['money', '1', 'one dollar'],
  ['money', '2', 'two dollars'],
  ['money', '12.05', 'twelve dollars and five cents'],
  ['money', '12.5', 'twelve dollars and fifty cents'],
  ['money', '0.01', 'one cent'],
  ['money', '0.99', 'ninety-nine cents'],
  ['money', '1.01', 'one dollar and one cent'],
  ['money', '1005.30', 'one thousand five dollars and thirty cents'],
  ['money', '-20', 'minus twenty dollars'],
  ['money', '1000000', 'one million dollars'],
  ['date', '2026-12-01', 'tuesday december first twenty twenty-six'],
  ['date', '2000-01-01', 'saturday january first two thousand'],
  ['date', '2005-03-02', 'wednesday march second two thousand five'],
  ['date', '1999-12-31', 'friday december thirty-first nineteen ninety-nine'],
  ['date', '1905-07-04', 'tuesday july fourth nineteen oh five'],
  ['date', '1900-05-23', 'wednesday may twenty-third nineteen hundred'],
  ['date', '2010-08-12', 'thursday august twelfth twenty ten'],
  ['date', '2100-06-22', 'tuesday june twenty-second twenty-one hundred'],
  ['time', '14:05', 'two oh five p.m.'],
  ['time', '14:30', 'two thirty p.m.'],
  ['time', '14:00', 'two p.m.'],
  ['time', '00:00', 'twelve a.m.'],
  ['time', '00:15', 'twelve fifteen a.m.'],
  ['time', '12:00', 'twelve p.m.'],
  ['time', '09:09', 'nine oh nine a.m.'],
  ['time', '23:59', 'eleven fifty-nine p.m.'],
  ['time', '08:00:01', 'eight a.m. and one second'],
  ['datetime', '2026-12-01T14:05', 'tuesday december first twenty twenty-six at two oh five p.m.'],
  ['duration', '0', 'zero seconds'],
  ['duration', '1', 'one second'],
  ['duration', '60', 'one minute'],
  ['duration', '61', 'one minute one second'],
  ['duration', '3725', 'one hour two minutes five seconds'],
  ['duration', '7200', 'two hours'],
  ['ordinal', '1', 'first'],
  ['ordinal', '2', 'second'],
  ['ordinal', '3', 'third'],
  ['ordinal', '4', 'fourth'],
  ['ordinal', '5', 'fifth'],
  ['ordinal', '8', 'eighth'],
  ['ordinal', '9', 'ninth'],
  ['ordinal', '11', 'eleventh'],
  ['ordinal', '12', 'twelfth'],
  ['ordinal', '20', 'twentieth'],
  ['ordinal', '21', 'twenty-first'],
  ['ordinal', '100', 'one hundredth'],
  ['ordinal', '101', 'one hundred first'],
  ['ordinal', '1000000', 'one millionth'],
  ['percent', '12.5', 'twelve point five percent'],
  ['percent', '100', 'one hundred percent'],
  ['temperature', '25', 'twenty-five degrees celsius'],
  ['temperature', '1', 'one degree celsius'],
  ['temperature', '-5', 'minus five degrees celsius'],
  ['temperature', '36.6', 'thirty-six point six degrees celsius'],
];

describe('en-US read-outs', () => {
  it(`has at least 80 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(80));

  it.each(cases)('%s %s → %s', (as, value, text) => {
    const r = readOut('en-US', as, value);
    expect(r.text).toBe(text);
    // Lower-case words, no digits; the prompts are the words, a hyphenated pair as two.
    expect(text).toMatch(/^[a-z.\- ]+$/);
    expect(r.prompts).toEqual(text.split(/[ -]/));
  });
});

describe('values a read-out refuses', () => {
  const bad: [ReadOutKind, string, RegExp][] = [
    ['number', '', /not a decimal/],
    ['number', '1,000', /not a decimal/],
    ['number', '1e5', /not a decimal/],
    ['number', '12345678901234567', /too large/],
    ['number', '1.123456789', /more than 8 digits after the point/],
    ['money', '1.234', /not an amount of money/],
    ['money', '$5', /not an amount of money/],
    ['date', '2026-02-30', /not a date of the calendar/],
    ['date', '2026-1-5', /not an ISO date/],
    ['time', '24:00', /not a time of day/],
    ['time', '7:05', /not a time/],
    ['datetime', '2026-12-01 14:05', /not an ISO date and time/],
    ['duration', '-5', /not a duration/],
    ['duration', '1.5', /not a duration/],
    ['phone', 'call me', /not a phone number/],
    ['phone', '123-', /not a phone number/],
    ['digits', '12a', /not a string of digits/],
    ['ordinal', '0', /at least 1/],
    ['percent', 'half', /not a percentage/],
    ['temperature', 'warm', /not a temperature/],
  ];
  it.each(bad)('%s %j is refused: %s', (as, value, message) => {
    for (const lang of ['zh-CN', 'en-US'] as ReadOutLang[]) {
      let err: unknown;
      try {
        readOut(lang, as, value);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ReadOutError);
      expect((err as ReadOutError).code).toBe('BAD_REQUEST');
      expect((err as Error).message).toMatch(message);
    }
  });

  it('an unknown language or kind is refused by name', () => {
    expect(() => readOut('fr-FR' as ReadOutLang, 'number', '1')).toThrow(/lang "fr-FR"/);
    expect(() => readOut('en-US', 'roman' as ReadOutKind, '1')).toThrow(/as "roman"/);
  });
});
