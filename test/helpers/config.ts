/** Config tests: the ConfigError `loadConfig` throws for an environment. */
import { ConfigError, loadConfig } from '../../src/config.ts';

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
