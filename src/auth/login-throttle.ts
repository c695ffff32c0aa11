/**
 * Login throttling, per username and per remote address, shared by `POST /api/v1/auth/login` and
 * the WebSocket's `auth.login`. Pure: every method takes `now`; no timers.
 *
 * A key (a username, an address) may fail `freeFailures − 1` times in a row for nothing; the
 * `freeFailures`-th failure blocks it for `baseMs`, and each further one for
 * `baseMs × 2^(failures − freeFailures)`, at most `maxMs`. While a key is
 * blocked every attempt on it is refused before any password work, even with the right password,
 * and a refused attempt does not count as a failure (the back-off does not grow while the client
 * waits). A username never has more password checks in flight than it has failures left, so a
 * burst of parallel guesses at one account cannot slip past its counter; an address may have any
 * number (two hundred agents behind one NAT log in at once at a shift start) until its back-off
 * starts; in back-off both get one check at a time. A success clears the username's counter, not
 * the address's (one valid account must not whitewash an address that guesses others). A key is
 * forgotten `forgetAfterMs` after its last failure or block ends.
 *
 * Memory is bounded: each map holds at most `maxEntries` keys, least recently used first out, so
 * an attacker spraying usernames evicts its own entries, not the daemon's memory. (A spray large
 * enough to evict a username between two guesses at it is still caught by the address key.)
 *
 * Why not rate-limiter-flexible: its memory store keeps one timer per key, has no size bound and
 * reads the wall clock; this is 150 lines that tests drive with an explicit clock.
 */

export interface ThrottlePolicy {
  /** The failure that starts the back-off (the ones before it cost nothing). */
  freeFailures: number;
  /** First block, ms; doubles with each further failure. */
  baseMs: number;
  /** Longest block, ms. */
  maxMs: number;
  /** A key with no failure and no block for this long is forgotten, ms. */
  forgetAfterMs: number;
  /** Before the back-off: no more checks in flight than failures left (true for usernames). */
  capInFlight: boolean;
}

export interface LoginThrottleOptions {
  username: ThrottlePolicy;
  address: ThrottlePolicy;
  /** Keys kept per map (usernames, addresses). */
  maxEntries: number;
}

export const DEFAULT_THROTTLE: Readonly<LoginThrottleOptions> = Object.freeze({
  username: Object.freeze({ freeFailures: 5, baseMs: 1000, maxMs: 15 * 60_000, forgetAfterMs: 15 * 60_000, capInFlight: true }),
  // A whole call centre may sit behind one NAT address: the typos of hundreds of agents in a
  // quarter of an hour must not lock them all out; a sprayer still gets a back-off.
  address: Object.freeze({ freeFailures: 100, baseMs: 1000, maxMs: 15 * 60_000, forgetAfterMs: 15 * 60_000, capInFlight: false }),
  maxEntries: 10_000,
});

interface Entry {
  failures: number;
  blockedUntil: number;
  /** Password checks started and not yet ended. */
  pending: number;
  /** The last failure or the end of the last block, whichever is later. */
  lastAt: number;
}

/** A started attempt; hand it back to `end`. */
export interface ThrottleTicket {
  readonly username: string;
  readonly address: string;
}

export type ThrottleVerdict = { ok: true; ticket: ThrottleTicket } | { ok: false; retryAfterS: number; key: 'username' | 'address' };

class KeyedBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly policy: ThrottlePolicy,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** ms the key must still wait before a check may start; 0 when it may start now. */
  waitMs(key: string, now: number): number {
    const e = this.live(key, now);
    if (!e) return 0;
    if (now < e.blockedUntil) return e.blockedUntil - now;
    const inBackoff = e.failures >= this.policy.freeFailures;
    if (!inBackoff && !this.policy.capInFlight) return 0;
    const allowed = inBackoff ? 1 : this.policy.freeFailures - e.failures;
    // Checks already in flight take the remaining allowance: ask again in a moment.
    return e.pending >= allowed ? 1000 : 0;
  }

  begin(key: string, now: number): void {
    this.touch(key, now).pending++;
  }

  end(key: string, outcome: 'success' | 'failure' | 'abandoned', now: number, clearOnSuccess: boolean): void {
    const e = this.touch(key, now);
    e.pending = Math.max(0, e.pending - 1);
    if (outcome === 'success' && clearOnSuccess) {
      if (e.pending === 0) this.entries.delete(key);
      else Object.assign(e, { failures: 0, blockedUntil: 0 });
      return;
    }
    if (outcome !== 'failure') return;
    e.failures++;
    e.lastAt = now;
    const over = e.failures - this.policy.freeFailures;
    if (over >= 0) {
      // 2^over overflows to Infinity long before it matters; min() keeps it at maxMs.
      const block = Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** Math.min(over, 52));
      e.blockedUntil = Math.max(e.blockedUntil, now + block);
      e.lastAt = e.blockedUntil;
    }
  }

  /** The entry, if it exists and has not expired; moves it to the recent end. */
  private live(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.expired(e, now)) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private touch(key: string, now: number): Entry {
    let e = this.live(key, now);
    if (e) this.entries.delete(key); // re-inserted below: Map order is least recently used first
    else e = { failures: 0, blockedUntil: 0, pending: 0, lastAt: now };
    this.entries.set(key, e);
    this.sweep(now);
    return e;
  }

  private expired(e: Entry, now: number): boolean {
    return e.pending === 0 && now >= e.blockedUntil && now - e.lastAt >= this.policy.forgetAfterMs;
  }

  /** Drops expired entries at the old end (a few per call) and the oldest beyond the bound. */
  private sweep(now: number): void {
    let looked = 0;
    for (const [key, e] of this.entries) {
      if (looked++ >= 4) break;
      if (this.expired(e, now)) this.entries.delete(key);
    }
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}

export class LoginThrottle {
  private readonly byUsername: KeyedBackoff;
  private readonly byAddress: KeyedBackoff;

  constructor(opts: LoginThrottleOptions = DEFAULT_THROTTLE) {
    this.byUsername = new KeyedBackoff(opts.username, opts.maxEntries);
    this.byAddress = new KeyedBackoff(opts.address, opts.maxEntries);
  }

  /** Keys held (for tests and metrics). */
  get size(): { usernames: number; addresses: number } {
    return { usernames: this.byUsername.size, addresses: this.byAddress.size };
  }

  /** May a password check start for this username from this address? */
  begin(username: string, address: string, now: number): ThrottleVerdict {
    const ticket = { username: usernameKey(username), address: addressKey(address) };
    const u = this.byUsername.waitMs(ticket.username, now);
    const a = this.byAddress.waitMs(ticket.address, now);
    if (u > 0 || a > 0) return { ok: false, retryAfterS: Math.max(1, Math.ceil(Math.max(u, a) / 1000)), key: u >= a ? 'username' : 'address' };
    this.byUsername.begin(ticket.username, now);
    this.byAddress.begin(ticket.address, now);
    return { ok: true, ticket };
  }

  /** The check ended: `failure` (wrong password, unknown or disabled user) counts; `abandoned`
   * (the check could not run, e.g. the hashing queue was full) does not. */
  end(ticket: ThrottleTicket, outcome: 'success' | 'failure' | 'abandoned', now: number): void {
    this.byUsername.end(ticket.username, outcome, now, true);
    this.byAddress.end(ticket.address, outcome, now, false);
  }
}

/** Usernames compare case-insensitively here, so `Admin` and `admin` share a counter. */
function usernameKey(username: string): string {
  return username.normalize('NFC').toLowerCase();
}

/**
 * IPv4 as is (also when IPv4-mapped, `::ffff:10.0.0.1`); IPv6 by its /64, the block one host
 * usually holds whole, so rotating addresses inside it does not reset the counter.
 */
export function addressKey(address: string): string {
  const a = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
  if (mapped) return mapped[1]!;
  if (!a.includes(':')) return a;
  const [head = '', tail = ''] = a.split('::', 2);
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = a.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
