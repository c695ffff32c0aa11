/**
 * Configuration of the simulated switch: its numbering plan (which numbers are extensions,
 * routing devices, queue devices, IVR ports), routing fallbacks and timers. `DEFAULT_SIM_CONFIG`
 * is the embedded default; `loadSimConfig(path)` reads a JSON file (as `SIM_CONFIG` points to),
 * merges it over the default and validates it, with errors that name the offending field.
 *
 * A real OmniPCX Office accepts at most 208 monitors (and 28 CSTA sessions); so does the
 * simulator by default (`maxMonitors`, over all links). Benchmarks with hundreds of agents raise it
 * in their own configuration.
 */
import { readFileSync } from 'node:fs';

export interface NumberRange {
  from: number;
  to: number;
}

export interface SimConfig {
  /** Agent and supervisor phones. */
  extensions: NumberRange[];
  /** Pilot numbers: calls arriving here are offered to the CTI with RouteRequest. */
  routingDevices: NumberRange[];
  /** Music-on-hold parking devices where callers wait. */
  queueDevices: NumberRange[];
  /** IVR ports: answer at once; voice units the CTI drives (voice-units.ts). */
  ivrPorts: NumberRange[];
  /** Where a routing device sends a call when nobody routes it in time (routing device → destination). */
  routingFallbacks: Record<string, string>;
  /** Fallback of routing devices not listed in `routingFallbacks`. */
  defaultFallback: string;
  /** How long the switch waits for RouteSelect before using the fallback. */
  routingTimeoutMs: number;
  /** SystemStatus keep-alive interval of the switch (sent after this long without traffic). */
  keepAliveMs: number;
  /** Monitors allowed over all links (default 208, as a real OXO). */
  maxMonitors: number;
  /** Whether outside numbers answer by themselves when called (otherwise: offhook on the number). */
  outsideAutoAnswer: boolean;
  /** Delay before an outside number answers by itself. */
  outsideAnswerDelayMs: number;
  /** A number not in the plan is an outside number when it has at least this many digits. */
  outsideMinDigits: number;
  /** Caller names presented for known outside numbers (private data of DeliveredEvent). */
  callerNames: Record<string, string>;
  /** Voice units run this many times faster than real time (tests and demos: 10 plays a 3 s
   * prompt in 0.3 s); lengths reported, heard and recorded stay the messages' own. Default 1. */
  voiceTimeScale: number;
  /** Folder of the recordings (RecordMessage); '' = a fresh folder under the OS temp dir per
   * simulator instance, removed when the simulator closes. */
  recordingsDir: string;
  /** Length of each prompt (`prompt:<name>`), ms; others last 1500 ms. */
  promptDurationsMs: Record<string, number>;
}

export const DEFAULT_SIM_CONFIG: SimConfig = Object.freeze({
  extensions: [{ from: 2000, to: 5999 }],
  routingDevices: [{ from: 8000, to: 8009 }],
  queueDevices: [{ from: 8900, to: 8919 }],
  ivrPorts: [{ from: 8100, to: 8129 }],
  routingFallbacks: { '8000': '8900', '8001': '8901' },
  defaultFallback: '8900',
  routingTimeoutMs: 4000,
  keepAliveMs: 30_000,
  maxMonitors: 208,
  outsideAutoAnswer: false,
  outsideAnswerDelayMs: 1000,
  outsideMinDigits: 6,
  callerNames: {},
  voiceTimeScale: 1,
  recordingsDir: '',
  promptDurationsMs: {},
}) as SimConfig;

export class SimConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid simulator configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SimConfigError';
  }
}

const RANGE_KEYS = ['extensions', 'routingDevices', 'queueDevices', 'ivrPorts'] as const;
const KNOWN_KEYS = new Set<string>(Object.keys(DEFAULT_SIM_CONFIG));

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkRanges(key: string, v: unknown, problems: string[]): NumberRange[] {
  if (!Array.isArray(v)) {
    problems.push(`${key}: expected a list of {from, to} ranges`);
    return [];
  }
  const out: NumberRange[] = [];
  v.forEach((r, i) => {
    if (!isRecord(r) || !Number.isSafeInteger(r.from) || !Number.isSafeInteger(r.to)) {
      problems.push(`${key}[${i}]: expected {from: integer, to: integer}`);
      return;
    }
    const from = r.from as number;
    const to = r.to as number;
    if (from < 0 || to < from) problems.push(`${key}[${i}]: need 0 <= from <= to (got ${from}..${to})`);
    else out.push({ from, to });
  });
  return out;
}

function checkInt(key: string, v: unknown, min: number, max: number, problems: string[]): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) problems.push(`${key}: expected an integer in ${min}..${max}`);
}

function checkStringMap(key: string, v: unknown, problems: string[]): void {
  if (!isRecord(v) || Object.values(v).some((x) => typeof x !== 'string')) problems.push(`${key}: expected an object of strings`);
}

