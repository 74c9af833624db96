import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock';
import { allSql, runSql } from './hot-path';
import type { Store } from './store';

/** How long a lease outlives a process that died holding it. */
const LEASE_MS = 2 * 60_000;
/** How long a caller waits for another process's turn to end before giving up. */
const PATIENCE_MS = 60_000;
const POLL_MS = 25;

/**
 * Runs `work` while this process holds the lease `name` in the database every process of the
 * install shares (on both databases: an upsert that takes the row only when it is free or
 * expired), waiting while another holds it. What one process serialises in memory, the others
 * do not see: two config applies in two processes would each pass a check made before either
 * wrote.
 */
export async function withLease<T>(store: Store, clock: Clock, name: string, work: () => Promise<T>): Promise<T> {
  const holder = `${process.pid}:${randomBytes(6).toString('hex')}`;
  const giveUpAt = Date.now() + PATIENCE_MS;
  for (;;) {
    const now = clock.now();
    const taken = await store.serialized((manager) =>
      allSql(
        manager,
        'INSERT INTO leases (name, holder, held_until) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, held_until = excluded.held_until WHERE leases.held_until < ? RETURNING id',
        [name, holder, now + LEASE_MS, now],
      ),
    );
    if (taken.length > 0) break;
    if (Date.now() > giveUpAt) throw new Error(`"${name}" is held by another process for over a minute`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    return await work();
  } finally {
    await store.serialized((manager) => runSql(manager, 'DELETE FROM leases WHERE name = ? AND holder = ?', [name, holder]));
  }
}
