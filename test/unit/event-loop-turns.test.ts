import { describe, expect, it } from 'vitest';
import { EventLoopTurns } from '../../src/services/event-loop-turns.ts';

/** A scheduler the test runs by hand: each `tick()` is one event-loop iteration. */
function manual() {
  const pending: (() => void)[] = [];
  return {
    schedule: (fn: () => void) => void pending.push(fn),
    get scheduled() {
      return pending.length;
    },
    async tick() {
      const fns = pending.splice(0);
      for (const fn of fns) fn();
      await Promise.resolve();
    },
  };
}

describe('EventLoopTurns', () => {
  it('hands out one turn per iteration, first come first served', async () => {
    const loop = manual();
    const turns = new EventLoopTurns(loop.schedule);
    const order: number[] = [];
    for (let i = 0; i < 3; i++) void turns.take().then(() => order.push(i));
    expect(turns.length).toBe(3);
    expect(loop.scheduled).toBe(1);
    await loop.tick();
    expect(order).toEqual([0]);
    await loop.tick();
    expect(order).toEqual([0, 1]);
    await loop.tick();
    expect(order).toEqual([0, 1, 2]);
    expect(turns.length).toBe(0);
  });

  it('schedules nothing while nobody waits, and starts again for a newcomer', async () => {
    const loop = manual();
    const turns = new EventLoopTurns(loop.schedule);
    expect(loop.scheduled).toBe(0);
    const first = turns.take();
    await loop.tick();
    await first;
    expect(loop.scheduled).toBe(0);
    let got = false;
    void turns.take().then(() => (got = true));
    expect(loop.scheduled).toBe(1);
    await loop.tick();
    expect(got).toBe(true);
  });

  it('with the real event loop, I/O callbacks queued meanwhile run between two turns', async () => {
    const turns = new EventLoopTurns();
    const seen: string[] = [];
    const a = turns.take().then(() => {
      seen.push('login 1');
      // Work that becomes ready while login 1 runs (as the switch's next event would).
      setTimeout(() => seen.push('timer'), 0);
      const until = Date.now() + 3;
      while (Date.now() < until);
    });
    const b = turns.take().then(() => seen.push('login 2'));
    await Promise.all([a, b]);
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(['login 1', 'timer', 'login 2']);
  });
});
