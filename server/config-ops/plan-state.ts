import type { EntityManager } from 'typeorm';
import { loadConfigFileOffThread } from '../../config/loader';
import type { Clock } from '../core/clock';
import { LEAD_PIPELINE, type CompiledConfig } from '../core/compiled-config';
import type { ConfigIssue } from '../core/errors';
import type { LiveConfig } from '../core/live-config';
import { DealEntity, LeadEntity } from '../db/entities';
import type { Store } from '../db/store';
import { PENDING_STATUSES, type RunQueue } from '../pipeline/queue';
import { planReload, removedStages, SAMPLE, type PlanState, type ReloadPlan, type StageItems } from './reload-plan';

/** What a reload plan reads from the database, and the dry run of a reload from a file. */

/** A reload's answer: swapped (and how many pending runs it cancelled), or refused with every issue. */
export type ReloadResult = { ok: true; cancelledRuns: number } | { ok: false; issues: ConfigIssue[] };

async function countByStage(manager: EntityManager): Promise<StageItems[]> {
  const [leads, deals] = await Promise.all([
    manager.createQueryBuilder(LeadEntity, 'item').select('item.stage', 'stage').addSelect('COUNT(*)', 'count').groupBy('item.stage').getRawMany<{ stage: string; count: string | number }>(),
    manager
      .createQueryBuilder(DealEntity, 'item')
      .select('item.pipeline', 'pipeline')
      .addSelect('item.stage', 'stage')
      .addSelect('COUNT(*)', 'count')
      .groupBy('item.pipeline')
      .addGroupBy('item.stage')
      .getRawMany<{ pipeline: string; stage: string; count: string | number }>(),
  ]);
  return [
    ...leads.map((row) => ({ pipeline: LEAD_PIPELINE, stage: row.stage, count: Number(row.count), first: [] })),
    ...deals.map((row) => ({ pipeline: row.pipeline, stage: row.stage, count: Number(row.count), first: [] })),
  ];
}

/** What `planReload` needs from the database: the pending runs, and the items standing in each stage. */
export async function loadPlanState(manager: EntityManager, queue: RunQueue, current: CompiledConfig, next: CompiledConfig): Promise<PlanState> {
  const runs = (await Promise.all(PENDING_STATUSES.map((status) => queue.list({ status })))).flat();
  const stageItems = await countByStage(manager);
  for (const { pipeline, stage } of removedStages(current, next)) {
    const items = stageItems.find((candidate) => candidate.pipeline === pipeline && candidate.stage === stage);
    if (!items) continue;
    const rows =
      pipeline === LEAD_PIPELINE
        ? await manager.find(LeadEntity, { where: { stage }, order: { id: 'ASC' }, take: SAMPLE, select: ['id'] })
        : await manager.find(DealEntity, { where: { pipeline, stage }, order: { id: 'ASC' }, take: SAMPLE, select: ['id'] });
    items.first = rows.map((row) => `${pipeline === LEAD_PIPELINE ? 'lead' : 'deal'}:${row.id}`);
  }
  return {
    pendingRuns: runs.map(({ id, entryId, entityType, entityId, pipeline, stage, robotId, status, dueAt, waitsFor }) => ({ id, entryId, entityType, entityId, pipeline, stage, robotId, status, dueAt, waitsFor })),
    stageItems,
  };
}

/**
 * The dry run of `Runtime.reload`: the file read and checked the same way (off the main
 * thread), then planned against the running config and the database; nothing is written.
 */
export async function planConfigFile(deps: { clock: Clock; config: LiveConfig; store: Store; queue: RunQueue }, file: string): Promise<{ ok: true; plan: ReloadPlan } | { ok: false; issues: ConfigIssue[] }> {
  const result = await loadConfigFileOffThread(file, deps.clock.now());
  if (!result.ok) return result;
  const current = deps.config.current;
  const state = await loadPlanState(deps.store.manager, deps.queue, current, result.config);
  return { ok: true, plan: planReload(current, result.config, state) };
}
