/**
 * Signed play URLs (docs/recording.md, "Playback"): an `<audio>` element cannot send a bearer
 * header, so `POST /recordings/:id/play-url` hands out
 * `/api/v1/recordings/:id/audio?user=…&exp=…&sig=…`, where
 * `sig = base64url(HMAC-SHA256(secret, "<recordingId>\n<user>\n<exp>"))`, valid 5 minutes.
 * The secret is random per daemon start unless one is configured; a restart voids URLs given out.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const PLAY_URL_TTL_MS = 5 * 60_000;

export class PlayUrlSigner {
  private readonly secret: Buffer;

  constructor(secret?: string | Buffer) {
    this.secret = secret === undefined ? randomBytes(32) : Buffer.from(secret);
  }

  sign(recordingId: string, user: string, expiresAt: number): string {
    return createHmac('sha256', this.secret).update(`${recordingId}\n${user}\n${expiresAt}`).digest('base64url');
  }

  /** The query string of a URL for `user` to play `recordingId` until `now + ttl`. */
  issue(recordingId: string, user: string, now: number, ttlMs = PLAY_URL_TTL_MS): { query: string; expiresAt: number } {
    const expiresAt = now + ttlMs;
    const q = new URLSearchParams({ user, exp: String(expiresAt), sig: this.sign(recordingId, user, expiresAt) });
    return { query: q.toString(), expiresAt };
  }

  /** 'ok', or why not. */
  check(recordingId: string, user: string, exp: string, sig: string, now: number): 'ok' | 'badSignature' | 'expired' {
    if (!/^\d{1,15}$/.test(exp)) return 'badSignature';
    const want = Buffer.from(this.sign(recordingId, user, Number(exp)));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return 'badSignature';
    return Number(exp) < now ? 'expired' : 'ok';
  }
}
