/**
 * Password hashing with scrypt from node:crypto, stored as a PHC-style string that carries its own
 * parameters and salt: `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64, no padding), so the cost can
 * be raised later and old hashes still verify (`needsRehash`).
 *
 * Trade-off: ln=15 (N=32768, r=8: 32 MiB and ~0.1–0.2 s per hash) rather than OWASP's ln=17
 * (128 MiB). Shift starts bring bursts of logins, scrypt runs on libuv's four threads, and a
 * 128 MiB x 4 burst is too much for the small boxes call centres run this on. Hashing is async
 * (thread pool) so it never blocks call handling on the event loop. Logins run it through the
 * hashing pool instead (hash-pool.ts: bounded, on low-priority worker threads), which passes its
 * own `Scrypt` to these functions; the default is node:crypto's async scrypt on libuv's pool.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  /** log2 of N, the CPU/memory cost. */
  ln: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

export const DEFAULT_SCRYPT: Readonly<ScryptParams> = Object.freeze({ ln: 15, r: 8, p: 1 });

/** node:crypto's scrypt options for one derivation. */
export interface ScryptJob {
  /** The password, already NFC-normalized. */
  password: string;
  salt: Buffer;
  keylen: number;
  options: { N: number; r: number; p: number; maxmem: number };
}

/** Runs one derivation; the default runs node:crypto's async scrypt on libuv's thread pool. */
export type Scrypt = (job: ScryptJob) => Promise<Buffer>;

export const libuvScrypt: Scrypt = ({ password, salt, keylen, options }) =>
  new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });

const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Bounds for parameters read back from a stored string: a corrupt row must not make us allocate
// gigabytes.
const LIMITS = { ln: [1, 20], r: [1, 32], p: [1, 16] } as const;

export interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT, run: Scrypt = libuvScrypt): Promise<string> {
  checkParams(params);
  const salt = randomBytes(SALT_BYTES);
  const hash = await run(scryptJob(password, salt, params, KEY_BYTES));
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

/** True when `password` matches `stored`. A malformed `stored` never matches. */
export async function verifyPassword(password: string, stored: string, run: Scrypt = libuvScrypt): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const candidate = await run(scryptJob(password, parsed.salt, parsed.params, parsed.hash.length));
  return timingSafeEqual(candidate, parsed.hash);
}

/**
 * Spends the same work as verifying against a hash with `params`, and always fails. Used when the
 * username is unknown so that a failed login takes as long either way.
 */
export async function burnVerification(password: string, params: ScryptParams = DEFAULT_SCRYPT, run: Scrypt = libuvScrypt): Promise<false> {
  const candidate = await run(scryptJob(password, randomBytes(SALT_BYTES), params, KEY_BYTES));
  timingSafeEqual(candidate, Buffer.alloc(KEY_BYTES));
  return false;
}

/** True when `stored` was made with other parameters than `params` (rehash at next login). */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  const p = parsed.params;
  return p.ln !== params.ln || p.r !== params.r || p.p !== params.p || parsed.hash.length !== KEY_BYTES;
}

export function parseHash(stored: string): ParsedHash | null {
  const m = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(stored);
  if (!m) return null;
  const params: ScryptParams = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (!withinLimits(params)) return null;
  const salt = Buffer.from(m[4]!, 'base64');
  const hash = Buffer.from(m[5]!, 'base64');
  if (salt.length < 8 || hash.length < 16) return null;
  return { params, salt, hash };
}

function scryptJob(password: string, salt: Buffer, params: ScryptParams, keylen: number): ScryptJob {
  const N = 2 ** params.ln;
  // scrypt needs 128 * N * r bytes; leave headroom above Node's 32 MiB default.
  const maxmem = 128 * N * params.r * 2 + 1024 * 1024;
  return { password: password.normalize('NFC'), salt, keylen, options: { N, r: params.r, p: params.p, maxmem } };
}

function withinLimits(params: ScryptParams): boolean {
  return (Object.keys(LIMITS) as (keyof ScryptParams)[]).every((k) => {
    const v = params[k];
    return Number.isInteger(v) && v >= LIMITS[k][0] && v <= LIMITS[k][1];
  });
}

function checkParams(params: ScryptParams): void {
  if (!withinLimits(params)) throw new RangeError(`scrypt parameters out of range: ${JSON.stringify(params)}`);
}

const b64 = (buf: Buffer) => buf.toString('base64').replace(/=+$/, '');
