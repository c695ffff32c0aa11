/**
 * The traffic generator (`POST /sim/traffic`): inbound calls from distinct outside numbers to the
 * given internal numbers, evenly spaced at `callsPerSecond` for `durationS`, then it stops by
 * itself. Each caller hangs up `talkS` after being connected to an extension, or gives up after
 * `maxWaitS` without one (abandoned). Optionally extensions answer by themselves after
 * `answerAfterS` (otherwise the agents' side answers). Counts: offered, connected, completed,
 * abandoned, failed (ended without reaching an extension: routing failure, cleared by the switch
 * or lost in a restart).
 */
import type { Logger } from 'pino';
import { answerIfStillAlerting } from './auto-answer.ts';
import type { Notice } from './core.ts';
import { SimError } from './errors.ts';
import type { SwitchModel } from './switch-model.ts';
import { TimerSet } from './timers.ts';

/** A run keeps counters and the calls in progress only, not its plan, so its size is bounded by
 * what it has in progress; `maxCalls` is a sanity bound (an hour's soak at 50 calls/s is 180,000). */
export const TRAFFIC_LIMITS = { maxCallsPerSecond: 1000, maxDurationS: 3600, maxCalls: 1_000_000 } as const;

export interface TrafficRequest {
  callsPerSecond: number;
  durationS: number;
  talkS: number;
  numbers: string[];
  maxWaitS?: number;
  answerAfterS?: number;
}

export interface TrafficStats {
  running: boolean;
  planned: number;
  offered: number;
  connected: number;
  completed: number;
  abandoned: number;
  failed: number;
  /** Traffic calls still in progress. */
  active: number;
  startedAt: string | null;
}

interface Tracked {
  req: TrafficRequest;
  connected: boolean;
  abandoning: boolean;
  timers: NodeJS.Timeout[];
}

/** Caller numbers: 0699 followed by 7 digits, distinct for the life of the process. */
const CALLER_PREFIX = '0699';

export class TrafficGenerator {
  private readonly timers: TimerSet;
  private readonly calls = new Map<string, Tracked>();
  private run: { req: TrafficRequest; planned: number; t0: number; tick: NodeJS.Timeout | null } | null = null;
  private counts = { planned: 0, offered: 0, connected: 0, completed: 0, abandoned: 0, failed: 0 };
  private startedAt: string | null = null;
  private placing: { from: string; req: TrafficRequest } | null = null;
  private nextCaller = 1;

  constructor(
    private readonly model: SwitchModel,
    private readonly log: Logger,
  ) {
    this.timers = new TimerSet(log);
  }

  start(req: TrafficRequest): TrafficStats {
    if (this.run) throw new SimError('TRAFFIC_RUNNING', 'traffic is already being generated; DELETE /sim/traffic stops it');
    for (const n of req.numbers) {
      if (!this.model.core.plan.isInternal(n)) throw new SimError('UNKNOWN_DEVICE', `${n} is not an internal number of this switch`);
    }
    const planned = Math.max(1, Math.round(req.callsPerSecond * req.durationS));
    if (planned > TRAFFIC_LIMITS.maxCalls) throw new SimError('BAD_REQUEST', `${planned} calls asked for; at most ${TRAFFIC_LIMITS.maxCalls} per run`);
    this.counts = { planned, offered: 0, connected: 0, completed: 0, abandoned: 0, failed: 0 };
    this.startedAt = new Date().toISOString();
    this.run = { req, planned, t0: performance.now(), tick: null };
    this.log.info({ ...req, planned }, 'traffic started');
    this.tick();
    return this.stats();
  }

  /** Stops offering calls (calls in progress go on). */
  stop(): TrafficStats {
    if (this.run?.tick) this.timers.cancel(this.run.tick);
    if (this.run) this.log.info({ offered: this.counts.offered }, 'traffic stopped');
    this.run = null;
    return this.stats();
  }

  stats(): TrafficStats {
    return { running: this.run !== null, ...this.counts, active: this.calls.size, startedAt: this.startedAt };
  }

  close(): void {
    this.run = null;
    this.timers.clear();
    this.calls.clear();
  }

  onNotice(n: Notice): void {
    switch (n.kind) {
      case 'callCreated':
        if (this.placing && n.calling === this.placing.from) this.calls.set(n.callId, { req: this.placing.req, connected: false, abandoning: false, timers: [] });
        return;
      case 'connectionState':
        return this.onConnection(n.callId, n.deviceId, n.deviceKind, n.state);
      case 'callEnded':
        return this.ended(n.callId);
      case 'restarted':
        for (const id of [...this.calls.keys()]) this.ended(id);
        return;
      case 'connectionGone':
      case 'routeOpened':
      case 'routeClosed':
        return;
    }
  }

  private tick(): void {
    const run = this.run;
    if (!run) return;
    run.tick = null;
    const intervalMs = 1000 / run.req.callsPerSecond;
    const due = Math.min(run.planned, Math.floor((performance.now() - run.t0) / intervalMs) + 1);
    while (this.counts.offered < due) this.offer(run.req, this.counts.offered);
    if (this.counts.offered >= run.planned) {
      this.log.info({ offered: this.counts.offered }, 'traffic finished offering calls');
      this.run = null;
      return;
    }
    const nextAt = run.t0 + this.counts.offered * intervalMs;
    run.tick = this.timers.after(Math.max(0, nextAt - performance.now()), () => this.tick());
  }

  private offer(req: TrafficRequest, index: number): void {
    const from = CALLER_PREFIX + String(this.nextCaller++ % 10_000_000).padStart(7, '0');
    const to = req.numbers[index % req.numbers.length]!;
    this.counts.offered++;
    this.placing = { from, req };
    let callId: string;
    try {
      callId = this.model.placeCall(from, to);
    } catch (err) {
      this.counts.failed++;
      this.log.warn({ err: (err as Error).message, from, to }, 'traffic call not placed');
      return;
    } finally {
      this.placing = null;
    }
    const t = this.calls.get(callId);
    if (!t) return; // already over (failed at once)
    if (req.maxWaitS !== undefined) {
      t.timers.push(
        this.timers.after(req.maxWaitS * 1000, () => {
          if (t.connected || !this.calls.has(callId)) return;
          t.abandoning = true;
          this.hangup(callId);
        }),
      );
    }
  }

  private onConnection(callId: string, deviceId: string, kind: string, state: string): void {
    const t = this.calls.get(callId);
    if (!t || kind !== 'extension') return;
    const { answerAfterS, talkS } = t.req;
    if (state === 'alerting' && answerAfterS !== undefined) {
      t.timers.push(this.timers.after(answerAfterS * 1000, () => answerIfStillAlerting(this.model, this.log, callId, deviceId)));
    }
    if (state === 'connected' && !t.connected) {
      t.connected = true;
      this.counts.connected++;
      t.timers.push(this.timers.after(talkS * 1000, () => this.hangup(callId)));
    }
  }

  private ended(callId: string): void {
    const t = this.calls.get(callId);
    if (!t) return;
    this.calls.delete(callId);
    for (const timer of t.timers) this.timers.cancel(timer);
    if (t.connected) this.counts.completed++;
    else if (t.abandoning) this.counts.abandoned++;
    else this.counts.failed++;
  }

  private hangup(callId: string): void {
    try {
      this.model.hangup(callId);
    } catch (err) {
      if (!(err instanceof SimError)) throw err;
      this.log.debug({ callId, reason: err.message }, 'traffic caller could not hang up');
    }
  }
}
