/**
 * Signed play URLs between daemons (RECORDING_URL_SECRET): two signers with the same secret — two
 * daemons behind one balancer, or one daemon before and after a restart — accept each other's
 * URLs; with different secrets (or none: random per start) they refuse them.
 */
import { describe, expect, it } from 'vitest';
import { PlayUrlSigner } from '../../src/recording/playback/signed-url.ts';

const NOW = Date.UTC(2026, 11, 2, 9, 0, 0);
const SECRET = 'a-shared-secret-of-at-least-32-characters';

/** The check another signer makes of a URL `from` issued. */
function verdict(from: PlayUrlSigner, by: PlayUrlSigner, at = NOW + 1000): string {
  const q = new URLSearchParams(from.issue('rec-1', 'qa1', NOW).query);
  return by.check('rec-1', q.get('user')!, q.get('exp')!, q.get('sig')!, at);
}

describe('signed play URLs across daemons', () => {
  it('the same secret: each verifies the URLs of the other, both ways', () => {
    const a = new PlayUrlSigner(SECRET);
    const b = new PlayUrlSigner(SECRET);
    expect(verdict(a, b)).toBe('ok');
    expect(verdict(b, a)).toBe('ok');
  });

  it('the same secret still refuses an expired URL, and one for another recording', () => {
    const a = new PlayUrlSigner(SECRET);
    const b = new PlayUrlSigner(SECRET);
    expect(verdict(a, b, NOW + 6 * 60_000)).toBe('expired');
    const q = new URLSearchParams(a.issue('rec-1', 'qa1', NOW).query);
    expect(b.check('rec-2', q.get('user')!, q.get('exp')!, q.get('sig')!, NOW)).toBe('badSignature');
  });

  it('different secrets: neither accepts the other\'s URLs', () => {
    const a = new PlayUrlSigner(SECRET);
    const c = new PlayUrlSigner(`${SECRET}-but-another`);
    expect(verdict(a, c)).toBe('badSignature');
    expect(verdict(c, a)).toBe('badSignature');
  });

  it('no secret (random per start): a second instance, as after a restart, refuses the first one\'s URLs', () => {
    const before = new PlayUrlSigner();
    const after = new PlayUrlSigner();
    expect(verdict(before, before)).toBe('ok');
    expect(verdict(before, after)).toBe('badSignature');
  });
});
