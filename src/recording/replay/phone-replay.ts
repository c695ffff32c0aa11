/**
 * Replay by phone (shared/spec/recordings.md, "Replay by phone"; docs/recording.md): what the IVR's
 * `staffLogin` and `replayRecordings` nodes ask of the daemon. An adapter service (it reads the
 * users, runs the search on the search worker and writes the access ledger); the call flow itself
 * is the IVR flow `replay` (flows/replay.yaml) on pilot 8009.
 *
 * - login: the phone id and PIN checked like a password (scrypt through the auth service's hashing
 *   pool; the same work for an unknown id), the user enabled and holding qa, supervisor or admin.
 *   Every refusal is an access-ledger row `denied` via `phone` (user: the username when the phone
 *   id is known, else `phone:<id>`), so the spec's "three wrong tries" are three rows.
 * - search: the agents whose username's digits are the keys (1001 finds a1001; several agents may
 *   share digits, e.g. a1001 and b1001: their recordings are merged), recordings started in the
 *   window, newest first, through the search worker (off the event loop).
 * - played: each recording that starts playing is a ledger row `phone` via `phone`.
 * - fileOf: where the recording's file is now (hot or archive tier), for the voice unit.
 */
import type { Logger } from 'pino';
import type { SearchPage } from '../search/executor.ts';
import { buildSearch, type SearchQuery } from '../search/query.ts';
import type { LedgerEntry } from '../../storage/repositories/access-ledger.ts';

/** The IVR flow a `replay` pilot runs. */
export const REPLAY_FLOW = 'replay';

/** Roles that may replay recordings (the readers of recordings). */
export const REPLAY_ROLES = ['qa', 'supervisor', 'admin'] as const;

export interface PhoneReplayDeps {
  /** The user whose phone id and PIN these are; when not, why, and whose phone id it is if known. */
  verifyPin(phoneId: string, pin: string): Promise<{ user: { username: string; displayName: string; roles: readonly string[] } } | { user: null; reason: string; username?: string }>;
  /** Usernames of the centre (agents whose recordings may be asked for). */
  usernames(): readonly string[];
  search(q: SearchQuery): Promise<SearchPage>;
  /** The file of a closed recording, or null. */
  pathOf(recordingId: string): string | null;
  ledger: { append(e: LedgerEntry): unknown };
  log: Logger;
}

export interface ReplayCall {
  callId: string;
  caller: string;
}

export interface FoundRecording {
  id: string;
  startedAt: number;
  durationMs: number;
}

/** The digits of a username (`a1001` → `1001`). */
export const usernameDigits = (username: string): string => username.replace(/\D/g, '');

export class PhoneReplayService {
  constructor(private readonly d: PhoneReplayDeps) {}

  async login(phoneId: string, pin: string, call: ReplayCall): Promise<{ user: string; name: string } | null> {
    const r = await this.d.verifyPin(phoneId, pin);
    let refusal: string | null = null;
    let who = `phone:${phoneId}`;
    if (r.user === null) {
      refusal = r.reason;
      if (r.username !== undefined) who = r.username;
    } else {
      who = r.user.username;
      if (!r.user.roles.some((x) => (REPLAY_ROLES as readonly string[]).includes(x))) refusal = 'noReplayRole';
    }
    if (refusal !== null) {
      this.d.ledger.append({ user: who, recordingId: null, action: 'denied', via: 'phone', detail: `replay by phone refused (${refusal}) on call ${call.callId} from ${call.caller || 'unknown'}` });
      this.d.log.warn({ callId: call.callId, phoneId, user: r.user?.username ?? (r.user === null ? (r.username ?? null) : null), reason: refusal }, 'replay by phone: sign-in refused');
      return null;
    }
    this.d.log.info({ callId: call.callId, user: who }, 'replay by phone: signed in');
    return { user: who, name: r.user!.displayName };
  }

  /** Recordings of the agents with these digits started in [from, to), newest first. */
  async search(q: { agentDigits: string; from: number; to: number; limit: number }): Promise<FoundRecording[]> {
    if (!/^\d+$/.test(q.agentDigits)) return [];
    const agents = this.d.usernames().filter((u) => usernameDigits(u) === q.agentDigits);
    const found: FoundRecording[] = [];
    for (const agent of agents) {
      const page = await this.d.search(buildSearch({ agent, from: q.from, to: q.to - 1 }, null, q.limit));
      for (const r of page.rows) found.push({ id: r.recording.id, startedAt: r.startedAtMs, durationMs: r.recording.durationMs ?? 0 });
    }
    const seen = new Set<string>();
    return found
      .sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .filter((r) => !seen.has(r.id) && seen.add(r.id))
      .slice(0, q.limit);
  }

  /** A recording starts playing to `user`: the ledger row. */
  played(recordingId: string, user: string, call: ReplayCall): void {
    this.d.ledger.append({ user, recordingId, action: 'phone', via: 'phone', detail: `call ${call.callId}` });
    this.d.log.info({ callId: call.callId, user, recordingId }, 'replay by phone: recording played');
  }

  fileOf(recordingId: string): string | null {
    return this.d.pathOf(recordingId);
  }
}
