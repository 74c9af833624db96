import { parseDuration } from '../../config/duration';
import type { Clock } from '../core/clock';
import type { LiveConfig } from '../core/live-config';
import type { Store } from '../db/store';
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
  { setting: 'runs', table: 'robot_runs', time: 'finished_at', which: "status IN ('done', 'skipped', 'cancelled')" },
  { setting: 'messages', table: 'messages', time: 'created_at', which: "status NOT IN ('queued', 'sending', 'unknown')" },
  { setting: 'events', table: 'events', time: 'created_at', which: '1 = 1' },
] as const;

export interface RetentionDeps {
  store: Store;
  clock: Clock;
  config: LiveConfig;
}

/** Deletes, in batches, what the config's `retention:` no longer keeps; returns the rows deleted. */
export async function pruneOldRows(deps: RetentionDeps): Promise<Record<string, number>> {
  const retention = deps.config.current.source.retention;
  const postgres = deps.store.kind === 'postgres';
  const deleted: Record<string, number> = {};
  for (const { setting, table, time, which } of TABLES) {
    const kept = retention[setting];
    const keptMs = kept === 'off' ? null : (parseDuration(kept)?.toMillis() ?? null);
    if (keptMs === null) continue;
    const before = deps.clock.now() - keptMs;
    const sql = `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${which} AND ${time} < ${postgres ? '$1' : '?'} ORDER BY id LIMIT ${BATCH})`;
    deleted[setting] = 0;
    for (let batch = 0; batch < BATCHES_A_PASS; batch++) {
      // A batch a transaction: on SQLite it takes its turn in the group commits, the queue's writes go on between batches.
      const count = await deps.store.transaction(async (manager) => {
        const result: unknown = await manager.query(sql, [before]);
        if (postgres) return Number((result as [unknown, number])[1] ?? 0);
        const [row] = (await manager.query('SELECT changes() AS count')) as Array<{ count: number }>;
        return Number(row?.count ?? 0);
      });
      deleted[setting] += count;
      if (count < BATCH) break;
    }
  }
  return deleted;
}

export function retentionSweep(deps: RetentionDeps): Sweep {
  return { name: 'retention', everyMs: EVERY_MS, run: () => pruneOldRows(deps) };
}
