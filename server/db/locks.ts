import type { EntityManager } from 'typeorm';

/**
 * Holds a lock on each of `keys` until the caller's transaction ends, so transactions that
 * look for a row and then write one when they found none take turns per key (two copies of a
 * form for one phone). Postgres: transaction-scoped advisory locks, taken in one order so two
 * holders of overlapping keys cannot deadlock. SQLite: its single writer already serialises
 * these transactions, nothing to take.
 */
export async function lockKeys(manager: EntityManager, keys: ReadonlyArray<string>): Promise<void> {
  if (manager.connection.options.type !== 'postgres') return;
  for (const key of [...new Set(keys)].sort()) await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
}
