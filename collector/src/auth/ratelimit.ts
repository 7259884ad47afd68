/**
 * A tiny per-source token bucket (no dependency needed for a dozen lines): enrollment attempts
 * and failed authentications each spend a token; a source with an empty bucket gets 429 until
 * tokens refill. The map is bounded: when full, sources whose buckets are full again are
 * forgotten first, then the oldest.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    /** Burst size. */
    private readonly capacity: number,
    /** Tokens regained per minute. */
    private readonly perMinute: number,
    private readonly maxSources = 50_000,
  ) {}

  private current(key: string, now: number): { tokens: number; at: number } {
    const b = this.buckets.get(key);
    if (!b) return { tokens: this.capacity, at: now };
    const tokens = Math.min(this.capacity, b.tokens + ((now - b.at) / 60_000) * this.perMinute);
    return { tokens, at: now };
  }

  /** Seconds until `key` may try again, or 0 when it has a token left (nothing is spent). */
  blockedFor(key: string, now = Date.now()): number {
    const b = this.current(key, now);
    return b.tokens >= 1 ? 0 : Math.ceil(((1 - b.tokens) / this.perMinute) * 60);
  }

  /** Spend one token; returns the seconds to wait when none was left (0 when spent). */
  take(key: string, now = Date.now()): number {
    const b = this.current(key, now);
    if (b.tokens < 1) return Math.ceil(((1 - b.tokens) / this.perMinute) * 60);
    b.tokens -= 1;
    this.buckets.delete(key); // re-insert: Map order is then least recently used first
    this.buckets.set(key, b);
    if (this.buckets.size > this.maxSources) this.evict(now);
    return 0;
  }

  private evict(now: number): void {
    for (const [k] of this.buckets) {
      if (this.current(k, now).tokens >= this.capacity) this.buckets.delete(k);
    }
    while (this.buckets.size > this.maxSources) this.buckets.delete(this.buckets.keys().next().value!);
  }
}
