/**
 * One login per turn of the event loop.
 *
 * A login's first steps are synchronous: the throttle, the user's row from SQLite, the hashing
 * pool's admission. Cheap alone (~0.1 ms), but a crowd logging in at once — a shift start, or
 * every softphone coming back after a network blip — delivers its 200 `auth.login` frames in one
 * poll of the event loop, and 200 of those run back to back: measured, a 70 ms block during which
 * the switch's events (RouteRequest, offers) waited, followed by an 85 ms catch-up.
 *
 * So a login waits for its turn first: the turns are handed out one per loop iteration
 * (`setImmediate` scheduled from the previous turn runs in the next iteration, after I/O has been
 * polled), and between two logins the switch's events get through. A lone login waits one
 * iteration (microseconds). The line itself is a FIFO of callbacks; it holds no timers while empty.
 */
export type NextTurn = (fn: () => void) => void;

const nextIteration: NextTurn = (fn) => void setImmediate(fn);

export class LoginTurns {
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

  /** Logins waiting for their turn. */
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
