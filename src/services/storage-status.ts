/**
 * Tells supervisors when the database stops taking history writes and when it takes them again
 * (docs/api.md): on the way down an `error` event (`DB_DEGRADED`, a problem not tied to a request;
 * the session stays open) and `db.status {db: "degraded"}`; on the way back `db.status {db:
 * "ok"}`. In the style of `link.status`, to the sessions that asked for the centre's events
 * (`supervisor.subscribe`). Calls are routed and answered all the while.
 */
import type { Notifier } from './ports.ts';

export interface WriteStatusNote {
  state: 'ok' | 'degraded';
  backlog: number;
  since: number | null;
  lastError: string | null;
}

export function announceWriteStatus(notifier: Notifier): (s: WriteStatusNote) => void {
  return (s) => {
    const audience = { subscribers: true };
    if (s.state === 'degraded') {
      notifier.publish(
        'error',
        { code: 'DB_DEGRADED', message: `the database refuses writes (${s.lastError ?? 'unknown'}); call history is kept in memory and written when it takes them again`, lastError: s.lastError, backlog: s.backlog },
        audience,
      );
    }
    notifier.publish('db.status', { db: s.state, backlog: s.backlog, since: s.since === null ? null : new Date(s.since).toISOString(), lastError: s.lastError }, audience);
  };
}
