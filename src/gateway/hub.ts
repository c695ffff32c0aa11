/**
 * The registry of live sessions and the Notifier the services publish through: one serialization
 * of an event's data, fanned out to each session in the audience once.
 */
import type { Audience, Clock, Notifier } from '../services/ports.ts';
import type { Session } from './session.ts';

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
    if (targets.size === 0) return;
    const json = JSON.stringify(data);
    const now = this.clock.now();
    for (const s of targets) s.emit(event, json, now);
  }
}
