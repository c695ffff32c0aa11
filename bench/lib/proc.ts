/**
 * Reads a process's CPU time and memory from /proc (Linux), so the benchmark can measure the
 * daemon child process from the outside: user+system CPU seconds from /proc/<pid>/stat, resident
 * memory now (VmRSS) and its high-water mark (VmHWM) from /proc/<pid>/status.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

let clkTck: number | null = null;

/** Clock ticks per second of /proc/<pid>/stat times (almost always 100). */
function ticksPerSecond(): number {
  if (clkTck === null) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

export interface CpuTimes {
  /** Seconds of user CPU since the process started. */
  user: number;
  /** Seconds of system CPU since the process started. */
  sys: number;
  /** When it was read (process.hrtime.bigint()). */
  at: bigint;
}

export function readCpu(pid: number): CpuTimes {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  const tck = ticksPerSecond();
  return { user: Number(rest[11]) / tck, sys: Number(rest[12]) / tck, at: process.hrtime.bigint() };
}

export interface CpuRate {
  /** CPU seconds (user + sys) per wall second: 1.0 = one core busy all the time. */
  total: number;
  user: number;
  sys: number;
  wallS: number;
}

export function cpuBetween(a: CpuTimes, b: CpuTimes): CpuRate {
  const wallS = Number(b.at - a.at) / 1e9;
  return { total: (b.user - a.user + b.sys - a.sys) / wallS, user: (b.user - a.user) / wallS, sys: (b.sys - a.sys) / wallS, wallS };
}

export interface Memory {
  /** Resident set now, MiB. */
  rssMiB: number;
  /** Peak resident set since the process started, MiB. */
  hwmMiB: number;
}

export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) : Number.NaN;
  };
  return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return { cpus: list.length, cpuModel: list[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}` };
}

/** 1, 5 and 15 minute load averages. */
export function loadAverage(): [number, number, number] {
  const [a, b, c] = loadavg();
  return [a ?? 0, b ?? 0, c ?? 0];
}
