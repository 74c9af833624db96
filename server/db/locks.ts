import type { EntityManager } from 'typeorm';

/**
 * Holds a lock on each of `keys` until the caller's transaction ends, so transactions that
 * look for a row and then write one when they found none take turns per key (two copies of a
 * form for one phone). Postgres: transaction-scoped advisory locks, taken in one order so two
 * holders of overlapping keys cannot deadlock. SQLite: its single writer already serialises
 * these transactions, nothing to take.
 */
export async function lockKeys(manager: EntityManager, keys: ReadonlyArray<string>): Promise<void> {
  if (manager.connection.options.type !== 'postgres' || keys.length === 0) return;
  // One round trip, in the order of the locks themselves (two keys may share a hash).
  await manager.query('SELECT pg_advisory_xact_lock(lock) FROM (SELECT DISTINCT hashtext(key) AS lock FROM unnest($1::text[]) AS key ORDER BY lock) AS locks', [[...keys]]);
}

/**
 * The keys that make lookups of a client by phone or email take turns: a form for a phone and
 * an import row with it find one another's lead instead of both making one.
 */
export function addressLockKeys(phones: ReadonlyArray<string>, emails: ReadonlyArray<string>): string[] {
  return [...phones.map((phone) => `address:phone:${phone}`), ...emails.map((email) => `address:email:${email}`)];
}
