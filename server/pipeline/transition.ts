import { waitingOrder } from '../core/waiting-order';
import type { EntityManager } from 'typeorm';
import type { MoveOptions, PlannedMove } from '../core/plan-move';
import { StageEntryEntity, type RobotRunRow, type StageEntryRow } from '../db/entities';
import { insertRows, updateById } from '../db/hot-path';
import type { NewRun, RunQueue } from './queue';
import type { WorkingCalendar } from '../core/calendar';
import { dueOnEntry, fieldTimingOf } from '../core/field-timing';
import type { Item } from '../core/items';
import { reenterRule, reentrySkip } from '../core/reentry';
import { updateItemRow } from '../records/item-rows';

/**
 * The one transaction of a move (semantics 1 and 4): close the entry it leaves and cancel that
 * entry's pending runs, open the new entry, schedule the new stage's robots, update the item.
 * Runs inside the caller's transaction.
 */
export async function enterStage(
  manager: EntityManager,
  queue: RunQueue,
  calendar: WorkingCalendar,
  item: Item,
  plan: PlannedMove,
  options: MoveOptions,
  now: number,
): Promise<{ entry: StageEntryRow; runs: RobotRunRow[] }> {
  const previousEntryId = item.row.stageEntryId;
  if (previousEntryId !== null) {
    await updateById(manager, StageEntryEntity, previousEntryId, { leftAt: now }, { leftAt: null });
    await queue.cancelPendingOfEntry(manager, previousEntryId, `left stage "${item.row.stage}" for "${plan.stage.id}"`, { code: 'cancelled.left_stage', params: { stage: item.row.stage, to: plan.stage.id } }, now);
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
    comment: options.comment ?? null,
  } as StageEntryRow;
  const [entryId] = await insertRows(manager, StageEntryEntity, [entryRow]);
  if (entryId === undefined) throw new Error('the stage entry was written without an id');
  const entry = { ...entryRow, id: entryId };

  const waits = waitingOrder(plan.robots);
  // A re-entry the robot's `reenter:` rule skips; the robots waiting for a skipped one are skipped with it.
  const skipped = new Map<string, string>();
  plan.robots.forEach((robot, position) => {
    const own = reentrySkip(reenterRule(robot, plan.stage), options.previousEntryAt ?? null, now);
    const waitsFor = waits[position];
    const inherited = waitsFor && skipped.has(waitsFor) ? `not run again: it waits for ${waitsFor}, which does not run again` : null;
    const why = own ?? inherited;
    if (why) skipped.set(robot.id, why);
  });
  const all = plan.robots.map((robot, position): NewRun => {
    const waitsFor = waits[position] ?? null;
    const field = fieldTimingOf(robot);
    const dueAt = waitsFor ? null : dueOnEntry(robot, item.row.fields ?? {}, now, calendar);
    const detail = skipped.get(robot.id) ?? (waitsFor ? `waits for ${waitsFor}` : field && dueAt === null ? `waits for ${field.field} to be set` : null);
    return {
      entryId: entry.id,
      entityType: item.kind,
      entityId: item.row.id,
      pipeline: item.pipeline,
      stage: plan.stage.id,
      robotId: robot.id,
      robotType: robot.type,
      position,
      dueAt,
      waitsFor,
      causalDepth: depth,
      detail,
      createdAt: now,
    };
  });
  const savedRuns = await queue.insert(
    manager,
    all.filter((run) => !skipped.has(run.robotId)),
  );
  await queue.insertSkipped(
    manager,
    all.filter((run) => skipped.has(run.robotId)),
    { code: 'skipped.not_reentered', params: { stage: plan.stage.id } },
    now,
  );

  const lost = plan.stage.semantic === 'lost';
  const changes = {
    stage: plan.stage.id,
    stageEntryId: entry.id,
    enteredStageAt: now,
    lostReason: lost ? plan.reason : null,
    refusedBy: lost ? plan.refusedBy : null,
    updatedAt: now,
  };
  await updateItemRow(manager, { kind: item.kind, id: item.row.id }, changes);
  Object.assign(item.row, changes);
  return { entry, runs: savedRuns };
}
