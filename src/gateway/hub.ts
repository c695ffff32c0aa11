/**
 * The registry of live sessions and the Notifier the services publish through: one serialization
 * of an event's data, fanned out to each session in the audience once, as one shared `Published`
 * that every session's resume buffer references.
 */
import type { Audience, Clock, Notifier } from '../services/ports.ts';
import { fannedOut, published, type Session } from './session.ts';

export class Hub implements Notifier {
  private readonly byUser = new Map<string, Set<Session>>();
  private readonly byToken = new Map<string, Session>();
  readonly subscribers = new Set<Session>();

  constructor(private readonly clock: Clock) {}

  add(session: Session): void {
    let set = this.byUser.get(session.user.username);
    if (!set) this.byUser.set(session.user.username, (set = new Set()));
    set.add(session);
    this.byToken.set(session.token, session);
  }

  remove(session: Session): void {
    const set = this.byUser.get(session.user.username);
    set?.delete(session);
    if (set?.size === 0) this.byUser.delete(session.user.username);
    this.byToken.delete(session.token);
    this.subscribers.delete(session);
  }

  byResumeToken(token: string): Session | undefined {
    return this.byToken.get(token);
  }

  sessionsOf(username: string): readonly Session[] {
    return [...(this.byUser.get(username) ?? [])];
  }

  all(): IterableIterator<Session> {
    return this.byToken.values();
  }

  get size(): number {
    return this.byToken.size;
  }

  publish(event: string, data: object, audience: Audience): void {
    const targets = new Set<Session>();
    if (audience.all) for (const s of this.byToken.values()) targets.add(s);
    else {
      if (audience.users) for (const u of audience.users) for (const s of this.byUser.get(u) ?? []) targets.add(s);
      if (audience.subscribers) for (const s of this.subscribers) targets.add(s);
    }
    if (event === 'queue.stats') for (const s of targets) if (!s.queueStats) targets.delete(s);
    if (targets.size === 0) return;
    const json = JSON.stringify(data);
    if (audience.background && targets.size > BACKGROUND_SLICE) {
      this.sendInSlices(event, json, [...targets], 0);
      return;
    }
    const p = published(event, json, this.clock.now());
    for (const s of targets) s.emitPublished(p);
    fannedOut(p);
  }

  /** A large background fan-out (queue figures to every member of a queue) goes out in slices,
   * one per turn of the event loop, so that a switch event arriving meanwhile waits for one
   * slice, not for the whole fan-out. Each session's `seq` is taken when its frame is sent, so
   * every session still sees its events in order. */
  private sendInSlices(event: string, json: string, targets: Session[], from: number): void {
    // One shared event per slice: its `ts` is when the slice goes out.
    const p = published(event, json, this.clock.now());
    const end = Math.min(from + BACKGROUND_SLICE, targets.length);
    for (let i = from; i < end; i++) targets[i]!.emitPublished(p);
    fannedOut(p);
    if (end < targets.length) setImmediate(() => this.sendInSlices(event, json, targets, end));
  }
}

/** Sessions served per turn of the event loop by a background fan-out (~0.3 ms of sends). */
const BACKGROUND_SLICE = 64;
