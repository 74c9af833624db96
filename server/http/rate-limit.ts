import type { Clock } from '../core/clock';

/**
 * Token buckets by key (a form and an IP address): `N/m` allows bursts of N and refills
 * N per minute. Time comes from the injected clock, so tests walk it instead of sleeping.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = 50000,
  ) {}

  static parse(rate: string): { capacity: number; perMs: number } {
    const [count, unit] = rate.split('/');
    const windowMs = unit === 's' ? 1000 : unit === 'h' ? 3600000 : 60000;
    return { capacity: Number(count), perMs: Number(count) / windowMs };
  }

  /** Takes one token; returns 0 when allowed, else the milliseconds until one is free. */
  take(key: string, rate: string): number {
    const { capacity, perMs } = RateLimiter.parse(rate);
    const now = this.clock.now();
    const bucket = this.buckets.get(key) ?? { tokens: capacity, updatedAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
    if (this.buckets.size >= this.maxKeys && !this.buckets.has(key)) this.buckets.clear();
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / perMs);
  }
}
