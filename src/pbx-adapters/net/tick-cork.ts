/**
 * One TCP write per tick for a socket that sends bursts (the switch's side of the CTI link: an
 * answer and the events it caused, or the 200 OKs of one read): corked at the first write of the
 * tick, uncorked on the next (`process.nextTick`), so the writes of this tick leave together and
 * none waits past it. Shared by the Annex G channel and the SIP endpoint, which sit in layers that
 * must not depend on each other.
 */
import type { Socket } from 'node:net';

export class TickCork {
  private corked = false;
  /** Counts holds: a release before the next tick makes that tick's uncork a no-op. */
  private holds = 0;

  constructor(private readonly socket: Socket) {}

  /** Before a write: the first of this tick corks the socket until the next tick. */
  hold(): void {
    if (this.corked) return;
    this.corked = true;
    const hold = ++this.holds;
    this.socket.cork();
    process.nextTick(() => {
      if (hold === this.holds && this.corked) this.release();
    });
  }

  /** Sends what this tick held now (before a write that must not wait, or join the batch). */
  release(): void {
    if (!this.corked) return;
    this.corked = false;
    this.holds++;
    this.socket.uncork();
  }
}
