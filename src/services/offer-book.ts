/**
 * The offer book: which agent an ACD call is being offered to (reserved for it), the ring timer of
 * each offer, and each agent's unanswered offers in a row. Routing decides; the book keeps the
 * facts and the timers, and calls back when a ring time is over.
 *
 * An agent has at most one offer; a call may, for a moment, have two (a new offer made while the
 * old one is being withdrawn), so lookups by call return every offer of the call.
 */
import type { TrackedCall } from '../core/calls/call.ts';
import type { DirectoryQueue } from './directory.ts';
import type { Timers } from './ports.ts';

export interface Offer {
  agentId: string;
  call: TrackedCall;
  queue: DirectoryQueue;
  /** The phone the call was sent to. */
  ext: string;
  timer: unknown;
  /** The routing dialogue that sent it, while the switch has not closed it. */
  crossRefId?: string;
}

export class OfferBook {
  private readonly offers = new Map<string, Offer>();
  /** Unanswered (or refused) offers in a row, per agent. */
  private readonly misses = new Map<string, number>();

  constructor(
    private readonly timers: Timers,
    /** The ring time of the agent's offer is over (the offer is still in the book). */
    private readonly onRingTimeout: (agentId: string) => void,
  ) {}

  get size(): number {
    return this.offers.size;
  }

  /** Reserves `agentId` for `call`, ringing at `ext` for the queue's ring time. */
  reserve(agentId: string, call: TrackedCall, queue: DirectoryQueue, ext: string): Offer {
    this.drop(agentId);
    const timer = this.timers.setTimeout(() => this.onRingTimeout(agentId), queue.ringTimeoutS * 1000);
    const offer: Offer = { agentId, call, queue, ext, timer };
    this.offers.set(agentId, offer);
    return offer;
  }

  of(agentId: string): Offer | undefined {
    return this.offers.get(agentId);
  }

  has(agentId: string): boolean {
    return this.offers.has(agentId);
  }

  /** Every offer of `call` (usually none or one). */
  forCall(call: TrackedCall): Offer[] {
    const out: Offer[] = [];
    for (const o of this.offers.values()) if (o.call === call) out.push(o);
    return out;
  }

  isOffered(call: TrackedCall): boolean {
    for (const o of this.offers.values()) if (o.call === call) return true;
    return false;
  }

  byDialogue(crossRefId: string): Offer | undefined {
    for (const o of this.offers.values()) if (o.crossRefId === crossRefId) return o;
    return undefined;
  }

  /** Removes the agent's offer and its timer; returns it. */
  drop(agentId: string): Offer | undefined {
    const offer = this.offers.get(agentId);
    if (!offer) return undefined;
    this.timers.clearTimeout(offer.timer);
    this.offers.delete(agentId);
    return offer;
  }

  /** One more unanswered or refused offer for the agent; `tooMany` once `maxMisses` are reached in
   * a row (the count then starts again). */
  miss(agentId: string, maxMisses: number): { missed: number; tooMany: boolean } {
    const missed = (this.misses.get(agentId) ?? 0) + 1;
    const tooMany = missed >= maxMisses;
    if (tooMany) this.misses.delete(agentId);
    else this.misses.set(agentId, missed);
    return { missed, tooMany };
  }

  /** The agent answered: the misses in a row start again. */
  answered(agentId: string): void {
    this.misses.delete(agentId);
  }

  /** Forgets the agent (removed from the directory). */
  forget(agentId: string): void {
    this.drop(agentId);
    this.misses.delete(agentId);
  }

  agents(): IterableIterator<string> {
    return this.offers.keys();
  }

  clear(): void {
    for (const agentId of [...this.offers.keys()]) this.drop(agentId);
  }
}
