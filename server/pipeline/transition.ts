import { waitingOrder } from '../core/waiting-order';
import type { EntityManager } from 'typeorm';
import type { MoveOptions, PlannedMove } from '../core/plan-move';
import { StageEntryEntity, type RobotRunRow, type StageEntryRow } from '../db/entities';
import { insertRows, updateById } from '../db/hot-path';
import type { NewRun, RunQueue } from './queue';
import type { WorkingCalendar } from '../core/calendar';
import { dueOnEntry, fieldTimingOf } from '../core/field-timing';
import type { Item } from '../core/items';
import type { RobotSpec } from '../../config/schema';
import { reenterRule, reentrySkip } from '../core/reentry';
import { linkFirstEntries, updateItemRow } from '../records/item-rows';

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
    const run = newRunOnEntry(entry.id, item, plan, robot, position, waits[position] ?? null, depth, now, calendar);
    return { ...run, detail: skipped.get(robot.id) ?? run.detail };
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

/**
 * New items entering their first stage together (an import): each gets its entry and, when its
 * plan has robots, their runs, as `enterStage` would write them, in a few multi-row statements.
 */
export async function enterFirstStages(manager: EntityManager, queue: RunQueue, calendar: WorkingCalendar, moves: Array<{ item: Item; plan: PlannedMove }>, options: MoveOptions, now: number): Promise<RobotRunRow[]> {
  if (moves.length === 0) return [];
  const entryRows = moves.map(
    ({ item, plan }) =>
      ({
        entityType: item.kind,
        entityId: item.row.id,
        pipeline: item.pipeline,
        stage: plan.stage.id,
        fromStage: null,
        enteredAt: now,
        leftAt: null,
        actor: options.actor,
        reason: plan.reason,
        refusedBy: plan.refusedBy,
        causalDepth: options.causalDepth ?? 0,
        comment: options.comment ?? null,
      }) as StageEntryRow,
  );
  const entryIds: number[] = [];
  for (let start = 0; start < entryRows.length; start += 100) entryIds.push(...(await insertRows(manager, StageEntryEntity, entryRows.slice(start, start + 100))));
  const runs = moves.flatMap(({ item, plan }, index) => {
    const waits = waitingOrder(plan.robots);
    return plan.robots.map((robot, position) => newRunOnEntry(entryIds[index]!, item, plan, robot, position, waits[position] ?? null, options.causalDepth ?? 0, now, calendar));
  });
  const saved: RobotRunRow[] = [];
  for (let start = 0; start < runs.length; start += 100) saved.push(...(await queue.insert(manager, runs.slice(start, start + 100))));
  for (const kind of ['lead', 'deal'] as const) {
    const ids = moves.filter(({ item }) => item.kind === kind).map(({ item }) => item.row.id);
    if (ids.length > 0) await linkFirstEntries(manager, kind, ids);
  }
  moves.forEach(({ item }, index) => {
    item.row.stageEntryId = entryIds[index]!;
  });
  return saved;
}

/** When a robot entered with its stage is due, and what its run says while it waits (for another robot, or for its date field). */
function entryTiming(robot: RobotSpec, waitsFor: string | null, fields: Record<string, unknown>, now: number, calendar: WorkingCalendar): { dueAt: number | null; detail: string | null } {
  if (waitsFor) return { dueAt: null, detail: `waits for ${waitsFor}` };
  const dueAt = dueOnEntry(robot, fields, now, calendar);
  const field = fieldTimingOf(robot);
  return { dueAt, detail: field && dueAt === null ? `waits for ${field.field} to be set` : null };
}

/** A robot's run as its stage is entered: the same for one move and for a batch of first entries. */
function newRunOnEntry(entryId: number, item: Item, plan: PlannedMove, robot: RobotSpec, position: number, waitsFor: string | null, causalDepth: number, now: number, calendar: WorkingCalendar): NewRun {
  return {
    entryId,
    entityType: item.kind,
    entityId: item.row.id,
    pipeline: item.pipeline,
    stage: plan.stage.id,
    robotId: robot.id,
    robotType: robot.type,
    position,
    ...entryTiming(robot, waitsFor, item.row.fields ?? {}, now, calendar),
    waitsFor,
    causalDepth,
    createdAt: now,
  };
}
