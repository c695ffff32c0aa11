/**
 * Test-only: one day of contact-centre traffic written straight into a migrated database (calls,
 * agent_state_log, users/agents for teams), deterministic from a seed, and the true figures of what
 * it wrote, counted here as each row is made — never by the report code under test.
 *
 * The day is a local day in Asia/Shanghai (UTC+8, no DST), so the generator files calls into
 * 15/30/60-minute intervals by plain arithmetic from the day's start.
 *
 * Answered calls come out of each agent's own timeline (ready → reserved → busy → wrap-up or not,
 * notReady breaks, manual wrap-ups), so the state log is what the daemon writes: one row per state,
 * consecutive, the call's id on reserved, busy and its wrap-up. Abandons and other outcomes are
 * drawn apart. Traps for the reader: calls offered just outside the day, calls without a queue,
 * fallbacks answered by an outside number (`overflow` with `answered_at`), a daemon restart
 * (`lost`), a call still waiting, calls whose first agent let it ring and another answered,
 * boundary waits of exactly T and S, agents signed in before the day and still in a state after it.
 */
import type Database from 'better-sqlite3';
import { seededRandom } from '../../src/recording/qa/random.ts';

export const SHANGHAI = 'Asia/Shanghai';
const OFFSET_MS = 8 * 3_600_000;
const S_ = 1000;
const MIN = 60 * S_;

/** The figures of a group, as the KPI core names them. */
export interface TrueCounts {
  offered: number;
  answered: number;
  answeredWithinT: number;
  abandoned: number;
  abandonedWithinT: number;
  shortAbandoned: number;
  other: number;
  answerWaitMs: number;
  talkMs: number;
  holdMs: number;
  wrapMs: number;
}

export interface TrueStateTimes {
  busyMs: number;
  wrapMs: number;
  availableMs: number;
  notReadyMs: number;
}

/** What an agent (or extension) did besides answering (src/reports/data/agent-activity.ts). */
export interface TrueActivity {
  offers: number;
  rona: number;
  ringAbandoned: number;
  outbound: number;
  outboundAnswered: number;
  outboundTalkMs: number;
}

export interface Thresholds {
  /** T, s. */
  t: number;
  /** S, s. */
  s: number;
}

export interface ReportDayOptions {
  seed: number;
  /** The local date, `YYYY-MM-DD`, in Asia/Shanghai. */
  date: string;
  queues?: string[];
  agents?: number;
  /** Abandoned calls drawn over the day (besides the boundary cases). */
  abandons?: number;
  /** Talk time of an answered call, s. */
  talkS?: [number, number];
  /** Ready time between calls, s. */
  gapS?: [number, number];
  /** Report-wide thresholds (agent, interval and total figures). */
  thresholds?: Thresholds;
  /** Thresholds of some queues (their queue figures). */
  queueThresholds?: Record<string, Thresholds>;
  /** Write the traps (outside-the-day, restart, open call, …); default true. */
  traps?: boolean;
}

export interface ReportDayTruth {
  from: number;
  to: number;
  thresholds: Thresholds;
  total: TrueCounts;
  byQueue: Record<string, TrueCounts>;
  byAgent: Record<string, TrueCounts>;
  /** Index i: the interval starting i × size after `from`. */
  byInterval: Record<'15m' | '30m' | '60m', TrueCounts[]>;
  /** State times clipped to the day. */
  states: Record<string, TrueStateTimes>;
  /** Rings (started in the day), ring-no-answers, outbound calls (started in the day), by agent
   * and by extension. */
  activity: Record<string, TrueActivity>;
  activityByExtension: Record<string, TrueActivity>;
  agents: string[];
  teams: Record<string, string>;
  /** Rows written, for scale checks. */
  rowsWritten: { calls: number; states: number };
}

const zeroCounts = (): TrueCounts => ({ offered: 0, answered: 0, answeredWithinT: 0, abandoned: 0, abandonedWithinT: 0, shortAbandoned: 0, other: 0, answerWaitMs: 0, talkMs: 0, holdMs: 0, wrapMs: 0 });

/** Epoch ms of local midnight starting `date` in Shanghai. */
export function shanghaiMidnight(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) - OFFSET_MS;
}

type Kind = { k: 'answered'; waitMs: number; talkMs: number; holdMs: number; wrapMs: number; agent: string } | { k: 'abandoned'; waitMs: number } | { k: 'other' };

