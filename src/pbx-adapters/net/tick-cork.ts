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

  constructor(private readonly socket: Socket) {}

  /** Before a write: the first of this tick corks the socket until the next tick. */
  hold(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }
}
