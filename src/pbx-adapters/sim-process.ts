/**
 * Starts the simulated switch as its own process (PBX=sim) and waits for its ready line, which
 * tells the ports it bound. The daemon then talks to it only over CSTA, like to any switch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';

export interface SimProcess {
  cstaPort: number;
  controlPort: number;
  pid: number;
  stop(): Promise<void>;
}

export async function startSimProcess(opts: { simPort: number; cstaPort: number; host: string; logLevel: string; log: Logger; timeoutMs?: number }): Promise<SimProcess> {
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const entry = fileURLToPath(new URL(`./oxo-sim/main.${fromSource ? 'ts' : 'js'}`, here));
  const args = fromSource ? ['--import', 'tsx', entry] : [entry];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, SIM_PORT: String(opts.simPort), CSTA_PORT: String(opts.cstaPort), HOST: opts.host, LOG_LEVEL: opts.logLevel },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = opts.log.child({ component: 'sim-process', pid: child.pid });
  // The simulator logs JSON lines to stderr; pass them through at their level.
  createInterface({ input: child.stderr! }).on('line', (line) => log.debug({ sim: line.slice(0, 2000) }, 'simulator'));

  const ready = await new Promise<{ cstaPort: number; controlPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('simulator did not start in time')), opts.timeoutMs ?? 20_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { sim?: string; cstaPort?: number; controlPort?: number };
        if (msg.sim === 'ready' && typeof msg.cstaPort === 'number' && typeof msg.controlPort === 'number') {
          clearTimeout(timer);
          resolve({ cstaPort: msg.cstaPort, controlPort: msg.controlPort });
        }
      } catch {
        log.debug({ line }, 'simulator stdout');
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited with code ${code} before it was ready`));
    });
  });
  child.on('exit', (code, signal) => log.warn({ code, signal }, 'simulator process exited'));

  return {
    ...ready,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
