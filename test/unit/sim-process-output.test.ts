import { expect, it } from 'vitest';
import { SIM_OUTPUT_LINE_CHARS, SimOutput } from '../../src/pbx-adapters/sim-process.ts';

const line = (o: object) => JSON.stringify({ time: 1, service: 'oxo-sim', ...o });

it("the reason is the message of the simulator's error and fatal log lines, with their err message when it adds to it", () => {
  const out = new SimOutput();
  out.push(line({ level: 30, msg: 'simulator configuration loaded' }));
  out.push(line({ level: 60, msg: 'simulator failed to start: control port 7070 (SIM_PORT) on 127.0.0.1 is in use (EADDRINUSE)', err: { message: 'listen EADDRINUSE: address already in use 127.0.0.1:7070', code: 'EADDRINUSE' } }));
  expect(out.reason()).toBe('simulator failed to start: control port 7070 (SIM_PORT) on 127.0.0.1 is in use (EADDRINUSE): listen EADDRINUSE: address already in use 127.0.0.1:7070');
  const cfg = new SimOutput();
  cfg.push(line({ level: 60, msg: 'invalid simulator configuration:\n  - maxMonitors: expected an integer in 1..1000000' }));
  expect(cfg.reason()).toBe('invalid simulator configuration:\n  - maxMonitors: expected an integer in 1..1000000');
});

it('without a log line of level error, the reason is the last lines as written (a crash before logging)', () => {
  const out = new SimOutput();
  out.push(line({ level: 30, msg: 'starting' }));
  for (const l of ['node:internal/modules/run_main:123', '    triggerUncaughtException(', 'Error: Cannot find module x', '', '  at y']) out.push(l);
  expect(out.reason()).toBe('node:internal/modules/run_main:123 |     triggerUncaughtException( | Error: Cannot find module x |   at y');
  expect(new SimOutput().reason()).toBeNull();
});

it('keeps the last lines only, each cut to a bounded length', () => {
  const out = new SimOutput(3);
  for (let i = 0; i < 10; i++) out.push(`line ${i}`);
  expect(out.tail).toEqual(['line 7', 'line 8', 'line 9']);
  out.push('x'.repeat(SIM_OUTPUT_LINE_CHARS * 3));
  expect(out.tail.at(-1)!.length).toBe(SIM_OUTPUT_LINE_CHARS + 1);
});
