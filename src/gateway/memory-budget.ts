/**
 * One budget for the memory the gateway holds on behalf of its clients: bytes queued unsent on
 * sockets (a client that does not read) plus the sessions' resume buffers (session.ts). Each
 * socket and each session has its own cap already (64 MiB unsent, 32 MiB / 1,000 events of
 * resume buffer); this bounds their sum, so that many slow clients at once cannot grow the daemon
 * until the machine swaps or kills it.
 *
 * Cost: sessions report their changes as they happen (O(1) per event: a running total); the
 * totals are recomputed from every session once a second, and at once when the running total
 * crosses the budget. Over budget, `planRelief` decides, down to a low-water mark:
 *  1. cut off the clients with the most bytes unsent (close 1008; their session stays and can be
 *     resumed, and destroying the socket frees what it held);
 *  2. if that is not enough, drop the oldest events of the biggest resume buffers (a later
 *     resume from before them gets a snapshot instead of a replay).
 */
import type { Logger } from 'pino';
import type { MemoryMeter, Session } from './session.ts';

/** Below this many unsent bytes a client is reading fine; it is never cut off for the budget. */
export const MIN_CUT_UNSENT_BYTES = 256 * 1024;
/** Relief goes down to this share of the budget, so that it does not run again at once. */
export const LOW_WATER = 0.75;
const MIN_SWEEP_GAP_MS = 100;

export interface Consumer<T> {
  who: T;
  unsent: number;
  resume: number;
}

export interface Relief<T> {
  cut: T[];
  shed: { who: T; bytes: number }[];
}

/** Pure: what to cut and shed so that the total falls to `LOW_WATER × budget`. */
export function planRelief<T>(consumers: readonly Consumer<T>[], budgetBytes: number): Relief<T> {
  const relief: Relief<T> = { cut: [], shed: [] };
  let total = 0;
  for (const c of consumers) total += c.unsent + c.resume;
  if (total <= budgetBytes) return relief;
  let need = total - Math.floor(budgetBytes * LOW_WATER);
  for (const c of [...consumers].sort((a, b) => b.unsent - a.unsent)) {
    if (need <= 0 || c.unsent < MIN_CUT_UNSENT_BYTES) break;
    relief.cut.push(c.who);
    need -= c.unsent;
  }
  for (const c of [...consumers].sort((a, b) => b.resume - a.resume)) {
    if (need <= 0 || c.resume === 0) break;
    const bytes = Math.min(c.resume, need);
    relief.shed.push({ who: c.who, bytes });
    need -= bytes;
  }
  return relief;
}

export interface MemoryBudgetOptions {
  budgetBytes: number;
  sessions: () => Iterable<Session>;
  /** Closes the session's socket for not reading (ws-gateway.ts). */
  cutOff: (session: Session) => void;
  log: Logger;
  /** Full recount interval, ms. */
  sweepMs?: number;
}

export class MemoryBudget implements MemoryMeter {
  private resumeTotal = 0;
  private unsentTotal = 0;
  private timer: NodeJS.Timeout | null = null;
  private pending = false;
  private lastSweep = 0;
  private reliefs = { cut: 0, shedBytes: 0 };

  constructor(private readonly o: MemoryBudgetOptions) {}

  start(): void {
    this.timer ??= setInterval(() => this.sweep(), this.o.sweepMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Running totals (approximate between recounts) and what relief has done so far. */
  stats(): { budgetBytes: number; resumeBytes: number; unsentBytes: number; cut: number; shedBytes: number } {
    return { budgetBytes: this.o.budgetBytes, resumeBytes: this.resumeTotal, unsentBytes: this.unsentTotal, ...this.reliefs };
  }

  resumeDelta(bytes: number): void {
    this.resumeTotal += bytes;
    if (bytes > 0) this.check();
  }

  unsent(session: Session, bytes: number): void {
    this.unsentTotal += bytes - session.lastUnsent;
    session.lastUnsent = bytes;
    this.check();
  }

  /** Recounts from every session and relieves when over budget. */
  sweep(): void {
    this.pending = false;
    const consumers: Consumer<Session>[] = [];
    let resume = 0;
    let unsent = 0;
    this.lastSweep = performance.now();
    for (const s of this.o.sessions()) {
      // A socket already closing (cut off or leaving) frees what it holds within a second.
      const ws = s.socket;
      const u = ws && ws.readyState === ws.OPEN ? ws.bufferedAmount : 0;
      s.lastUnsent = u;
      consumers.push({ who: s, unsent: u, resume: s.bufferedBytes });
      resume += s.bufferedBytes;
      unsent += u;
    }
    this.resumeTotal = resume;
    this.unsentTotal = unsent;
    const relief = planRelief(consumers, this.o.budgetBytes);
    if (relief.cut.length === 0 && relief.shed.length === 0) return;
    for (const s of relief.cut) {
      this.o.log.warn({ username: s.user.username, unsentBytes: s.lastUnsent, totalBytes: resume + unsent, budgetBytes: this.o.budgetBytes }, 'client memory budget exceeded: slow client cut off (1008), it can resume');
      this.o.cutOff(s);
      this.reliefs.cut++;
    }
    let shed = 0;
    for (const { who, bytes } of relief.shed) shed += who.shed(bytes);
    if (shed > 0) {
      this.reliefs.shedBytes += shed;
      this.o.log.warn({ sessions: relief.shed.length, shedBytes: shed, budgetBytes: this.o.budgetBytes }, 'client memory budget exceeded: oldest resume events dropped (a resume from before them gets a snapshot)');
    }
  }

  /** Over budget: recount soon — at once, but not more often than every MIN_SWEEP_GAP_MS, so a
   * total that relief cannot lower does not turn into a recount per event. */
  private check(): void {
    if (this.pending || this.resumeTotal + this.unsentTotal <= this.o.budgetBytes) return;
    this.pending = true;
    const wait = this.lastSweep + MIN_SWEEP_GAP_MS - performance.now();
    if (wait <= 0) setImmediate(() => this.sweep());
    else setTimeout(() => this.sweep(), wait).unref();
  }
}
