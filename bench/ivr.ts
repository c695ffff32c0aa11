/**
 * IVR benchmark: every IVR port busy with a caller pressing keys, and how fast the daemon answers
 * each key with its next prompt.
 *
 *   npm run bench:ivr -- [--ports 30] [--keysPerS 5] [--durationS 30] [--flow main] [--warmupS 2] [--json]
 *
 * Three processes: the simulated switch (its own entry point, voice at real speed:
 * voiceTimeScale 1), the daemon alone (`node --import tsx src/main.ts`, demo centre, FLOWS_DIR
 * ./flows, IVR ports 8100–8129, IVR_TIME_SCALE 1, SQLite in a temp dir), and this one, which
 * drives the callers over the switch's control API and relays the CSTA link between the two
 * through a timestamping relay (bench/lib/ivr-wire-tap.ts).
 *
 * Each of --ports callers dials 8002 (flow main), hears the greeting, presses 2 at the language
 * choice (English), and once the main menu plays, presses `0` ("to hear these options again")
 * --keysPerS times a second: each key barges in and the menu starts again, so the caller stays on
 * its port. A call that leaves the IVR is replaced by a new caller.
 *
 * Event-to-prompt latency, per key: from the `DtmfDetectedEvent` the switch sent passing the
 * relay, to the daemon's next `PlayMessage` for that call (same `<callID>`) passing the relay.
 * A key with no PlayMessage before the call's next key, or within 2 s, got no reaction: lost; the
 * bench exits 1 if any key of the window was lost. See docs/performance.md.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, REPO_ROOT, startDaemon, type DaemonProcess } from './lib/daemon-process.ts';
import { startSimProcess, type SimProcess } from './lib/ivr-sim-process.ts';
import { ELD_RESOLUTION_MS, type EldSnapshot } from './lib/ivr-eld-probe.ts';
import { IvrWireTap, type WireDtmf, type WirePlay } from './lib/ivr-wire-tap.ts';
import { cpuBetween, loadAverage, machineInfo, readCpu, readMemory, type CpuTimes } from './lib/proc.ts';
import { nsToMs, round, summarize, type Summary } from './lib/stats.ts';
import { numberOption } from './lib/options.ts';

// ------------------------------------------------------------------------------------ options

/** The demo centre's IVR pilots: flow → pilot number (src/storage/demo-seed.ts). */
const PILOTS: Record<string, string> = { main: '8002' };
const IVR_PORTS = '8100-8129';
const MAX_PORTS = 30;
/** A key with no PlayMessage this long after it is lost. */
const REACTION_TIMEOUT_MS = 2000;

interface Options {
  ports: number;
  keysPerS: number;
  durationS: number;
  warmupS: number;
  flow: string;
  key: string;
  daemonLogLevel: string;
  json: boolean;
}

function usage(): string {
  return [
    'usage: npm run bench:ivr -- [--ports 30] [--keysPerS 5] [--durationS 30] [--flow main] [--warmupS 2] [--key 0] [--daemon-log-level warn] [--json]',
    '  --ports N      callers kept in the IVR at once (each on one of the switch\'s IVR ports 8100–8129), 1–30',
    '  --keysPerS K   keys each caller presses per second once in the main menu',
    '  --durationS S  seconds measured (after every caller reached the menu and --warmupS more)',
    '  --flow F       the flow (its demo pilot is dialled): main (8002)',
    '  --key K        the key pressed in the menu: 0 ("the menu again") keeps the caller in the IVR',
    '  --daemon-log-level L  the daemon\'s LOG_LEVEL (default warn)',
    '  --json         machine-readable result on stdout instead of the table',
  ].join('\n');
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      ports: { type: 'string', default: '30' },
      keysPerS: { type: 'string', default: '5' },
      durationS: { type: 'string', default: '30' },
      warmupS: { type: 'string', default: '2' },
      flow: { type: 'string', default: 'main' },
      key: { type: 'string', default: '0' },
      'daemon-log-level': { type: 'string', default: 'warn' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage()}\n`);
    process.exit(0);
  }
  const num = (name: string, raw: string, min: number, max: number, integer = false): number => numberOption(name, raw, min, max, { integer, usage: usage() });
  if (!(values.flow in PILOTS)) throw new Error(`--flow ${values.flow}: one of ${Object.keys(PILOTS).join(', ')} (a flow with a demo pilot)`);
  if (!/^[0-9*#]$/.test(values.key)) throw new Error(`--key ${values.key}: one key, 0-9 * #`);
  return {
    ports: num('ports', values.ports, 1, MAX_PORTS, true),
    keysPerS: num('keysPerS', values.keysPerS, 0.1, 50),
    durationS: num('durationS', values.durationS, 1, 3600),
    warmupS: num('warmupS', values.warmupS, 0, 600),
    flow: values.flow,
    key: values.key,
    daemonLogLevel: values['daemon-log-level'],
    json: values.json,
  };
}

