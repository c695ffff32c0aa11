/**
 * The foundation's router: longest-idle ready agent of the call's queue, and for a freed agent the
 * longest-waiting call across the queues it serves. Pure and indexed: per queue, ready agents in
 * the order they became idle (a Map keeps insertion order, so the head is the longest idle) and
 * waiting calls in the order they queued. A decision costs O(queues of the agent), not O(agents).
 *
 * The full ACD (skills, priorities, relaxation, overflow) replaces this in its own issue; this one
 * exists so that the whole call path works end to end.
 */

export interface WaitingCall {
  callId: string;
  queue: string;
  queuedAt: number;
}

export class MinimalRouter {
  private readonly readyByQueue = new Map<string, Map<string, number>>();
  private readonly agentQueues = new Map<string, readonly string[]>();
  private readonly waitingByQueue = new Map<string, WaitingCall[]>();
  private readonly waiting = new Map<string, WaitingCall>();

  /** The agent is ready for calls of `queues` since `idleSince`. */
  agentAvailable(agentId: string, queues: readonly string[], idleSince: number): void {
    this.agentUnavailable(agentId);
    this.agentQueues.set(agentId, queues);
    for (const q of queues) {
      let set = this.readyByQueue.get(q);
      if (!set) this.readyByQueue.set(q, (set = new Map()));
      set.set(agentId, idleSince);
    }
  }

  agentUnavailable(agentId: string): void {
    const queues = this.agentQueues.get(agentId);
    if (!queues) return;
    for (const q of queues) this.readyByQueue.get(q)?.delete(agentId);
    this.agentQueues.delete(agentId);
  }

  isAvailable(agentId: string): boolean {
    return this.agentQueues.has(agentId);
  }

  /** Longest-idle available agent of `queue`, or null. Does not change availability. */
  pickAgent(queue: string, exclude?: ReadonlySet<string>): string | null {
    const set = this.readyByQueue.get(queue);
    if (!set) return null;
    for (const agentId of set.keys()) if (!exclude?.has(agentId)) return agentId;
    return null;
  }

  readyCount(queue: string): number {
    return this.readyByQueue.get(queue)?.size ?? 0;
  }

  /** A call waits in `queue`; kept in queued-at order (a call put back keeps its place). */
  enqueue(call: WaitingCall): void {
    this.dequeue(call.callId);
    let list = this.waitingByQueue.get(call.queue);
    if (!list) this.waitingByQueue.set(call.queue, (list = []));
    let i = list.length;
    while (i > 0 && list[i - 1]!.queuedAt > call.queuedAt) i--;
    list.splice(i, 0, call);
    this.waiting.set(call.callId, call);
  }

  dequeue(callId: string): WaitingCall | null {
    const call = this.waiting.get(callId);
    if (!call) return null;
    this.waiting.delete(callId);
    const list = this.waitingByQueue.get(call.queue);
    if (list) {
      const i = list.indexOf(call);
      if (i >= 0) list.splice(i, 1);
    }
    return call;
  }

  isWaiting(callId: string): boolean {
    return this.waiting.has(callId);
  }

  /** The longest-waiting call across `queues` (fair across queues: oldest wins), or null. */
  pickCall(queues: readonly string[], exclude?: ReadonlySet<string>): WaitingCall | null {
    let best: WaitingCall | null = null;
    for (const q of queues) {
      const list = this.waitingByQueue.get(q);
      if (!list) continue;
      const head = exclude ? list.find((c) => !exclude.has(c.callId)) : list[0];
      if (head && (!best || head.queuedAt < best.queuedAt)) best = head;
    }
    return best;
  }

  waitingIn(queue: string): readonly WaitingCall[] {
    return this.waitingByQueue.get(queue) ?? [];
  }
}
