// Token-bucket rate limiting per key (a token, or the source address of requests with bad tokens), per process:
// each API replica enforces its own share. Callers see their bucket in the IETF RateLimit headers.
import { problems } from '../problems.js';

/** A bucket after a request took from it. */
export interface LimitState {
  /** the bucket's size: the burst allowed */
  quota: number;
  /** seconds the bucket takes to refill from empty */
  window: number;
  remaining: number;
  /** seconds until the bucket is full again */
  reset: number;
}

/** `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers): the policy, and where the caller is. */
export function rateLimitHeaders(s: LimitState): Record<string, string> {
  return {
    'RateLimit-Policy': `"default";q=${s.quota};w=${s.window}`,
    RateLimit: `"default";r=${s.remaining};t=${s.reset}`,
  };
}

export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private perSecond: number,
    private burst: number,
  ) {}

  /**
   * Forgets the buckets that have refilled (they hold nothing a new bucket would not), so spraying new keys (source
   * addresses, say) cannot empty the map and refill a spent token's bucket; only if every bucket is in use does the
   * map start over.
   */
  private evictFull(now: number) {
    for (const [key, b] of this.buckets)
      if (b.tokens + ((now - b.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(key);
    if (this.buckets.size > 50_000) this.buckets.clear();
  }

  /** Whether `key`'s bucket is empty now (nothing taken): a refusal that costs the server nothing. */
  exhausted(key: string, now = Date.now()): boolean {
    if (this.perSecond === 0) return false;
    const b = this.buckets.get(key);
    return !!b && Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond) < 1;
  }

  /**
   * Takes one request from `key`'s bucket and answers its state; throws 429 with Retry-After (and the RateLimit
   * headers) when the bucket is empty. perSecond 0 disables the limit (and answers no state).
   */
  take(key: string, now = Date.now()): LimitState | undefined {
    if (this.perSecond === 0) return undefined;
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 50_000) this.evictFull(now);
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    const window = Math.ceil(this.burst / this.perSecond);
    if (b.tokens < 1) {
      const retry = Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
      const state = {
        quota: this.burst,
        window,
        remaining: 0,
        reset: Math.ceil((this.burst - b.tokens) / this.perSecond),
      };
      throw problems.rateLimited(retry, rateLimitHeaders(state));
    }
    b.tokens -= 1;
    return {
      quota: this.burst,
      window,
      remaining: Math.floor(b.tokens),
      reset: Math.ceil((this.burst - b.tokens) / this.perSecond),
    };
  }
}
