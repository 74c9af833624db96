import { RetryableSendError } from '../core/errors';
import type { Channel, OutgoingMessage, SendReceipt } from './channel';

/** `30/s`, `1/s`, `100/m`; `off` or `0` for no limit. */
export function parseRate(text: string | undefined, fallback: number | null): number | null {
  if (text === undefined || text.trim() === '') return fallback;
  if (text === 'off' || text === '0') return null;
  const match = /^(\d+(?:\.\d+)?)\s*\/\s*(s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`a rate limit is N/s, N/m or N/h (or off), not "${text}"`);
  const perUnit = { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
  return Number(match[1]) / perUnit;
}

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. `reserve` takes a
 * token now or books the next one and says how long to wait for it, so concurrent senders
 * queue up in order instead of all waking at once.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Milliseconds until the booked token is ours (0: send now). */
  reserve(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.ratePerSecond) * 1000);
  }

  /** Full again: nothing booked, nothing owed, so forgetting this bucket changes nothing. */
  isIdle(): boolean {
    return this.tokens + ((this.now() - this.updatedAt) / 1000) * this.ratePerSecond >= this.burst;
  }

  /** Gives back a booked token the sender decided not to wait for. */
  release(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }
}

const MAX_TRACKED_RECIPIENTS = 10_000;

export interface RateLimits {
  /** Messages a second over the whole channel (Telegram: about 30). */
  global: number | null;
  /** Messages a second to one recipient (Telegram: 1 per chat). */
  perRecipient: number | null;
  /**
   * Longer than this in the queue and the send is handed back to the runner as a retry with
   * that delay, rather than holding a worker.
   */
  maxWaitMs?: number;
}

/**
 * Holds sends to a provider's published limits, so we slow ourselves down instead of meeting
 * 429s. Waiting uses real time: it paces real requests, not the schedule.
 */
export class RateLimitedChannel implements Channel {
  readonly name: string;
  private readonly global: TokenBucket | null;
  private readonly perRecipient = new Map<string, TokenBucket>();
  private readonly maxWaitMs: number;
  /** Messages whose turn `ready` has waited for: their `send` goes straight through. */
  private readonly turns = new WeakSet<OutgoingMessage>();

  constructor(
    private readonly inner: Channel,
    private readonly limits: RateLimits,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    private readonly now: () => number = Date.now,
  ) {
    this.name = inner.name;
    this.global = limits.global ? new TokenBucket(limits.global, Math.max(1, limits.global), now) : null;
    this.maxWaitMs = limits.maxWaitMs ?? 30_000;
  }

  /** The adapter underneath, for what is not a send (Telegram's answerCallbackQuery, Twilio calls). */
  get unwrapped(): Channel {
    return this.inner;
  }

  /** Books this message's turn under the limits and waits for it (before the message row says `sending`). */
  async ready(message: OutgoingMessage): Promise<void> {
    const buckets = [this.global, this.bucketFor(message.recipient)].filter((bucket): bucket is TokenBucket => bucket !== null);
    const waits = buckets.map((bucket) => bucket.reserve());
    const wait = Math.max(0, ...waits);
    if (wait > this.maxWaitMs) {
      buckets.forEach((bucket) => bucket.release());
      throw new RetryableSendError(`${this.name} rate limit: the queue is ${Math.round(wait / 1000)} s long`, wait);
    }
    if (wait > 0) await this.sleep(wait);
    this.turns.add(message);
  }

  /** Sends at once when `ready` gave this message its turn; otherwise (a caller that did not ask) takes the turn first. */
  async send(message: OutgoingMessage): Promise<SendReceipt> {
    if (!this.turns.delete(message)) await this.ready(message);
    this.turns.delete(message);
    return this.inner.send(message);
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }

  private bucketFor(recipient: string): TokenBucket | null {
    if (!this.limits.perRecipient) return null;
    let bucket = this.perRecipient.get(recipient);
    if (!bucket) {
      // One bucket a recipient ever written to would grow without end in a long-running server.
      if (this.perRecipient.size >= MAX_TRACKED_RECIPIENTS) {
        for (const [key, candidate] of this.perRecipient) if (candidate.isIdle()) this.perRecipient.delete(key);
      }
      bucket = new TokenBucket(this.limits.perRecipient, Math.max(1, this.limits.perRecipient), this.now);
      this.perRecipient.set(recipient, bucket);
    }
    return bucket;
  }
}
