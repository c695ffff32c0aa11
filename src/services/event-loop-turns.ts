/**
 * One piece of a crowd's work per turn of the event loop.
 *
 * A crowd of softphones — a shift start, or every softphone of the centre coming back after a
 * network blip — delivers its 200 WebSocket handshakes, then its 200 `auth.login` frames, each
 * batch in one poll of the event loop. Each is cheap alone (a handshake ~0.15 ms; a login's
 * synchronous first steps — throttle, the user's row from SQLite, the hashing pool's admission —
 * ~0.1 ms), but 200 back to back held the switch's events (RouteRequest, offers) for 30–70 ms,
 * followed by a catch-up (measured: docs/performance.md, "Login flood").
 *
 * So each waits for its turn: the turns are handed out one per loop iteration (`setImmediate`
 * scheduled from the previous turn runs in the next iteration, after I/O has been polled), and
 * between two of them the switch's events get through. A lone one waits one iteration
 * (microseconds). The line is a FIFO of callbacks; it holds no timer while empty. Used for
 * logins (auth-service.ts) and WebSocket upgrades (ws-gateway.ts).
 */
export type NextTurn = (fn: () => void) => void;

const nextIteration: NextTurn = (fn) => void setImmediate(fn);

export class EventLoopTurns {
  private readonly waiting: (() => void)[] = [];
  private head = 0;
  private scheduled = false;

  constructor(private readonly schedule: NextTurn = nextIteration) {}

  /** Resolves when it is this caller's turn. */
  take(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.arm();
    });
  }

  /** Callers waiting for their turn. */
  get length(): number {
    return this.waiting.length - this.head;
  }

  private arm(): void {
    if (this.scheduled || this.length === 0) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      const next = this.waiting[this.head++]!;
      if (this.head === this.waiting.length) {
        this.waiting.length = 0;
        this.head = 0;
      } else if (this.head > 256 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      next();
      this.arm();
    });
  }
}
