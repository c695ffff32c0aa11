/**
 * The simulated switch in a child process of its own for `npm run bench:ivr`
 * (`node --import tsx src/pbx-adapters/oxo-sim/main.ts`, its own entry point), so that neither
 * the switch's work (30 voice units, their timers, the control API) nor the bench's shares an
 * event loop with the relay that timestamps the link. Ports are chosen by the OS; the child says
 * which on its first line of stdout. Stopped with SIGTERM (SIGKILL after a grace period).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './daemon-process.ts';

export interface SimProcess {
  readonly pid: number;
  readonly cstaPort: number;
  readonly controlPort: number;
  readonly url: string;
  tail(): string[];
  stop(graceMs?: number): Promise<void>;
}

export async function startSimProcess(opts: { dir: string; config: Record<string, unknown>; logLevel?: string; startTimeoutMs?: number }): Promise<SimProcess> {
  const configFile = join(opts.dir, 'sim-config.json');
  writeFileSync(configFile, JSON.stringify(opts.config));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/pbx-adapters/oxo-sim/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, CSTA_PORT: '0', SIM_PORT: '0', HOST: '127.0.0.1', SIM_CONFIG: configFile, LOG_LEVEL: opts.logLevel ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('could not start the simulator');
  const pid = child.pid;
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
    if (lines.length > 200) lines.shift();
  };
  createInterface({ input: child.stderr! }).on('line', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  const ready = await new Promise<{ cstaPort: number; controlPort: number }>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the simulator was not ready within ${opts.startTimeoutMs ?? 30_000} ms:\n${lines.slice(-20).join('\n')}`)), opts.startTimeoutMs ?? 30_000);
    void exit.then(() => reject(new Error(`the simulator exited before it was ready:\n${lines.slice(-20).join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(line);
      try {
        const m = JSON.parse(line) as { sim?: string; cstaPort?: number; controlPort?: number };
        if (m.sim === 'ready' && m.cstaPort && m.controlPort) {
          clearTimeout(t);
          resolve({ cstaPort: m.cstaPort, controlPort: m.controlPort });
        }
      } catch {
        // not the ready line
      }
    });
  }).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });

  return {
    pid,
    ...ready,
    url: `http://127.0.0.1:${ready.controlPort}`,
    tail: () => [...lines],
    stop: async (graceMs = 5000) => {
      if (exited) return;
      child.kill('SIGTERM');
      const k = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(k);
    },
  };
}