function inRanges(ranges: NumberRange[], n: string): boolean {
  if (!/^\d+$/.test(n)) return false;
  const x = Number(n);
  return ranges.some((r) => x >= r.from && x <= r.to);
}

/** Validates a complete configuration; throws SimConfigError listing every problem. */
export function validateSimConfig(input: unknown): SimConfig {
  const problems: string[] = [];
  if (!isRecord(input)) throw new SimConfigError(['the configuration must be a JSON object']);
  for (const k of Object.keys(input)) if (!KNOWN_KEYS.has(k)) problems.push(`${k}: unknown setting`);
  const ranges = Object.fromEntries(RANGE_KEYS.map((k) => [k, checkRanges(k, input[k], problems)])) as Record<(typeof RANGE_KEYS)[number], NumberRange[]>;
  const all = RANGE_KEYS.flatMap((k) => ranges[k].map((r) => ({ k, r })));
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i]!;
      const b = all[j]!;
      if (a.r.from <= b.r.to && b.r.from <= a.r.to) problems.push(`${a.k} ${a.r.from}..${a.r.to} overlaps ${b.k} ${b.r.from}..${b.r.to}`);
    }
  }
  checkInt('routingTimeoutMs', input.routingTimeoutMs, 1, 600_000, problems);
  checkInt('keepAliveMs', input.keepAliveMs, 10, 3_600_000, problems);
  checkInt('maxMonitors', input.maxMonitors, 1, 1_000_000, problems);
  checkInt('outsideAnswerDelayMs', input.outsideAnswerDelayMs, 0, 600_000, problems);
  checkInt('outsideMinDigits', input.outsideMinDigits, 1, 20, problems);
  if (typeof input.outsideAutoAnswer !== 'boolean') problems.push('outsideAutoAnswer: expected true or false');
  checkStringMap('routingFallbacks', input.routingFallbacks, problems);
  checkStringMap('callerNames', input.callerNames, problems);
  if (typeof input.voiceTimeScale !== 'number' || !Number.isFinite(input.voiceTimeScale) || input.voiceTimeScale < 0.01 || input.voiceTimeScale > 1000) {
    problems.push('voiceTimeScale: expected a number in 0.01..1000');
  }
  if (typeof input.recordingsDir !== 'string' || input.recordingsDir.length > 1000 || input.recordingsDir.includes('\0')) problems.push('recordingsDir: expected a folder path (or "" for a temp folder)');
  if (!isRecord(input.promptDurationsMs)) problems.push('promptDurationsMs: expected an object of prompt name → ms');
  else {
    for (const [name, ms] of Object.entries(input.promptDurationsMs)) {
      if (!/^[A-Za-z0-9_.:\-/]{1,200}$/.test(name)) problems.push(`promptDurationsMs: ${JSON.stringify(name)} is not a prompt name`);
      checkInt(`promptDurationsMs.${name}`, ms, 1, 3_600_000, problems);
    }
  }
  const internal = [...ranges.extensions, ...ranges.queueDevices, ...ranges.ivrPorts, ...ranges.routingDevices];
  if (typeof input.defaultFallback !== 'string' || !inRanges(internal, input.defaultFallback)) {
    problems.push(`defaultFallback: ${JSON.stringify(input.defaultFallback)} is not a configured device`);
  }
  if (isRecord(input.routingFallbacks)) {
    for (const [from, to] of Object.entries(input.routingFallbacks)) {
      if (!inRanges(ranges.routingDevices, from)) problems.push(`routingFallbacks: ${from} is not a routing device`);
      if (typeof to === 'string' && !inRanges(internal, to)) problems.push(`routingFallbacks.${from}: ${to} is not a configured device`);
      if (typeof to === 'string' && inRanges(ranges.routingDevices, to)) problems.push(`routingFallbacks.${from}: ${to} is a routing device (a fallback must not route again)`);
    }
  }
  if (typeof input.defaultFallback === 'string' && inRanges(ranges.routingDevices, input.defaultFallback)) {
    problems.push(`defaultFallback: ${input.defaultFallback} is a routing device (a fallback must not route again)`);
  }
  if (problems.length > 0) throw new SimConfigError(problems);
  return {
    ...(input as unknown as SimConfig),
    ...ranges,
    routingFallbacks: { ...(input.routingFallbacks as Record<string, string>) },
    callerNames: { ...(input.callerNames as Record<string, string>) },
    promptDurationsMs: { ...(input.promptDurationsMs as Record<string, number>) },
  };
}

/** Merges a partial configuration over the default and validates the result. */
export function resolveSimConfig(partial: unknown = {}): SimConfig {
  if (!isRecord(partial)) throw new SimConfigError(['the configuration must be a JSON object']);
  return validateSimConfig({ ...DEFAULT_SIM_CONFIG, ...partial });
}

/** Reads the JSON file at `path` (partial settings over the default). */
export function loadSimConfig(path: string): SimConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SimConfigError([`cannot read ${path}: ${(err as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SimConfigError([`${path} is not valid JSON: ${(err as Error).message}`]);
  }
  return resolveSimConfig(parsed);
}
