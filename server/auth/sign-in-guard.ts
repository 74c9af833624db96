import type { Clock } from '../core/clock';

/**
 * How many wrong passwords are let through before sign-in is refused for a while. Only failures
 * count: an office where everyone signs in every morning from one address never trips it, and a
 * right password clears the account's count. Ten wrong guesses at one account in 15 minutes is
 * no typing mistake; a hundred from one address is someone trying accounts in turn.
 */
export const SIGN_IN_WINDOW_MS = 15 * 60_000;
export const FAILURES_PER_ACCOUNT = 10;
export const FAILURES_PER_ADDRESS = 100;

export type SignInLock = { locked: false } | { locked: true; scope: 'account' | 'address'; retryAfterMs: number };

/** Failure times per key, oldest first, within the window. In memory: a restart forgives. */
class FailureLog {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly maxKeys: number) {}

  recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((at) => now - at < SIGN_IN_WINDOW_MS);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }

  add(key: string, now: number, limit: number): void {
    // Bounded memory against a flood of made-up logins: start over rather than grow without end.
    if (this.failures.size >= this.maxKeys && !this.failures.has(key)) this.failures.clear();
    // Only the last `limit` failures decide a lock; older ones need not be kept.
    this.failures.set(key, [...this.recent(key, now), now].slice(-limit));
  }

  clear(key: string): void {
    this.failures.delete(key);
  }
}

/** Counts failed sign-ins per account and per client address, each against its own limit. */
export class SignInGuard {
  private readonly accounts: FailureLog;
  private readonly addresses: FailureLog;

  constructor(
    private readonly clock: Clock,
    maxKeys = 50_000,
  ) {
    this.accounts = new FailureLog(maxKeys);
    this.addresses = new FailureLog(maxKeys);
  }

  /** Whether a sign-in to `login` from `address` may be tried now; when not, for how long. */
  check(login: string, address: string): SignInLock {
    const now = this.clock.now();
    const byAccount = this.lockOf(this.accounts.recent(accountKey(login), now), FAILURES_PER_ACCOUNT, now);
    if (byAccount !== null) return { locked: true, scope: 'account', retryAfterMs: byAccount };
    const byAddress = this.lockOf(this.addresses.recent(address, now), FAILURES_PER_ADDRESS, now);
    if (byAddress !== null) return { locked: true, scope: 'address', retryAfterMs: byAddress };
    return { locked: false };
  }

  failed(login: string, address: string): void {
    const now = this.clock.now();
    this.accounts.add(accountKey(login), now, FAILURES_PER_ACCOUNT);
    this.addresses.add(address, now, FAILURES_PER_ADDRESS);
  }

  /** The right password: the account's failures are forgiven (the address's stay, they may be another account's). */
  succeeded(login: string): void {
    this.accounts.clear(accountKey(login));
  }

  /** Locked until the oldest failure that counts leaves the window, or null when under the limit. */
  private lockOf(failures: number[], limit: number, now: number): number | null {
    if (failures.length < limit) return null;
    const oldest = failures[failures.length - limit] ?? now;
    return Math.max(1, oldest + SIGN_IN_WINDOW_MS - now);
  }
}

/** Logins are matched case-blind at sign-in: `Anna` and `anna` share one count. */
function accountKey(login: string): string {
  return login.trim().toLowerCase();
}
