/**
 * Group commit's other half (DB_GROUP_COMMIT=1; docs/storage.md): the WebSocket frames a turn of
 * the event loop pushes are held to its end and written after the turn's history is committed, so
 * no client sees a call, a state or an answer whose rows a crash could still lose. An answer to a
 * request commits at once (`beforeAnswer`) and lets that session's held frames go first, in order.
 * Holding also makes a turn's frames to one socket leave together.
 */
import type { Session } from './session.ts';

export interface TurnCommit {
  /** Commits the history written so far (the write queue's barrier). */
  barrier(): void;
  /** Runs `fn` at the end of this turn (setImmediate). */
  defer(fn: () => void): void;
}

export class TurnOutbox {
  private readonly held = new Set<Session>();
  private due = false;
  private readonly endOfTurn = (): void => {
    this.due = false;
    this.flushAll();
  };

  constructor(private readonly commit: TurnCommit) {}

  /** `session` holds a frame for the end of this turn. */
  hold(session: Session): void {
    this.held.add(session);
    if (!this.due) {
      this.due = true;
      this.commit.defer(this.endOfTurn);
    }
  }

  /** Before an answer on `session`: commit, then its held frames, so they stay ahead of it. */
  beforeAnswer(session: Session): void {
    this.commit.barrier();
    if (this.held.delete(session)) session.flushHeld();
  }

  /** Commit, then every held frame. */
  flushAll(): void {
    if (this.held.size === 0) return;
    this.commit.barrier();
    const sessions = [...this.held];
    this.held.clear();
    for (const s of sessions) s.flushHeld();
  }
}
