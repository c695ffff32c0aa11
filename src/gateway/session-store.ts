/**
 * Where resumable sessions are kept so that they outlive the process (implemented on the
 * ws_sessions table in wiring/storage.ts). A session is written when it starts, when its socket
 * goes and comes back, and when it ends — never per event. After a restart a `session.resume`
 * whose token is not live is looked up here: if the session's socket went away less than
 * RESUME_GRACE_S ago (or, attached when the previous run ended, that run ended less than
 * RESUME_GRACE_S ago) it is taken back: a snapshot, numbering continued from the client's
 * `lastSeq`, and for an agent the state it had (presence-service.ts `resumeAfterRestart`).
 */
import { createHash } from 'node:crypto';
import type { ClientKind } from './protocol.ts';

export interface StoredSessionRecord {
  /** sha256 (hex) of the resume token; the token itself is never stored. */
  resumeHash: string;
  userId: number;
  username: string;
  /** sha256 of the bearer token the session was opened with. */
  tokenHash: string;
  expiresAt: number;
  createdAt: number;
  detachedAt: number | null;
  client: ClientKind;
}

export interface SessionStore {
  saved(record: StoredSessionRecord): void;
  detached(resumeHash: string, at: number): void;
  attached(resumeHash: string): void;
  removed(resumeHash: string): void;
  find(resumeHash: string): StoredSessionRecord | null;
}

/** For a gateway without storage (tests of the gateway alone): remembers nothing. */
export const NO_SESSION_STORE: SessionStore = {
  saved: () => undefined,
  detached: () => undefined,
  attached: () => undefined,
  removed: () => undefined,
  find: () => null,
};

export function resumeHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Whether a stored session may still be resumed at `now`: its token has not expired, and it has
 * been away less than `graceMs` — since its socket went, or, attached when the previous run ended,
 * since that end (`previousRunEnd`; null: there was none, so an attached record is not ours to
 * take).
 */
export function resumableAt(record: StoredSessionRecord, now: number, graceMs: number, previousRunEnd: number | null): boolean {
  if (record.expiresAt <= now) return false;
  const awaySince = record.detachedAt ?? previousRunEnd;
  return awaySince !== null && now - awaySince <= graceMs;
}
