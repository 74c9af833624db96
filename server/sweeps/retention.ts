import type { Logger } from 'pino';
import { parseDuration } from '../../config/duration';
import type { Clock } from '../core/clock';
import type { LiveConfig } from '../core/live-config';
import type { Store } from '../db/store';
import { deletedRows, type RunQueue } from '../pipeline/queue';
import type { Sweep } from '../pipeline/scheduler';

/** Rows deleted a statement, and statements a pass: a pass never holds the writer for long, the next one goes on. */
const BATCH = 1000;
const BATCHES_A_PASS = 20;
const EVERY_MS = 10 * 60_000;

/**
 * What each table keeps: finished runs (a run that needs a person — dead, unknown — or may still
 * run stays), messages whose outcome is known (in doubt stays), and events. Stage history is
 * never deleted: analytics counts it.
 */
const TABLES = [
  { setting: 'messages', table: 'messages', time: 'created_at', which: "status NOT IN ('queued', 'sending', 'unknown')" },
  { setting: 'events', table: 'events', time: 'created_at', which: '1 = 1' },
] as const;

export interface RetentionDeps {
  store: Store;
  clock: Clock;
  config: LiveConfig;
  /** Runs are the queue's own table: it deletes them. */
  queue: Pick<RunQueue, 'deleteFinishedBefore'>;
}

function keptMs(kept: 'off' | string): number | null {
  return kept === 'off' ? null : (parseDuration(kept)?.toMillis() ?? null);
}

/** Deletes `deleteBatch` until a batch comes back short or the pass's share is used. */
async function inBatches(deleteBatch: () => Promise<number>): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < BATCHES_A_PASS; batch++) {
    const count = await deleteBatch();
    deleted += count;
    if (count < BATCH) break;
  }
  return deleted;
}

/** Where the runs' batches go on from, pass after pass; back to the start once a batch comes back short. */
export interface RetentionCursor {
  runsAfterId: number;
}

/** Deletes, in batches, what the config's `retention:` no longer keeps; returns the rows deleted. */
export async function pruneOldRows(deps: RetentionDeps, cursor: RetentionCursor = { runsAfterId: 0 }): Promise<Record<string, number>> {
  const retention = deps.config.current.source.retention;
  const postgres = deps.store.kind === 'postgres';
  const deleted: Record<string, number> = {};
  const runsKept = keptMs(retention.runs);
  if (runsKept !== null) {
    deleted.runs = await inBatches(async () => {
      const batch = await deps.queue.deleteFinishedBefore(deps.clock.now() - runsKept, BATCH, cursor.runsAfterId);
      cursor.runsAfterId = batch.deleted < BATCH ? 0 : batch.lastId;
      return batch.deleted;
    });
  }
  for (const { setting, table, time, which } of TABLES) {
    const kept = keptMs(retention[setting]);
    if (kept === null) continue;
    const sql = `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${which} AND ${time} < ${postgres ? '$1' : '?'} ORDER BY id LIMIT ${BATCH})`;
    // A batch a transaction: on SQLite it takes its turn in the group commits, the queue's writes go on between batches.
    deleted[setting] = await inBatches(() => deps.store.transaction(async (manager) => deletedRows(manager, await manager.query(sql, [deps.clock.now() - kept]), postgres)));
  }
  return deleted;
}

/**
 * A pass over a big history takes seconds; it goes on beside the queue instead of before it, so
 * due runs are claimed meanwhile (their writes take turns with the batches). One pass at a time.
 */
export function retentionSweep(deps: RetentionDeps & { logger: Pick<Logger, 'warn'> }): Sweep {
  const cursor: RetentionCursor = { runsAfterId: 0 };
  let under: Promise<unknown> | null = null;
  return {
    name: 'retention',
    everyMs: EVERY_MS,
    run: async () => {
      under ??= pruneOldRows(deps, cursor)
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'the retention pass stopped'))
        .finally(() => (under = null));
    },
  };
}
