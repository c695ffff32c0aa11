import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { configRefusal } from '../helpers/config.ts';

describe('OVERLOAD_* (admission control, docs/overload.md)', () => {
  it('is on by default, with production marks', () => {
    expect(loadConfig({}).overload).toEqual({ enabled: true, maxCallsInRouting: 5000, loopDelayMs: 100, loopUtilisation: 0.9, heapUsed: 0.85, storageBacklog: 0.5, windowMs: 1000 });
  });

  it('takes each variable, percentages as fractions', () => {
    const o = loadConfig({ OVERLOAD: '0', OVERLOAD_MAX_CALLS_IN_ROUTING: '2', OVERLOAD_LOOP_DELAY_MS: '50', OVERLOAD_LOOP_UTILISATION_PCT: '90', OVERLOAD_HEAP_PCT: '70', OVERLOAD_DB_BACKLOG_PCT: '25', OVERLOAD_WINDOW_MS: '500' }).overload;
    expect(o).toEqual({ enabled: false, maxCallsInRouting: 2, loopDelayMs: 50, loopUtilisation: 0.9, heapUsed: 0.7, storageBacklog: 0.25, windowMs: 500 });
    expect(loadConfig({ OVERLOAD: 'true' }).overload.enabled).toBe(true);
  });

  it('refuses a bad value with CONFIG_INVALID and a message naming the variable and its range', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ OVERLOAD: 'yes' }, /OVERLOAD must be 1\/0\/true\/false/],
      [{ OVERLOAD_MAX_CALLS_IN_ROUTING: '0' }, /OVERLOAD_MAX_CALLS_IN_ROUTING="0" must be an integer from 1 to 1000000/],
      [{ OVERLOAD_LOOP_DELAY_MS: '2.5' }, /OVERLOAD_LOOP_DELAY_MS="2.5" must be an integer from 5 to 60000/],
      [{ OVERLOAD_LOOP_UTILISATION_PCT: '101' }, /OVERLOAD_LOOP_UTILISATION_PCT="101" must be an integer from 20 to 100/],
      [{ OVERLOAD_HEAP_PCT: '100' }, /OVERLOAD_HEAP_PCT="100" must be an integer from 20 to 99/],
      [{ OVERLOAD_DB_BACKLOG_PCT: '0' }, /OVERLOAD_DB_BACKLOG_PCT="0" must be an integer from 1 to 100/],
      [{ OVERLOAD_WINDOW_MS: '50' }, /OVERLOAD_WINDOW_MS="50" must be an integer from 100 to 60000/],
    ];
    for (const [env, message] of cases) {
      const err = configRefusal(env);
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.message).toMatch(message);
    }
  });
});
