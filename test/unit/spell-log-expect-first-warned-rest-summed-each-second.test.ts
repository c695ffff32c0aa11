/**
 * A flood of the same warning (every IVR port busy, for each call of a burst) is logged as its
 * first occurrence at warn, the rest at debug, and a warn line per second counting them; a quiet
 * second ends the spell, and the next occurrence is warned again.
 */
import pino from 'pino';
import { expect, it } from 'vitest';
import { SpellLog } from '../../src/services/spell-log.ts';

function setUp() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const timers: { fn: () => void; cleared: boolean }[] = [];
  const log = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  const spell = SpellLog.plain(
    log,
    {
      setTimeout: (fn: () => void) => {
        const t = { fn, cleared: false };
        timers.push(t);
        return t;
      },
      clearTimeout: (t: unknown) => void ((t as { cleared: boolean }).cleared = true),
    },
    'every IVR port is busy',
  );
  /** Runs the timer armed last (one second passes). */
  const second = () => {
    const t = timers.at(-1)!;
    if (!t.cleared) t.fn();
  };
  const warns = () => lines.filter((l) => l.level === 40);
  return { spell, lines, timers, second, warns };
}

it('warns the first, sums up the rest each second, and starts again after a quiet second', () => {
  const { spell, lines, timers, second, warns } = setUp();
  for (let i = 0; i < 50; i++) spell.warn({ pbxCallId: `p${i}` });
  expect(warns()).toHaveLength(1);
  expect(warns()[0]).toMatchObject({ pbxCallId: 'p0' });
  expect(lines.filter((l) => l.level === 20)).toHaveLength(49); // each at debug, with its ids
  second();
  expect(warns()).toHaveLength(2);
  expect(warns()[1]).toMatchObject({ more: 49, spell: 50 });
  for (let i = 50; i < 60; i++) spell.warn({ pbxCallId: `p${i}` });
  second();
  expect(warns()[2]).toMatchObject({ more: 10, spell: 60 });
  second(); // a quiet second: no line, the spell ends
  expect(warns()).toHaveLength(3);
  const armed = timers.length;
  spell.warn({ pbxCallId: 'p99' });
  expect(warns()).toHaveLength(4);
  expect(warns()[3]).toMatchObject({ pbxCallId: 'p99' });
  expect(timers.length).toBe(armed + 1);
});

it('close() writes what is pending and stops the timer', () => {
  const { spell, timers, warns } = setUp();
  spell.warn({ n: 1 });
  spell.warn({ n: 2 });
  spell.close();
  expect(warns().at(-1)).toMatchObject({ more: 1 });
  expect(timers.at(-1)!.cleared).toBe(true);
});
