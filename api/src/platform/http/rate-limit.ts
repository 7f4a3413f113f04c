// Per-token token-bucket rate limiting (per process; each API replica enforces its own share).
import { problems } from '../problems.js';

export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private perSecond: number,
    private burst: number,
  ) {}

  /** Throws 429 with Retry-After when the caller's bucket is empty. perSecond 0 disables the limit. */
  take(key: string, now = Date.now()) {
    if (this.perSecond === 0) return;
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 50_000) this.buckets.clear();
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens < 1) throw problems.rateLimited(Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond)));
    b.tokens -= 1;
  }
}
