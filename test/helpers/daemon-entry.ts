/**
 * The daemon as a process of its own, for tests that measure it the way bench/e2e.ts does (its
 * event loop not shared with the test's simulator and clients). The same as src/main.ts — the
 * same environment variables, the same buildDaemon — with two differences: password hashing costs
 * what SCRYPT_LN says (default 15, the production cost), so that a test can afford hundreds of
 * logins; and admission control's process signals are out of reach unless the environment sets
 * them (helpers/config.ts, TEST_OVERLOAD_ENV). Stops cleanly on SIGTERM.
 */
import { loadConfig } from '../../src/config.ts';
import { buildDaemon } from '../../src/daemon.ts';
import { TEST_OVERLOAD_ENV } from './config.ts';

const ln = Number(process.env.SCRYPT_LN ?? 15);
const daemon = await buildDaemon(loadConfig({ ...TEST_OVERLOAD_ENV, ...process.env }), { scrypt: { ln, r: 8, p: 1 } });
const stop = () => {
  daemon.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
