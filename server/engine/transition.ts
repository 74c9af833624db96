import type { EntityManager } from 'typeorm';
import { pipelineOf, type CompiledConfig } from '../../config/model';
import type { StageSpec } from '../../config/schema';
import { LeadEntity, RobotRunEntity, StageEntryEntity, type RobotRunRow, type StageEntryRow } from '../db/entities';
import { cancelPendingRuns, insertRows, updateById } from '../db/hot-path';
import { computeDueAt, type WorkingCalendar } from './calendar';
import { MoveRefusedError } from './errors';
import { entityOf, missingFields, type Item } from './items';

export interface MoveOptions {
  actor: string;
  reason?: string;
  refusedBy?: string;
  /** How many robot-caused moves led here (semantics 7). People and triggers start at 0. */
  causalDepth?: number;
}

export interface PlannedMove {
  stage: StageSpec;
  reason: string | null;
  refusedBy: string | null;
}

/** Pure: may this item enter that stage? Throws the refusal users see as a 422. */
export function planMove(config: CompiledConfig, item: Item, toStage: string, options: MoveOptions): PlannedMove {
  const pipeline = pipelineOf(config, item.pipeline);
  const stage = pipeline?.stages.find((candidate) => candidate.id === toStage);
  if (!pipeline || !stage) {
    const known = pipeline?.stages.map((candidate) => candidate.id).join(', ') ?? '';
    throw new MoveRefusedError(`unknown stage "${toStage}" in ${item.kind === 'lead' ? 'lead statuses' : `pipeline "${item.pipeline}"`} (known: ${known})`, {
      code: 'unknown_stage',
    });
  }
  const depth = options.causalDepth ?? 0;
  if (depth > config.source.engine.max_causal_depth) {
    throw new MoveRefusedError(`loop guard: ${depth} robot-caused moves in a row exceed engine.max_causal_depth (${config.source.engine.max_causal_depth})`, {
      code: 'loop_guard',
    });
  }
  const missing = missingFields(stage.required, item);
  if (missing.length > 0) {
    throw new MoveRefusedError(`stage "${stage.id}" requires ${missing.join(', ')}`, { code: 'required_fields', missingFields: missing });
  }
  if (stage.semantic === 'lost') {
    const reasons = stage.reasons ?? [];
    const reason = reasons.find((candidate) => candidate.id === options.reason);
    if (!reason) {
      throw new MoveRefusedError(
        options.reason ? `"${options.reason}" is not a reason allowed in stage "${stage.id}"` : `stage "${stage.id}" needs a reason`,
        { code: 'reason_required', allowedReasons: reasons.map((candidate) => candidate.id) },
      );
    }
    if (options.refusedBy && options.refusedBy !== reason.refused_by) {
      throw new MoveRefusedError(`reason "${reason.id}" means ${reason.refused_by}, not ${options.refusedBy}`, {
        code: 'refused_by_mismatch',
        allowedReasons: reasons.map((candidate) => candidate.id),
      });
    }
    return { stage, reason: reason.id, refusedBy: reason.refused_by };
  }
  return { stage, reason: options.reason ?? null, refusedBy: null };
}

/**
 * The one transaction of a move (semantics 1 and 4): close the entry it leaves and cancel that
 * entry's pending runs, open the new entry, schedule the new stage's robots, update the item.
 * Runs inside the caller's transaction.
 */
export async function enterStage(
  manager: EntityManager,
  config: CompiledConfig,
  calendar: WorkingCalendar,
  item: Item,
  plan: PlannedMove,
  options: MoveOptions,
  now: number,
): Promise<{ entry: StageEntryRow; runs: RobotRunRow[] }> {
  const previousEntryId = item.row.stageEntryId;
  if (previousEntryId !== null) {
    await updateById(manager, StageEntryEntity, previousEntryId, { leftAt: now }, ' AND left_at IS NULL');
    await cancelPendingRuns(manager, previousEntryId, `left stage "${item.row.stage}" for "${plan.stage.id}"`, now);
  }
  const depth = options.causalDepth ?? 0;
  const entryRow = {
    entityType: item.kind,
    entityId: item.row.id,
    pipeline: item.pipeline,
    stage: plan.stage.id,
    fromStage: previousEntryId !== null ? item.row.stage : null,
    enteredAt: now,
    leftAt: null,
    actor: options.actor,
    reason: plan.reason,
    refusedBy: plan.refusedBy,
    causalDepth: depth,
  } as StageEntryRow;
  const [entryId] = await insertRows(manager, StageEntryEntity, [entryRow]);
  const entry = { ...entryRow, id: entryId };

  const runs = plan.stage.robots.map(
    (robot, position) =>
      ({
        entryId: entry.id,
        entityType: item.kind,
        entityId: item.row.id,
        pipeline: item.pipeline,
        stage: plan.stage.id,
        robotId: robot.id,
        robotType: robot.type,
        position,
        status: 'scheduled',
        dueAt: robot.after_robot ? null : computeDueAt(robot, now, calendar),
        waitsFor: robot.after_robot ?? null,
        attempts: 0,
        causalDepth: depth,
        detail: robot.after_robot ? `waits for ${robot.after_robot}` : null,
        lastError: null,
        lockedBy: null,
        startedAt: null,
        finishedAt: null,
        createdAt: now,
      }) as RobotRunRow,
  );
  const runIds = await insertRows(manager, RobotRunEntity, runs);
  const savedRuns = runs.map((run, index) => ({ ...run, id: runIds[index] }));

  const lost = plan.stage.semantic === 'lost';
  const changes = {
    stage: plan.stage.id,
    stageEntryId: entry.id,
    enteredStageAt: now,
    lostReason: lost ? plan.reason : null,
    refusedBy: lost ? plan.refusedBy : null,
    updatedAt: now,
  };
  await updateById(manager, entityOf(item.kind) as typeof LeadEntity, item.row.id, changes);
  Object.assign(item.row, changes);
  return { entry, runs: savedRuns };
}