export class ReportDay {
  readonly truth: ReportDayTruth;
  private readonly rnd: () => number;
  private readonly callStmt;
  private readonly stateStmt;
  private readonly wide: Thresholds;
  private readonly queues: string[];
  private n = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly o: ReportDayOptions,
  ) {
    this.rnd = seededRandom(o.seed);
    const from = shanghaiMidnight(o.date);
    this.wide = o.thresholds ?? { t: 20, s: 5 };
    this.queues = o.queues ?? ['sales', 'support', 'vip'];
    this.truth = {
      from,
      to: from + 24 * 60 * MIN,
      thresholds: this.wide,
      total: zeroCounts(),
      byQueue: Object.fromEntries(this.queues.map((q) => [q, zeroCounts()])),
      byAgent: {},
      byInterval: { '15m': Array.from({ length: 96 }, zeroCounts), '30m': Array.from({ length: 48 }, zeroCounts), '60m': Array.from({ length: 24 }, zeroCounts) },
      states: {},
      activity: {},
      activityByExtension: {},
      agents: [],
      teams: {},
      rowsWritten: { calls: 0, states: 0 },
    };
    this.callStmt = db.prepare(`INSERT INTO calls (id, direction, from_number, to_number, dialled_number, queue_id, agents, first_agent, offered_at, queued_at, answered_at, ended_at, wait_ms, talk_ms, hold_ms, outcome, cause)
      VALUES (@id, @direction, @from, @to, @to, @queue, @agents, @firstAgent, @offeredAt, @queuedAt, @answeredAt, @endedAt, @waitMs, @talkMs, @holdMs, @outcome, @cause)`);
    this.stateStmt = db.prepare('INSERT INTO agent_state_log (agent, state, reason, started_at, ended_at, duration_ms, call_id, extension) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  }

  /** Writes the day; returns the truth. */
  write(): ReportDayTruth {
    const agents = Array.from({ length: this.o.agents ?? 12 }, (_, i) => `a${String(i + 1).padStart(4, '0')}`);
    this.truth.agents = agents;
    this.db.transaction(() => this.writeUsers(agents))();
    agents.forEach((agent, i) => this.db.transaction(() => this.agentDay(agent, i, agents))());
    this.db.transaction(() => this.abandonsAndOthers())();
    return this.truth;
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }

  private thresholdsOf(queue: string): Thresholds {
    return this.o.queueThresholds?.[queue] ?? this.wide;
  }

  private writeUsers(agents: string[]): void {
    const user = this.db.prepare("INSERT INTO users (username, display_name, password_hash, roles, created_at, updated_at) VALUES (?, ?, 'x', '[\"agent\"]', 0, 0)");
    const agent = this.db.prepare('INSERT INTO agents (user_id, default_extension, team) VALUES (?, ?, ?)');
    // Every third agent has no user row (deleted since): history keeps the name, the team is null.
    agents.forEach((a, i) => {
      if (i % 3 === 2) return;
      const team = i % 2 === 0 ? 'east' : 'west';
      const id = user.run(a, a).lastInsertRowid;
      agent.run(id, `7${String(i).padStart(3, '0')}`, team);
      this.truth.teams[a] = team;
    });
  }

  // ------------------------------------------------------------------------------ truth keeping

  private count(queue: string, offeredAt: number, kind: Kind): void {
    const { from, to } = this.truth;
    if (offeredAt < from || offeredAt >= to) return;
    const groups: Array<[TrueCounts, Thresholds]> = [[this.truth.total, this.wide], [this.truth.byQueue[queue]!, this.thresholdsOf(queue)]];
    const i = Math.floor((offeredAt - from) / (15 * MIN));
    groups.push([this.truth.byInterval['15m'][i]!, this.wide], [this.truth.byInterval['30m'][i >> 1]!, this.wide], [this.truth.byInterval['60m'][i >> 2]!, this.wide]);
    if (kind.k === 'answered') groups.push([(this.truth.byAgent[kind.agent] ??= zeroCounts()), this.wide]);
    for (const [c, th] of groups) {
      c.offered++;
      if (kind.k === 'answered') {
        c.answered++;
        if (kind.waitMs <= th.t * S_) c.answeredWithinT++;
        c.answerWaitMs += kind.waitMs;
        c.talkMs += kind.talkMs - kind.holdMs;
        c.holdMs += kind.holdMs;
        c.wrapMs += kind.wrapMs;
      } else if (kind.k === 'abandoned') {
        c.abandoned++;
        if (kind.waitMs <= th.t * S_) c.abandonedWithinT++;
        if (kind.waitMs <= th.s * S_) c.shortAbandoned++;
      } else c.other++;
    }
  }

  private state(agent: string, state: string, reason: string | null, startedAt: number, endedAt: number | null, callId: string | null, ext: string): void {
    this.stateStmt.run(agent, state, reason, startedAt, endedAt, endedAt === null ? null : endedAt - startedAt, callId, ext);
    this.truth.rowsWritten.states++;
    const key = state === 'busy' ? 'busyMs' : state === 'workingAfterCall' ? 'wrapMs' : state === 'ready' || state === 'reserved' ? 'availableMs' : state === 'notReady' ? 'notReadyMs' : null;
    if (key === null) return;
    const ms = Math.min(endedAt ?? this.truth.to, this.truth.to) - Math.max(startedAt, this.truth.from);
    const t = (this.truth.states[agent] ??= { busyMs: 0, wrapMs: 0, availableMs: 0, notReadyMs: 0 });
    if (ms > 0) t[key] += ms;
  }

  /** Counts `f` of the agent's and the extension's activity. */
  private act(agent: string, ext: string, f: (a: TrueActivity) => void): void {
    const zero = (): TrueActivity => ({ offers: 0, rona: 0, ringAbandoned: 0, outbound: 0, outboundAnswered: 0, outboundTalkMs: 0 });
    f((this.truth.activity[agent] ??= zero()));
    f((this.truth.activityByExtension[ext] ??= zero()));
  }

  private inDay(at: number): boolean {
    return at >= this.truth.from && at < this.truth.to;
  }

  private call(row: { queue: string | null; offeredAt: number; answeredAt: number | null; endedAt: number | null; holdMs?: number; outcome: string | null; from?: string; to?: string; cause?: string | null; agents?: string[]; direction?: string }): string {
    const id = `c${this.o.seed}-${++this.n}`;
    const agents = row.agents ?? [];
    this.callStmt.run({
      id,
      direction: row.direction ?? 'inbound',
      from: row.from ?? `138${String(this.n).padStart(8, '0')}`,
      to: row.to ?? '4008001000',
      queue: row.queue,
      agents: JSON.stringify(agents),
      firstAgent: agents[0] ?? null,
      offeredAt: row.offeredAt,
      queuedAt: row.offeredAt,
      answeredAt: row.answeredAt,
      endedAt: row.endedAt,
      waitMs: row.answeredAt !== null ? row.answeredAt - row.offeredAt : row.endedAt !== null ? row.endedAt - row.offeredAt : null,
      talkMs: row.answeredAt !== null && row.endedAt !== null ? row.endedAt - row.answeredAt : null,
      holdMs: row.holdMs ?? 0,
      outcome: row.outcome,
      cause: row.cause ?? null,
    });
    this.truth.rowsWritten.calls++;
    return id;
  }

  // ------------------------------------------------------------------------------ generation

  /** A wait for an answered call of `queue`, at least `ringMs`: within T (exactly T now and then)
   * or after it, by the queue's T and the report's both. */
  private answerWait(ringMs: number): number {
    const t = this.wide.t * S_;
    const r = this.rnd();
    if (r < 0.05) return Math.max(ringMs, t); // exactly T (inclusive)
    if (r < 0.08) return Math.max(ringMs, t + 1); // just after
    if (r < 0.7) return Math.max(ringMs, this.int(0, t));
    return Math.max(ringMs, this.int(t + 1, 180 * S_));
  }

  private agentDay(agent: string, index: number, all: string[]): void {
    const { from, to } = this.truth;
    const ext = `7${String(index).padStart(3, '0')}`;
    const [talkLo, talkHi] = this.o.talkS ?? [20, 600];
    const [gapLo, gapHi] = this.o.gapS ?? [5, 180];
    // Some sign in before the day (their early rows are clipped), some stay past its end.
    let t = from + this.int(-90, 180) * MIN + this.int(0, 59_999);
    const signOut = from + this.int(20 * 60, 25 * 60) * MIN;
    while (t < signOut) {
      const r = this.rnd();
      if (r < 0.08) {
        const d = this.int(1, 20) * MIN + this.int(0, 999);
        this.state(agent, 'notReady', this.pick(['lunch', 'training', 'break']), t, t + d, null, ext);
        t += d;
        continue;
      }
      if (r < 0.1) {
        const d = this.int(10, 60) * S_;
        this.state(agent, 'workingAfterCall', null, t, t + d, null, ext); // chosen by hand, no call
        t += d;
        continue;
      }
      if (r < 0.15) {
        t = this.notAnsweredOrOutbound(agent, ext, r, t);
        continue;
      }
      const gap = this.int(gapLo * S_, gapHi * S_);
      this.state(agent, 'ready', null, t, t + gap, null, ext);
      t += gap;
      const ringMs = this.int(500, 8 * S_);
      const waitMs = this.answerWait(ringMs);
      const answeredAt = t + ringMs;
      const offeredAt = answeredAt - waitMs;
      const talkMs = this.int(talkLo * S_, talkHi * S_);
      const endedAt = answeredAt + talkMs;
      // One answered call in four had the caller on hold for a fifth of it (talk_ms holds it; no
      // draw of its own, so the rest of the day is the same whatever the seed).
      const holdMs = talkMs % 4 === 0 ? Math.floor(talkMs / 5) : 0;
      const after = this.rnd();
      const wrapMs = after < 0.7 ? this.int(1, 90) * S_ + this.int(0, 999) : 0;
      const queue = this.pick(this.queues);
      // Now and then the call rang first at another agent who let it ring out (first_agent).
      const rang = all.length > 1 && this.rnd() < 0.1 ? [all[(index + 1) % all.length]!, agent] : [agent];
      const callId = this.call({ queue, offeredAt, answeredAt, endedAt, holdMs, outcome: 'answered', agents: rang });
      this.state(agent, 'reserved', null, t, answeredAt, callId, ext);
      if (this.inDay(t)) this.act(agent, ext, (a) => a.offers++);
      this.state(agent, 'busy', null, answeredAt, endedAt, callId, ext);
      t = endedAt;
      if (wrapMs > 0) {
        this.state(agent, 'workingAfterCall', null, t, t + wrapMs, callId, ext);
        t += wrapMs;
      } else if (after > 0.9) {
        const d = this.int(1, 10) * MIN;
        this.state(agent, 'notReady', 'afterCall', t, t + d, null, ext);
        t += d;
      }
      this.count(queue, offeredAt, { k: 'answered', waitMs, talkMs, holdMs, wrapMs, agent });
    }
    // The first agent is still ready when the report runs: an open row.
    if (index === 0) this.state(agent, 'ready', null, t, null, null, ext);
    else this.state(agent, 'loggedOut', null, t, null, null, ext);
  }

  /**
   * A queue call that rings out at the agent (RONA: the caller waits on and abandons later; the
   * agent is made notReady), one whose caller hangs up while it rings, or an outbound call the
   * agent makes. Returns the time after it.
   */
  private notAnsweredOrOutbound(agent: string, ext: string, r: number, t: number): number {
    const ready = this.int(5 * S_, 60 * S_);
    if (r < 0.13) {
      this.state(agent, 'ready', null, t, t + ready, null, ext);
      t += ready;
      const queue = this.pick(this.queues);
      const offeredAt = t - this.int(0, 30 * S_);
      const ringMs = this.int(2 * S_, 20 * S_);
      const rona = r < 0.12;
      // A RONA's caller gives up 2 s or more after the ring (never taken for a hang-up while ringing).
      const endedAt = rona ? t + ringMs + this.int(2 * S_, 60 * S_) : t + ringMs;
      const callId = this.call({ queue, offeredAt, answeredAt: null, endedAt, outcome: 'abandoned', agents: [agent] });
      this.count(queue, offeredAt, { k: 'abandoned', waitMs: endedAt - offeredAt });
      this.state(agent, 'reserved', null, t, t + ringMs, callId, ext);
      if (this.inDay(t)) this.act(agent, ext, (a) => (a.offers++, rona ? a.rona++ : a.ringAbandoned++));
      t += ringMs;
      if (!rona) return t;
      const away = this.int(10 * S_, 120 * S_);
      this.state(agent, 'notReady', 'noAnswer', t, t + away, null, ext);
      return t + away;
    }
    // Outbound: dialled from the agent's phone, answered seven times in ten.
    this.state(agent, 'notReady', 'outbound', t, t + ready, null, ext);
    t += ready;
    const answered = this.rnd() < 0.7;
    const answeredAt = answered ? t + this.int(3 * S_, 20 * S_) : null;
    const endedAt = answeredAt !== null ? answeredAt + this.int(20 * S_, 300 * S_) : t + this.int(10 * S_, 40 * S_);
    const callId = this.call({ queue: null, offeredAt: t, answeredAt, endedAt, outcome: answered ? 'answered' : 'unanswered', agents: [agent], direction: 'outbound', from: ext, to: `0755${String(this.n).padStart(8, '0')}` });
    this.state(agent, 'busy', null, t, endedAt, callId, ext);
    if (this.inDay(t)) this.act(agent, ext, (a) => (a.outbound++, answeredAt !== null && (a.outboundAnswered++, (a.outboundTalkMs += endedAt - answeredAt))));
    return endedAt;
  }

  private abandon(queue: string, offeredAt: number, waitMs: number, firstAgent?: string): void {
    this.call({ queue, offeredAt, answeredAt: null, endedAt: offeredAt + waitMs, outcome: 'abandoned', agents: firstAgent ? [firstAgent] : [] });
    this.count(queue, offeredAt, { k: 'abandoned', waitMs });
  }

  private abandonsAndOthers(): void {
    const { from, to } = this.truth;
    const day = to - from;
    const at = () => from + Math.floor(this.rnd() * day);
    for (let i = 0; i < (this.o.abandons ?? 300); i++) {
      const queue = this.pick(this.queues);
      const th = this.thresholdsOf(queue);
      const r = this.rnd();
      // Short, between S and T, after T; with the exact boundaries of the queue's and the report's.
      const waitMs =
        r < 0.05 ? th.s * S_ : r < 0.1 ? th.t * S_ : r < 0.13 ? this.wide.s * S_ : r < 0.16 ? this.wide.t * S_ : r < 0.4 ? this.int(0, 5 * S_) : r < 0.6 ? this.int(5 * S_, 20 * S_) : this.int(20 * S_ + 1, 300 * S_);
      // Some rang at an agent who did not answer: first_agent set, still nobody's answered call.
      this.abandon(queue, at(), waitMs, r > 0.95 && this.truth.agents.length > 0 ? this.truth.agents[0] : undefined);
    }
    if (this.o.traps === false) return;
    const q = this.queues[0]!;
    // Offered just outside the day: not in it.
    this.call({ queue: q, offeredAt: from - 1, answeredAt: null, endedAt: from + 30 * S_, outcome: 'abandoned' });
    this.call({ queue: q, offeredAt: to, answeredAt: to + 5 * S_, endedAt: to + 60 * S_, outcome: 'answered' });
    // Offered exactly at the start: in it.
    this.abandon(q, from, 2 * S_);
    // Not a queue call (an agent's outbound call): in no queue report.
    for (let i = 0; i < 5; i++) {
      const o = at();
      const agent = this.truth.agents[0] ?? 'a0001';
      this.call({ queue: null, offeredAt: o, answeredAt: o + 10 * S_, endedAt: o + 70 * S_, outcome: 'answered', direction: 'outbound', agents: [agent], from: '7000' });
      this.act(agent, '7000', (a) => (a.outbound++, a.outboundAnswered++, (a.outboundTalkMs += 60 * S_)));
    }
    // Others: fallbacks (one answered by the outside number it went to), a restart, a failed call,
    // a call still waiting.
    const others: Array<{ outcome: string | null; answered: boolean; ended: boolean; cause?: string }> = [
      { outcome: 'overflow', answered: true, ended: true },
      { outcome: 'overflow', answered: false, ended: true },
      { outcome: 'maxWait', answered: false, ended: true },
      { outcome: 'maxWait', answered: true, ended: true },
      { outcome: 'lost', answered: false, ended: true, cause: 'daemonRestart' },
      { outcome: 'failed', answered: false, ended: true, cause: 'busy' },
      { outcome: 'unanswered', answered: false, ended: true, cause: 'noAnswer' },
      { outcome: null, answered: false, ended: false },
    ];
    for (const o of others) {
      const queue = this.pick(this.queues);
      const offeredAt = at();
      this.call({ queue, offeredAt, answeredAt: o.answered ? offeredAt + 40 * S_ : null, endedAt: o.ended ? offeredAt + 90 * S_ : null, outcome: o.outcome, cause: o.cause ?? null });
      this.count(queue, offeredAt, { k: 'other' });
    }
  }
}

/** Writes a day into `db` (migrated, empty) and returns its true figures. */
export function writeReportDay(db: Database.Database, o: ReportDayOptions): ReportDayTruth {
  return new ReportDay(db, o).write();
}