const progress = (msg: string): void => void process.stderr.write(`[bench:ivr] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------- the callers

type Phase = 'dialling' | 'greeting' | 'language' | 'menu' | 'gone';

interface Slot {
  index: number;
  callId: string | null;
  caller: string;
  phase: Phase;
  timer: NodeJS.Timeout | null;
  /** The key waiting for its prompt (its DtmfDetectedEvent on the wire). */
  pending: WireDtmf | null;
  /** The monitor whose DtmfDetectedEvents count (a key reaches each monitor of the call). */
  monitor: string | null;
  /** When the bench sent the last key (POST …/digits), for the press → event figure. */
  pressedAt: bigint | null;
  calls: number;
}

interface Sample {
  /** The key's DtmfDetectedEvent on the wire. */
  at: bigint;
  ms: number;
}

const isChooseLanguage = (p: WirePlay) => /For English, please press (2|two)/.test(p.text ?? '') || p.message.includes('chooseLanguage') || p.message.includes('chooseEnglish');
const isMainMenu = (p: WirePlay) => (p.text ?? '').includes('To hear these options again') || /重听请按(0|零)/.test(p.text ?? '') || p.message.includes('mainMenu');

class Driver {
  readonly slots: Slot[];
  private readonly byCall = new Map<string, Slot>();
  readonly samples: Sample[] = [];
  readonly lost: { at: bigint; why: 'nextKey' | 'timeout' | 'callLeft' }[] = [];
  readonly pressToEvent: Sample[] = [];
  counts = { dialled: 0, dialFailures: 0, left: 0, pressesSent: 0, pressFailures: 0, menuKeys: 0, duplicateDtmf: 0, otherDtmf: 0, unpromptedPlays: 0, languageKeys: 0, menuReached: 0 };
  private stopped = false;
  private seq = 0;
  private readonly periodMs: number;

  constructor(
    private readonly simUrl: string,
    private readonly pilot: string,
    private readonly opts: Options,
  ) {
    this.periodMs = 1000 / opts.keysPerS;
    this.slots = Array.from({ length: opts.ports }, (_, index) => ({ index, callId: null, caller: '', phase: 'gone', timer: null, pending: null, monitor: null, pressedAt: null, calls: 0 }));
  }

  get inMenu(): number {
    return this.slots.filter((s) => s.phase === 'menu').length;
  }

  async dial(slot: Slot): Promise<void> {
    if (this.stopped) return;
    slot.phase = 'dialling';
    slot.pending = null;
    slot.monitor = null;
    slot.caller = `139${String(20_000_000 + this.seq++).padStart(8, '0')}`;
    this.counts.dialled++;
    try {
      const res = await fetch(`${this.simUrl}/sim/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: slot.caller, to: this.pilot }) });
      const body = (await res.json()) as { simCallId?: string };
      if (!res.ok || !body.simCallId) throw new Error(`${res.status} ${JSON.stringify(body)}`);
      slot.callId = body.simCallId;
      slot.calls++;
      this.byCall.set(slot.callId, slot);
      slot.phase = 'greeting';
    } catch (err) {
      this.counts.dialFailures++;
      progress(`dial failed (slot ${slot.index}): ${(err as Error).message}; again in 1 s`);
      slot.phase = 'gone';
      setTimeout(() => void this.dial(slot), 1000);
    }
  }

  private async press(slot: Slot, key: string): Promise<boolean> {
    const callId = slot.callId;
    if (!callId) return false;
    slot.pressedAt = process.hrtime.bigint();
    this.counts.pressesSent++;
    try {
      const res = await fetch(`${this.simUrl}/sim/calls/${callId}/digits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ digits: key }) });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(String(res.status));
      return true;
    } catch {
      this.counts.pressFailures++;
      return false;
    }
  }

  /** Keys at a fixed rate, each caller at its own phase of the period (no burst of 30 at once). */
  private startKeys(slot: Slot): void {
    const offset = (slot.index * this.periodMs) / this.opts.ports;
    const t0 = performance.now() + offset;
    let k = 0;
    const tick = () => {
      if (this.stopped || slot.phase !== 'menu') return;
      void this.press(slot, this.opts.key);
      k++;
      slot.timer = setTimeout(tick, Math.max(0, t0 + k * this.periodMs - performance.now()));
    };
    slot.timer = setTimeout(tick, Math.max(0, t0 - performance.now()));
  }

  // ---------------------------------------------------------------------------- the wire

  dtmf(e: WireDtmf): void {
    const slot = this.byCall.get(e.callId);
    if (!slot || slot.phase !== 'menu') {
      this.counts.otherDtmf++;
      return;
    }
    slot.monitor ??= e.monitor;
    if (e.monitor !== slot.monitor) {
      this.counts.duplicateDtmf++;
      return;
    }
    this.counts.menuKeys++;
    if (slot.pressedAt !== null) this.pressToEvent.push({ at: e.at, ms: nsToMs(e.at - slot.pressedAt) });
    if (slot.pending) this.lost.push({ at: slot.pending.at, why: 'nextKey' });
    slot.pending = e;
  }

  play(p: WirePlay): void {
    const slot = this.byCall.get(p.callId);
    if (!slot) return;
    if (slot.pending) {
      this.samples.push({ at: slot.pending.at, ms: nsToMs(p.at - slot.pending.at) });
      slot.pending = null;
      return;
    }
    if (slot.phase === 'greeting' && isChooseLanguage(p)) {
      slot.phase = 'language';
      // As a caller would: a moment after the choice starts.
      setTimeout(() => {
        if (slot.phase !== 'language' || slot.callId !== p.callId) return;
        this.counts.languageKeys++;
        void this.press(slot, '2');
      }, 300);
      return;
    }
    if (slot.phase === 'language' && isMainMenu(p)) {
      slot.phase = 'menu';
      this.counts.menuReached++;
      this.startKeys(slot);
      return;
    }
    // A prompt no key of ours asked for (in the menu: a replay, e.g. the silence timeout).
    if (slot.phase === 'menu') this.counts.unpromptedPlays++;
  }

  cleared(callId: string): void {
    const slot = this.byCall.get(callId);
    if (!slot || slot.callId !== callId) return;
    // The caller or the port left: either way the call is out of the IVR. Hang up what is left
    // and put a new caller on the port.
    this.byCall.delete(callId);
    if (slot.pending) this.lost.push({ at: slot.pending.at, why: 'callLeft' });
    slot.pending = null;
    if (slot.timer) clearTimeout(slot.timer);
    slot.phase = 'gone';
    slot.callId = null;
    if (this.stopped) return;
    this.counts.left++;
    void fetch(`${this.simUrl}/sim/calls/${callId}/hangup`, { method: 'POST' }).then((r) => r.arrayBuffer(), () => undefined);
    void this.dial(slot);
  }

  /** Keys still waiting longer than the reaction timeout are lost. */
  sweep(now: bigint): void {
    for (const s of this.slots) {
      if (s.pending && nsToMs(now - s.pending.at) > REACTION_TIMEOUT_MS) {
        this.lost.push({ at: s.pending.at, why: 'timeout' });
        s.pending = null;
      }
    }
  }

  stopKeys(): void {
    this.stopped = true;
    for (const s of this.slots) if (s.timer) clearTimeout(s.timer);
  }

  async hangUpAll(): Promise<void> {
    await Promise.all(
      this.slots.map(async (s) => {
        if (!s.callId) return;
        const id = s.callId;
        s.callId = null;
        s.phase = 'gone';
        this.byCall.delete(id);
        await fetch(`${this.simUrl}/sim/calls/${id}/hangup`, { method: 'POST' }).then((r) => r.arrayBuffer(), () => undefined);
      }),
    );
  }
}

// ------------------------------------------------------------------------------------ result

interface Result {
  sizes: { ports: number; keysPerS: number; durationS: number; warmupS: number; flow: string; pilot: string; key: string; voiceTimeScale: number; ivrTimeScale: number };
  window: { seconds: number; keys: number; keysPerS: number };
  eventToPromptMs: Summary;
  pressToEventMs: Summary;
  lost: { total: number; nextKey: number; timeout: number; callLeft: number };
  callers: Driver['counts'] & { setupS: number };
  wire: IvrWireTap['counts'];
  daemon: { pid: number; cpu: number; user: number; sys: number; rssStartMiB: number; rssPeakMiB: number; rssEndMiB: number; hwmMiB: number; eventLoopDelay: EldSnapshot | null; warnings: number };
  sim: { pid: number; cpu: number };
  bench: { cpu: number; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number };
  portsBusyAfterHangUp: string[];
  machine: ReturnType<typeof machineInfo> & { loadBefore: number[]; loadAfter: number[] };
  timeline: { fromS: number; keys: number; p50: number; p99: number; max: number; lost: number }[];
}

const roundSummary = (s: Summary): Summary => ({ n: s.n, p50: round(s.p50, 3), p90: round(s.p90, 3), p99: round(s.p99, 3), max: round(s.max, 3), mean: round(s.mean, 3) });

function table(r: Result): string {
  const l = r.eventToPromptMs;
  const rows: [string, string][] = [
    ['sizes', `${r.sizes.ports} ports busy, ${r.sizes.keysPerS} keys/s each (key ${r.sizes.key}), ${r.window.seconds.toFixed(1)} s measured after ${r.sizes.warmupS} s warm-up; flow ${r.sizes.flow} (${r.sizes.pilot}); voice ×${r.sizes.voiceTimeScale}, IVR timers ×${r.sizes.ivrTimeScale}`],
    ['keys handled', `${r.window.keys} in the window = ${r.window.keysPerS.toFixed(1)} keys/s (aim ${(r.sizes.ports * r.sizes.keysPerS).toFixed(1)})`],
    ['event → prompt', `p50 ${l.p50.toFixed(2)} / p90 ${l.p90.toFixed(2)} / p99 ${l.p99.toFixed(2)} / max ${l.max.toFixed(2)} ms (mean ${l.mean.toFixed(2)})`],
    ['lost keys', `${r.lost.total} (next key first ${r.lost.nextKey}, no prompt in 2 s ${r.lost.timeout}, call left ${r.lost.callLeft})`],
    ['press → DtmfDetected', `p50 ${r.pressToEventMs.p50.toFixed(2)} / p99 ${r.pressToEventMs.p99.toFixed(2)} ms (bench HTTP → switch → wire; not the daemon)`],
    ['daemon CPU', `${r.daemon.cpu.toFixed(3)} CPU-s/s (user ${r.daemon.user.toFixed(3)}, sys ${r.daemon.sys.toFixed(3)})`],
    ['daemon RSS', `${r.daemon.rssStartMiB} → peak ${r.daemon.rssPeakMiB} → end ${r.daemon.rssEndMiB} MiB (VmHWM ${r.daemon.hwmMiB})`],
    ['daemon event-loop delay', r.daemon.eventLoopDelay ? `p50 ${r.daemon.eventLoopDelay.p50Ms} / p99 ${r.daemon.eventLoopDelay.p99Ms} / max ${r.daemon.eventLoopDelay.maxMs} ms late (a 5 ms timer, over the window)` : 'n/a'],
    ['simulator CPU', `${r.sim.cpu.toFixed(3)} CPU-s/s`],
    ['bench', `CPU ${r.bench.cpu.toFixed(3)} CPU-s/s (callers and relay), event-loop delay p99 ${r.bench.eventLoopDelayP99Ms} / max ${r.bench.eventLoopDelayMaxMs} ms`],
    ['callers', `${r.callers.dialled} dialled (${r.callers.dialFailures} failed), ${r.callers.left} left the IVR and were replaced; all in the menu after ${r.callers.setupS.toFixed(1)} s; ${r.callers.pressesSent} presses (${r.callers.pressFailures} failed); prompts no key asked for ${r.callers.unpromptedPlays}; duplicate DtmfDetected ${r.callers.duplicateDtmf}`],
    ['wire', `${r.wire.dtmf} DtmfDetected, ${r.wire.play} PlayMessage, ${r.wire.stop} Stop, ${r.wire.stopEvent} StopEvent, ${r.wire.errors} CSTAErrorCode, ${r.wire.framesFromSwitch}/${r.wire.framesFromDaemon} frames switch→daemon/daemon→switch, ${r.wire.links} link(s)`],
    ['ports busy after hang-up', r.portsBusyAfterHangUp.length ? r.portsBusyAfterHangUp.join(', ') : 'none'],
    ['machine', `${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.node}; load ${r.machine.loadBefore.join(' ')} → ${r.machine.loadAfter.join(' ')}`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
  lines.push('', 'per 5 s of the window: keys, p50 / p99 / max ms, lost');
  for (const t of r.timeline) lines.push(`  ${String(t.fromS).padStart(4)} s  ${String(t.keys).padStart(5)}  ${t.p50.toFixed(2)} / ${t.p99.toFixed(2)} / ${t.max.toFixed(2)}  ${t.lost}`);
  return lines.join('\n');
}

// -------------------------------------------------------------------------------------- main

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const pilot = PILOTS[opts.flow]!;
  const loadBefore = loadAverage();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-ivr-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const cleanup = async () => {
    while (cleanups.length > 0) {
      try {
        await cleanups.pop()!();
      } catch (err) {
        progress(`cleanup: ${(err as Error).message}`);
      }
    }
  };
  try {
    progress(`simulator (voiceTimeScale 1, IVR ports ${IVR_PORTS}) in its own process`);
    const sim: SimProcess = await startSimProcess({ dir, config: { voiceTimeScale: 1, ivrPorts: [{ from: 8100, to: 8129 }] } });
    cleanups.push(() => sim.stop());

    let driver: Driver | null = null;
    const tap = await IvrWireTap.start(
      { host: '127.0.0.1', port: sim.cstaPort },
      {
        dtmf: (e) => driver?.dtmf(e),
        play: (p) => driver?.play(p),
        cleared: (callId) => driver?.cleared(callId),
      },
    );
    cleanups.push(() => tap.close());

    const eldFile = join(dir, 'eld.jsonl');
    progress('daemon (child process, demo centre, flows ./flows, linked through the relay)');
    const daemon: DaemonProcess = await startDaemon({
      cstaHost: '127.0.0.1',
      cstaPort: tap.port,
      dataDir: join(dir, 'data'),
      port: await freePort(),
      logLevel: opts.daemonLogLevel,
      preload: [pathToFileURL(join(REPO_ROOT, 'bench/lib/ivr-eld-probe.ts')).href],
      env: { FLOWS_DIR: join(REPO_ROOT, 'flows'), IVR_PORTS, IVR_TIME_SCALE: '1', IVR_WATCH_FLOWS: '0', BENCH_ELD_OUT: eldFile },
    });
    cleanups.push(async () => void (await daemon.stop()));
    // The flows load and their prompts render (speech cache) at start.
    await sleep(1500);

    driver = new Driver(sim.url, pilot, opts);
    const d = driver;
    const setupStart = performance.now();
    progress(`${opts.ports} callers dial ${pilot}`);
    for (const slot of d.slots) {
      void d.dial(slot);
      await sleep(100);
    }
    const setupDeadline = Date.now() + 60_000;
    while (d.inMenu < opts.ports) {
      if (Date.now() > setupDeadline) throw new Error(`only ${d.inMenu} of ${opts.ports} callers reached the main menu in 60 s: ${JSON.stringify(d.slots.map((s) => s.phase))}\n${daemon.tail().slice(-10).join('\n')}`);
      await sleep(50);
    }
    const setupS = (performance.now() - setupStart) / 1000;
    progress(`all ${opts.ports} in the menu after ${setupS.toFixed(1)} s; warm-up ${opts.warmupS} s, then ${opts.durationS} s measured`);
    await sleep(opts.warmupS * 1000);

    const sweeper = setInterval(() => d.sweep(process.hrtime.bigint()), 250);
    cleanups.push(() => clearInterval(sweeper));

    // ------------------------------------------------------------------------- window
    const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
    eld.enable();
    process.kill(daemon.pid, 'SIGUSR2');
    const winStart = process.hrtime.bigint();
    const cpuA: CpuTimes = readCpu(daemon.pid);
    const simCpuA: CpuTimes = readCpu(sim.pid);
    const benchCpuA = process.cpuUsage();
    const rssStart = readMemory(daemon.pid).rssMiB;
    let rssPeak = rssStart;
    const sampler = setInterval(() => void (rssPeak = Math.max(rssPeak, readMemory(daemon.pid).rssMiB)), 250);
    await sleep(opts.durationS * 1000);
    const winEnd = process.hrtime.bigint();
    process.kill(daemon.pid, 'SIGUSR2');
    const cpuB = readCpu(daemon.pid);
    const simCpuB = readCpu(sim.pid);
    const benchCpu = process.cpuUsage(benchCpuA);
    clearInterval(sampler);
    eld.disable();
    rssPeak = Math.max(rssPeak, readMemory(daemon.pid).rssMiB);

    // The last keys' prompts, then every key still waiting is lost.
    d.stopKeys();
    await sleep(REACTION_TIMEOUT_MS + 300);
    d.sweep(process.hrtime.bigint());
    progress('window over; hanging up');
    await d.hangUpAll();
    // Every port free again?
    let busy: string[] = [];
    for (let i = 0; i < 40; i++) {
      await sleep(250);
      const { devices } = (await (await fetch(`${sim.url}/sim/devices?active=true`)).json()) as { devices: { deviceId: string; calls: unknown[] }[] };
      busy = devices.filter((x) => /^81[0-2][0-9]$/.test(x.deviceId) && x.calls.length > 0).map((x) => x.deviceId);
      if (busy.length === 0) break;
    }
    const memEnd = readMemory(daemon.pid);
    const loadAfter = loadAverage();

    const inWin = (at: bigint) => at >= winStart && at < winEnd;
    const samples = d.samples.filter((s) => inWin(s.at));
    const lost = d.lost.filter((x) => inWin(x.at));
    const windowS = nsToMs(winEnd - winStart) / 1000;
    const timeline: Result['timeline'] = [];
    for (let from = 0; from + 0.5 < windowS; from += 5) {
      const a = winStart + BigInt(from * 1e9);
      const b = a + 5_000_000_000n;
      const ss = summarize(samples.filter((s) => s.at >= a && s.at < b).map((s) => s.ms));
      timeline.push({ fromS: from, keys: ss.n, p50: round(ss.p50, 2), p99: round(ss.p99, 2), max: round(ss.max, 2), lost: lost.filter((x) => x.at >= a && x.at < b).length });
    }
    const eldLines = (() => {
      try {
        return readFileSync(eldFile, 'utf8').trim().split('\n').map((x) => JSON.parse(x) as EldSnapshot);
      } catch {
        return [];
      }
    })();
    const cpu = cpuBetween(cpuA, cpuB);
    const result: Result = {
      sizes: { ports: opts.ports, keysPerS: opts.keysPerS, durationS: opts.durationS, warmupS: opts.warmupS, flow: opts.flow, pilot, key: opts.key, voiceTimeScale: 1, ivrTimeScale: 1 },
      window: { seconds: round(windowS, 2), keys: samples.length, keysPerS: round(samples.length / windowS, 2) },
      eventToPromptMs: roundSummary(summarize(samples.map((s) => s.ms))),
      pressToEventMs: roundSummary(summarize(d.pressToEvent.filter((s) => inWin(s.at)).map((s) => s.ms))),
      lost: { total: lost.length, nextKey: lost.filter((x) => x.why === 'nextKey').length, timeout: lost.filter((x) => x.why === 'timeout').length, callLeft: lost.filter((x) => x.why === 'callLeft').length },
      callers: { ...d.counts, setupS: round(setupS, 2) },
      wire: { ...tap.counts },
      daemon: {
        pid: daemon.pid,
        cpu: round(cpu.total, 3),
        user: round(cpu.user, 3),
        sys: round(cpu.sys, 3),
        rssStartMiB: round(rssStart, 1),
        rssPeakMiB: round(rssPeak, 1),
        rssEndMiB: round(memEnd.rssMiB, 1),
        hwmMiB: round(memEnd.hwmMiB, 1),
        eventLoopDelay: eldLines[1] ?? null,
        warnings: daemon.warnings,
      },
      sim: { pid: sim.pid, cpu: round(cpuBetween(simCpuA, simCpuB).total, 3) },
      bench: { cpu: round((benchCpu.user + benchCpu.system) / 1e6 / windowS, 3), eventLoopDelayP99Ms: round(Math.max(0, eld.percentile(99) / 1e6 - ELD_RESOLUTION_MS), 2), eventLoopDelayMaxMs: round(Math.max(0, eld.max / 1e6 - ELD_RESOLUTION_MS), 2) },
      portsBusyAfterHangUp: busy,
      machine: { ...machineInfo(), loadBefore: loadBefore.map((x) => round(x, 2)), loadAfter: loadAfter.map((x) => round(x, 2)) },
      timeline,
    };
    if (daemon.warnings > 0) progress(`daemon warnings: ${daemon.warnings} (last lines):\n${daemon.tail().slice(-10).join('\n')}`);
    await cleanup();
    process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${table(result)}\n`);
    if (result.lost.total > 0) {
      progress(`${result.lost.total} key(s) got no prompt: failing`);
      return 1;
    }
    if (result.window.keys === 0) {
      progress('no key measured: failing');
      return 1;
    }
    return 0;
  } catch (err) {
    progress(`failed: ${(err as Error).stack ?? String(err)}`);
    await cleanup();
    return 1;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => {
      progress('handles still open after cleanup; exiting');
      process.exit(code);
    }, 3000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
