import { afterEach, describe, expect, it, vi } from 'vitest';
import { safely, safeTimers } from '../../src/services/ports.ts';

afterEach(() => {
  vi.useRealTimers();
});

function recorder() {
  const errors: { obj: object; msg: string }[] = [];
  return { errors, log: { error: (obj: object, msg: string) => void errors.push({ obj, msg }) } };
}

describe('no timer callback may throw into the event loop', () => {
  it('a throwing timer callback is logged, and later timers still run', () => {
    vi.useFakeTimers();
    const { errors, log } = recorder();
    const timers = safeTimers(log);
    const ran: string[] = [];
    timers.setTimeout(() => {
      throw new Error('boom');
    }, 10);
    timers.setTimeout(() => ran.push('next'), 20);
    expect(() => vi.advanceTimersByTime(30)).not.toThrow();
    expect(ran).toEqual(['next']);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.obj).toMatchObject({ what: 'timer', err: expect.objectContaining({ message: 'boom' }) });
  });

  it('clearTimeout cancels', () => {
    vi.useFakeTimers();
    const timers = safeTimers(recorder().log);
    const ran: number[] = [];
    const h = timers.setTimeout(() => ran.push(1), 10);
    timers.clearTimeout(h);
    vi.advanceTimersByTime(20);
    expect(ran).toEqual([]);
  });

  it('safely: a thrown error and a rejected promise are both logged with what failed', async () => {
    const { errors, log } = recorder();
    safely(log, 'housekeeping', () => {
      throw new Error('sync');
    });
    safely(log, 'housekeeping', () => Promise.reject(new Error('async')));
    await new Promise((r) => setImmediate(r));
    expect(errors.map((e) => (e.obj as { err: Error }).err.message)).toEqual(['sync', 'async']);
    expect(errors.every((e) => (e.obj as { what: string }).what === 'housekeeping')).toBe(true);
  });
});
