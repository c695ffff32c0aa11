/**
 * A token bucket per connection: `burst` requests at once, `perSecond` sustained. A client that
 * keeps sending into an empty bucket (more than `burst` refusals in a row) is disconnected (4008).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private refusals = 0;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** 'ok', 'limited' (answer RATE_LIMITED) or 'abusive' (close 4008). */
  take(now: number): 'ok' | 'limited' | 'abusive' {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.refusals = 0;
      return 'ok';
    }
    this.refusals++;
    return this.refusals > this.burst ? 'abusive' : 'limited';
  }
}
