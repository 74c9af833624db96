import type { Clock } from '../core/clock';
import type { LiveConfig } from '../core/live-config';
import type { EntityKind } from '../core/rows';
import { allSql } from '../db/hot-path';
import type { Store } from '../db/store';
import type { Inbound } from '../inbound/inbound';
import type { Sweep } from '../pipeline/scheduler';
import type { Records } from '../records/records';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 200;

export interface ScoreDecayDeps {
  store: Store;
  clock: Clock;
  config: LiveConfig;
  records: Pick<Records, 'decayScore'>;
  inbound: Pick<Inbound, 'ingest'>;
}

/**
 * The score after the whole quiet days since it last changed (`decay_per_day` each), and the
 * moment those days end — kept as the new `scored_at`, so the part of a day already counted is
 * not counted twice. Null when nothing changes yet. Pure; the rule scoring applies at an event.
 */
export function decayedScore(score: number, scoredAt: number | null, now: number, perDay: number): { to: number; scoredAt: number } | null {
  if (perDay <= 0 || score <= 0 || scoredAt === null) return null;
  const days = Math.floor((now - scoredAt) / DAY_MS);
  if (days < 1) return null;
  const to = Math.max(0, score - Math.floor(days * perDay));
  return to === score ? null : { to, scoredAt: scoredAt + days * DAY_MS };
}

/**
 * Applies decay on the clock, so a lead quiet for two weeks shows its cooled score and a
 * `score_dropped` trigger can move it back. Each change is a `score_changed` event (reason
 * `decay`); two workers never decay one item twice (Records.decayScore).
 */
export async function applyScoreDecay(deps: ScoreDecayDeps): Promise<number> {
  const perDay = deps.config.current.source.scoring.decay_per_day;
  if (!perDay || perDay <= 0) return 0;
  const now = deps.clock.now();
  let changed = 0;
  for (const [kind, table] of [
    ['lead', 'leads'],
    ['deal', 'deals'],
  ] as Array<[EntityKind, string]>) {
    const due = await allSql(deps.store.manager, `SELECT id, score, scored_at FROM ${table} WHERE score > 0 AND scored_at IS NOT NULL AND scored_at <= ? ORDER BY scored_at LIMIT ${BATCH}`, [now - DAY_MS]);
    for (const row of due) {
      const ref = { kind, id: Number(row.id) };
      const from = Number(row.score);
      const before = Number(row.scored_at);
      const decay = decayedScore(from, before, now, perDay);
      if (!decay) continue;
      if (!(await deps.records.decayScore(ref, { score: from, scoredAt: before }, { score: decay.to, scoredAt: decay.scoredAt }))) continue;
      changed += 1;
      await deps.inbound.ingest({ type: 'score_changed', item: ref, actor: 'scoring', payload: { from, to: decay.to, reason: 'decay', decayed: from - decay.to } });
    }
  }
  return changed;
}

/**
 * The next moment decay changes some item's score: its score last changed a whole number of
 * quiet days ago that takes off at least one point. A rehearsal stops its fake clock there, so a
 * `score_dropped` trigger fires on the day it would in production, not at the horizon.
 */
export async function nextScoreDecayAt(store: Store, perDay: number): Promise<number | null> {
  if (!perDay || perDay <= 0) return null;
  const [row] = await allSql(store.manager, 'SELECT MIN(scored_at) AS first FROM (SELECT MIN(scored_at) AS scored_at FROM leads WHERE score > 0 UNION ALL SELECT MIN(scored_at) FROM deals WHERE score > 0) quiet', []);
  const first = row?.first;
  return first === null || first === undefined ? null : Number(first) + Math.ceil(1 / perDay) * DAY_MS;
}

/** Looked at hourly; an item decays when a whole quiet day has passed since its score last changed. */
export function scoreDecaySweep(deps: ScoreDecayDeps): Sweep {
  return { name: 'score decay', everyMs: 60 * 60 * 1000, run: () => applyScoreDecay(deps) };
}
