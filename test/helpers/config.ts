/** Config tests: the ConfigError `loadConfig` throws for an environment. */
import { ConfigError, defaultConfig, loadConfig, type OverloadConfig } from '../../src/config.ts';

/** The error loadConfig throws for `env`, or a failure when it throws none. */
export function configRefusal(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('loadConfig accepted it');
}

/**
 * Admission control for daemons built by tests: on, with the production count limits, but the
 * process signals (event loop, heap) out of reach. A test's daemon shares two cores with the
 * simulator, other test files and benchmarks; its loop being late for a second says more about
 * the machine than about the daemon, and a call refused for it would fail a test about something
 * else. Tests of overload set their own (overload-*.test.ts); the marks themselves are unit-tested.
 */
export const TEST_OVERLOAD: Readonly<OverloadConfig> = Object.freeze({ ...defaultConfig().overload, loopDelayMs: 60_000, loopUtilisation: 1.01, heapUsed: 0.99 });

/** The same for a daemon configured from the environment (test/helpers/daemon-entry.ts). */
export const TEST_OVERLOAD_ENV: Readonly<Record<string, string>> = Object.freeze({ OVERLOAD_LOOP_DELAY_MS: '60000', OVERLOAD_LOOP_UTILISATION_PCT: '100', OVERLOAD_HEAP_PCT: '99' });
