import type { Clock } from '../core/clock';
import { LessThanOrEqual, MoreThan } from 'typeorm';
import { SignInFailureEntity } from '../db/entities';
import { runSql } from '../db/hot-path';
import { lockKeys } from '../db/locks';
import type { Store } from '../db/store';

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

/** A try let through: it counts as a failure already, until a right password forgives it. */
export type Admission = { locked: false; at: number } | Extract<SignInLock, { locked: true }>;

/**
 * Where failures are kept: the database (every process of an install shares the count, and a
 * restart forgives nothing), or memory for the guard's own unit tests. Times per key, oldest first.
 */
export interface FailureLog {
  recent(scope: LockScope, key: string, since: number): Promise<number[]>;
  add(scope: LockScope, key: string, at: number): Promise<void>;
  clear(scope: LockScope, key: string): Promise<void>;
  /**
   * In one step: the failures since `since` when there are `limit` already (refused, nothing
   * written), else null and a failure at `at` written — so tries at the same moment cannot all
   * pass a count taken before any of them was written.
   */
  admit(scope: LockScope, key: string, since: number, limit: number, at: number): Promise<number[] | null>;
  /** Takes back one failure written at `at` (an admitted try that was right after all). */
  removeOne(scope: LockScope, key: string, at: number): Promise<void>;
}

type LockScope = 'account' | 'address';

export class MemoryFailureLog implements FailureLog {
  private readonly failures = new Map<string, number[]>();

  async recent(scope: LockScope, key: string, since: number): Promise<number[]> {
    return (this.failures.get(`${scope}:${key}`) ?? []).filter((at) => at > since);
  }

  async add(scope: LockScope, key: string, at: number): Promise<void> {
    this.failures.set(`${scope}:${key}`, [...(this.failures.get(`${scope}:${key}`) ?? []), at]);
  }

  async clear(scope: LockScope, key: string): Promise<void> {
    this.failures.delete(`${scope}:${key}`);
  }

  async admit(scope: LockScope, key: string, since: number, limit: number, at: number): Promise<number[] | null> {
    const recent = await this.recent(scope, key, since);
    if (recent.length >= limit) return recent;
    await this.add(scope, key, at);
    return null;
  }

  async removeOne(scope: LockScope, key: string, at: number): Promise<void> {
    const times = this.failures.get(`${scope}:${key}`) ?? [];
    const index = times.lastIndexOf(at);
    if (index >= 0) times.splice(index, 1);
  }
}

/** Counts failed sign-ins per account and per client address, each against its own limit. */
export class SignInGuard {
  constructor(
    private readonly clock: Clock,
    private readonly log: FailureLog = new MemoryFailureLog(),
  ) {}

  /** Whether a sign-in to `login` from `address` may be tried now; when not, for how long. */
  async check(login: string, address: string): Promise<SignInLock> {
    const now = this.clock.now();
    const since = now - SIGN_IN_WINDOW_MS;
    const byAccount = lockOf(await this.log.recent('account', accountKey(login), since), FAILURES_PER_ACCOUNT, now);
    if (byAccount !== null) return { locked: true, scope: 'account', retryAfterMs: byAccount };
    const byAddress = lockOf(await this.log.recent('address', address, since), FAILURES_PER_ADDRESS, now);
    if (byAddress !== null) return { locked: true, scope: 'address', retryAfterMs: byAddress };
    return { locked: false };
  }

  /**
   * Lets one try through, or says why not, counting it before the password is checked: of tries
   * at the same moment only as many as the limits leave are checked at all. A right password
   * then calls `succeeded` with the admission, which takes the count back.
   */
  async admit(login: string, address: string): Promise<Admission> {
    const now = this.clock.now();
    const since = now - SIGN_IN_WINDOW_MS;
    const byAccount = await this.log.admit('account', accountKey(login), since, FAILURES_PER_ACCOUNT, now);
    if (byAccount !== null) return { locked: true, scope: 'account', retryAfterMs: lockOf(byAccount, FAILURES_PER_ACCOUNT, now) ?? 1 };
    const byAddress = await this.log.admit('address', address, since, FAILURES_PER_ADDRESS, now);
    if (byAddress !== null) {
      await this.log.removeOne('account', accountKey(login), now);
      return { locked: true, scope: 'address', retryAfterMs: lockOf(byAddress, FAILURES_PER_ADDRESS, now) ?? 1 };
    }
    return { locked: false, at: now };
  }

  async failed(login: string, address: string): Promise<void> {
    const now = this.clock.now();
    await this.log.add('account', accountKey(login), now);
    await this.log.add('address', address, now);
  }

  /** The right password: the account's failures are forgiven (the address's stay, they may be another account's). */
  async succeeded(login: string, admitted?: { address: string; at: number }): Promise<void> {
    await this.log.clear('account', accountKey(login));
    if (admitted) await this.log.removeOne('address', admitted.address, admitted.at);
  }
}

/** Locked until the oldest failure that counts leaves the window, or null when under the limit. */
function lockOf(failures: number[], limit: number, now: number): number | null {
  if (failures.length < limit) return null;
  const oldest = failures[failures.length - limit] ?? now;
  return Math.max(1, oldest + SIGN_IN_WINDOW_MS - now);
}

/** Logins are matched case-blind at sign-in: `Anna` and `anna` share one count. */
function accountKey(login: string): string {
  return login.trim().toLowerCase();
}

/** The failures in the database, shared by every process of the install. */
export class DatabaseFailureLog implements FailureLog {
  constructor(private readonly store: Store) {}

  async recent(scope: LockScope, key: string, since: number): Promise<number[]> {
    const rows = await this.store.manager.find(SignInFailureEntity, { where: { scope, key, at: MoreThan(since) }, order: { at: 'ASC' }, select: ['at'] });
    return rows.map((row) => row.at);
  }

  async add(scope: LockScope, key: string, at: number): Promise<void> {
    await this.store.transaction(async (manager) => {
      await manager.insert(SignInFailureEntity, { scope, key, at });
      // What has left the window decides nothing: the table keeps only the last quarter hour.
      await manager.delete(SignInFailureEntity, { scope, key, at: LessThanOrEqual(at - SIGN_IN_WINDOW_MS) });
    });
  }

  async clear(scope: LockScope, key: string): Promise<void> {
    await this.store.transaction((manager) => manager.delete(SignInFailureEntity, { scope, key }));
  }

  async admit(scope: LockScope, key: string, since: number, limit: number, at: number): Promise<number[] | null> {
    return this.store.transaction(async (manager) => {
      // Postgres: tries for one key take turns here (SQLite's single writer already does).
      await lockKeys(manager, [`sign-in:${scope}:${key}`]);
      const rows = await manager.find(SignInFailureEntity, { where: { scope, key, at: MoreThan(since) }, order: { at: 'ASC' }, select: ['at'] });
      if (rows.length >= limit) return rows.map((row) => row.at);
      await manager.insert(SignInFailureEntity, { scope, key, at });
      await manager.delete(SignInFailureEntity, { scope, key, at: LessThanOrEqual(at - SIGN_IN_WINDOW_MS) });
      return null;
    });
  }

  async removeOne(scope: LockScope, key: string, at: number): Promise<void> {
    await this.store.serialized((manager) =>
      runSql(manager, 'DELETE FROM sign_in_failures WHERE id = (SELECT id FROM sign_in_failures WHERE scope = ? AND "key" = ? AND at = ? ORDER BY id DESC LIMIT 1)', [scope, key, at]),
    );
  }
}
