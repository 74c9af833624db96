import { reloadCancels, reloadEffects } from '../pipeline/reload-effects';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { EntityManager } from 'typeorm';
import { LEAD_PIPELINE, pipelineOf, type CompiledConfig, type RobotPlacement } from '../core/compiled-config';
import { loadConfigFileOffThread } from '../../config/loader';
import type { RobotSpec, TriggerSpec } from '../../config/schema';
import type { ConfigIssue } from '../core/errors';
import type { Clock } from '../core/clock';
import type { LiveConfig } from '../core/live-config';
import type { Store } from '../db/store';
import type { RobotRunRow } from '../core/rows';
import { DealEntity, LeadEntity } from '../db/entities';
import { PENDING_STATUSES, type RunQueue } from '../pipeline/queue';

/**
 * `robots plan` and `POST /api/config/reload?dry_run=1`: what a reload from one config to
 * another would do to the runs already scheduled, like `terraform plan`. `planReload` is pure
 * (two configs and what the database holds); `loadPlanState` is the read it needs.
 */

/** The query of `POST /api/config/reload`: `?dry_run=1` plans instead of reloading; any other key is a 400. */
export const ReloadQuery = z.strictObject({ dry_run: z.enum(['1', 'true']).optional().describe('Plan only: answer what the reload would do, change nothing') });

/** A pending run as the plan sees it. */
export type PendingRun = Pick<RobotRunRow, 'id' | 'entryId' | 'entityType' | 'entityId' | 'pipeline' | 'stage' | 'robotId' | 'status' | 'dueAt' | 'waitsFor'>;

/** Items standing in one stage now; `first` is read only for stages the new config removes. */
export interface StageItems {
  pipeline: string;
  stage: string;
  count: number;
  first: string[];
}

export interface PlanState {
  pendingRuns: PendingRun[];
  stageItems: StageItems[];
}

export interface RunSample {
  id: number;
  item: string;
  status: string;
  /** Null while the run waits for its `after_robot` predecessor. */
  due_at: string | null;
  waits_for: string | null;
}

export interface CancelledRobot {
  robot: string;
  type: string | null;
  pipeline: string;
  stage: string;
  /** `removed`: no robot of that id any more; `moved`: it is now in another stage or pipeline. */
  why: 'removed' | 'moved';
  moved_to: { pipeline: string; stage: string } | null;
  cancelled_runs: number;
  first: RunSample[];
}

export interface ChangedRobot {
  robot: string;
  type: string;
  pipeline: string;
  stage: string;
  /** The robot's keys whose value differs (`after`, `condition`, `template`, `type`, …). */
  keys: string[];
  type_change: { from: string; to: string } | null;
  pending_runs: number;
  /** Scheduled or retrying with a due time: they keep it, whatever the new timing says. */
  keep_due_time: number;
  /** Waiting for `after_robot`: their due time is computed from the robot as it stands when the predecessor finishes. */
  waiting: number;
  effects: string[];
  first: RunSample[];
}

export interface AddedRobot {
  robot: string;
  type: string;
  pipeline: string;
  stage: string;
  /** Items in that stage now: their stage entry is already made, so they do not get this robot. */
  items_in_stage: number;
  /** Set for a robot moved here from another stage (its runs there are cancelled). */
  moved_from: { pipeline: string; stage: string } | null;
}

export interface RemovedStage {
  pipeline: string;
  stage: string;
  pipeline_removed: boolean;
  items: number;
  first: string[];
  effect: string;
}

export interface TriggerChange {
  trigger: string;
  type: string;
  pipeline: string;
  stage: string;
  change: 'added' | 'removed' | 'changed' | 'moved';
  keys: string[];
  moved_from: { pipeline: string; stage: string } | null;
}

/** A waiting run whose predecessor's run this reload cancels, while it stays: nothing will release it. */
/** A run that waited for one the reload cancels: released (its robot waits for nothing now) or cancelled too. */
export interface FollowerRun extends RunSample {
  robot: string;
  outcome: 'released' | 'cancelled';
}

export interface ReloadPlan {
  /** As the real reload answers: how many pending runs it cancels. */
  cancelled_runs: number;
  cancelled: CancelledRobot[];
  changed: ChangedRobot[];
  added: AddedRobot[];
  removed_stages: RemovedStage[];
  triggers: TriggerChange[];
  followers: FollowerRun[];
  /** The ids of every run the reload cancels, in order. */
  cancelled_run_ids: number[];
  no_changes: boolean;
}

const SAMPLE = 5;
const TIMING_KEYS = new Set(['after', 'at', 'working_hours']);

export { reloadCancels };

/** Key order is not meaning: `{a, b}` and `{b, a}` are the same robot. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function changedKeys(before: object, after: object, ignore: string[] = []): string[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => !ignore.includes(key));
  return keys.filter((key) => canonical(a[key]) !== canonical(b[key])).sort();
}

const itemLabel = (run: Pick<PendingRun, 'entityType' | 'entityId'>) => `${run.entityType}:${run.entityId}`;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const byDue = (a: PendingRun, b: PendingRun) => (a.dueAt ?? Number.MAX_SAFE_INTEGER) - (b.dueAt ?? Number.MAX_SAFE_INTEGER) || a.id - b.id;

function sample(run: PendingRun): RunSample {
  return { id: run.id, item: itemLabel(run), status: run.status, due_at: iso(run.dueAt), waits_for: run.waitsFor };
}

function stagesOf(config: CompiledConfig): Array<{ pipeline: string; stage: string }> {
  return [config.leads, ...config.deals.values()].flatMap((pipeline) => pipeline.stages.map((stage) => ({ pipeline: pipeline.key, stage: stage.id })));
}

/** Stages (and whole deal pipelines) the running config has and the new one does not. */
export function removedStages(current: CompiledConfig, next: CompiledConfig): Array<{ pipeline: string; stage: string; pipelineRemoved: boolean }> {
  return stagesOf(current)
    .filter(({ pipeline, stage }) => !pipelineOf(next, pipeline)?.stages.some((candidate) => candidate.id === stage))
    .map(({ pipeline, stage }) => ({ pipeline, stage, pipelineRemoved: !pipelineOf(next, pipeline) }));
}

function triggersOf(config: CompiledConfig): Map<string, { trigger: TriggerSpec; pipeline: string; stage: string }> {
  const triggers = new Map<string, { trigger: TriggerSpec; pipeline: string; stage: string }>();
  for (const pipeline of [config.leads, ...config.deals.values()]) {
    for (const stage of pipeline.stages) for (const trigger of stage.triggers) triggers.set(trigger.id, { trigger, pipeline: pipeline.key, stage: stage.id });
  }
  return triggers;
}

function changeEffects(before: RobotSpec, after: RobotSpec, keys: string[], runs: PendingRun[]): string[] {
  const effects: string[] = [];
  const timed = runs.filter((run) => run.dueAt !== null).length;
  const waiting = runs.length - timed;
  if (keys.includes('type')) effects.push(`the pending runs run as a ${after.type} robot, with its new keys`);
  else if (keys.some((key) => !TIMING_KEYS.has(key) && key !== 'condition' && key !== 'after_robot' && key !== 'title')) {
    effects.push('the pending runs run with the new settings');
  }
  if (keys.includes('condition')) effects.push('the new condition decides for every pending run: it is checked when a run is due, not when it was scheduled');
  if (keys.some((key) => TIMING_KEYS.has(key))) {
    effects.push(
      timed > 0
        ? `${timed} pending run${timed === 1 ? ' keeps the due time it was' : 's keep the due time they were'} scheduled with; the new timing applies to stage entries from now on`
        : 'the new timing applies to stage entries from now on',
    );
  }
  if (waiting > 0 && keys.some((key) => TIMING_KEYS.has(key))) {
    effects.push(`${waiting} run${waiting === 1 ? ' waiting for its predecessor takes' : 's waiting for their predecessor take'} the new timing when it finishes`);
  }
  if (keys.includes('after_robot')) {
    effects.push(
      `runs scheduled before keep waiting for ${before.after_robot ?? 'nothing'} as they were scheduled; ${after.after_robot ? `stage entries from now on wait for ${after.after_robot}` : 'stage entries from now on do not wait'}`,
    );
  }
  return effects;
}

/**
 * What a reload from `current` to `next` would do, given what the database holds. Pure: the
 * same answer for the same inputs, so `robots plan`, the dry-run endpoint and the tests agree.
 */
export function planReload(current: CompiledConfig, next: CompiledConfig, state: PlanState): ReloadPlan {
  const pending = [...state.pendingRuns].sort(byDue);
  const itemsIn = new Map(state.stageItems.map((items) => [`${items.pipeline}/${items.stage}`, items]));
  const where = (placement: Pick<RobotPlacement, 'pipeline' | 'stage'>) => ({ pipeline: placement.pipeline, stage: placement.stage });

  // Runs the reload cancels, grouped by the robot and the stage they were scheduled in.
  const effects = reloadEffects(next, pending);
  const cancelledRuns = effects.cancelled;
  const groups = new Map<string, CancelledRobot>();
  const cancelledGroup = (robotId: string, pipeline: string, stage: string, type: string | null) => {
    const key = `${robotId}@${pipeline}/${stage}`;
    let group = groups.get(key);
    if (!group) {
      const now = next.robots.get(robotId);
      group = { robot: robotId, type, pipeline, stage, why: now ? 'moved' : 'removed', moved_to: now ? where(now) : null, cancelled_runs: 0, first: [] };
      groups.set(key, group);
    }
    return group;
  };
  // Every robot the new config drops or moves is listed, even with no run pending.
  for (const [robotId, placement] of current.robots) {
    if (reloadCancels(next, { robotId, pipeline: placement.pipeline, stage: placement.stage })) cancelledGroup(robotId, placement.pipeline, placement.stage, placement.robot.type);
  }
  for (const run of cancelledRuns) {
    const group = cancelledGroup(run.robotId, run.pipeline, run.stage, current.robots.get(run.robotId)?.robot.type ?? null);
    group.cancelled_runs += 1;
    if (group.first.length < SAMPLE) group.first.push(sample(run));
  }

  const changed: ChangedRobot[] = [];
  for (const [robotId, after] of next.robots) {
    const before = current.robots.get(robotId);
    if (!before || before.pipeline !== after.pipeline || before.stage !== after.stage) continue;
    const keys = changedKeys(before.robot, after.robot, ['id']);
    if (keys.length === 0) continue;
    const runs = pending.filter((run) => run.robotId === robotId && run.pipeline === after.pipeline && run.stage === after.stage);
    changed.push({
      robot: robotId,
      type: after.robot.type,
      pipeline: after.pipeline,
      stage: after.stage,
      keys,
      type_change: before.robot.type !== after.robot.type ? { from: before.robot.type, to: after.robot.type } : null,
      pending_runs: runs.length,
      keep_due_time: runs.filter((run) => run.dueAt !== null).length,
      waiting: runs.filter((run) => run.dueAt === null).length,
      effects: changeEffects(before.robot, after.robot, keys, runs),
      first: runs.slice(0, SAMPLE).map(sample),
    });
  }

  const added: AddedRobot[] = [];
  for (const [robotId, after] of next.robots) {
    const before = current.robots.get(robotId);
    if (before && before.pipeline === after.pipeline && before.stage === after.stage) continue;
    added.push({
      robot: robotId,
      type: after.robot.type,
      pipeline: after.pipeline,
      stage: after.stage,
      items_in_stage: itemsIn.get(`${after.pipeline}/${after.stage}`)?.count ?? 0,
      moved_from: before ? where(before) : null,
    });
  }

  const removed_stages = removedStages(current, next).map(({ pipeline, stage, pipelineRemoved }): RemovedStage => {
    const items = itemsIn.get(`${pipeline}/${stage}`);
    const what = pipeline === LEAD_PIPELINE ? 'lead status' : pipelineRemoved ? `pipeline "${pipeline}"` : `stage of pipeline "${pipeline}"`;
    return {
      pipeline,
      stage,
      pipeline_removed: pipelineRemoved,
      items: items?.count ?? 0,
      first: items?.first ?? [],
      // Validation sees the file, not the database: a reload takes this and the items stay where they are.
      effect: !items?.count
        ? `no items there; the ${what} goes`
        : pipelineRemoved
          ? `the reload is accepted; the deals stay in "${stage}" of a pipeline that no longer exists: off the board, and no move can take them out`
          : `the reload is accepted; the items stay in "${stage}", shown in no board column, until someone moves them to a stage of the new config`,
    };
  });

  const triggers: TriggerChange[] = [];
  const triggersBefore = triggersOf(current);
  const triggersAfter = triggersOf(next);
  for (const [id, before] of triggersBefore) {
    if (!triggersAfter.has(id)) triggers.push({ trigger: id, type: before.trigger.type, pipeline: before.pipeline, stage: before.stage, change: 'removed', keys: [], moved_from: null });
  }
  for (const [id, after] of triggersAfter) {
    const before = triggersBefore.get(id);
    const base = { trigger: id, type: after.trigger.type, pipeline: after.pipeline, stage: after.stage };
    if (!before) triggers.push({ ...base, change: 'added', keys: [], moved_from: null });
    else if (before.pipeline !== after.pipeline || before.stage !== after.stage) triggers.push({ ...base, change: 'moved', keys: changedKeys(before.trigger, after.trigger, ['id']), moved_from: where(before) });
    else {
      const keys = changedKeys(before.trigger, after.trigger, ['id']);
      if (keys.length > 0) triggers.push({ ...base, change: 'changed', keys, moved_from: null });
    }
  }

  // Runs that waited for a cancelled one follow the new config: released, or cancelled too.
  const followers = [
    ...effects.released.map((run) => ({ ...sample(run), robot: run.robotId, outcome: 'released' as const })),
    ...effects.cancelledFollowers.map((run) => ({ ...sample(run), robot: run.robotId, outcome: 'cancelled' as const })),
  ];
  const everyCancelled = [...cancelledRuns, ...effects.cancelledFollowers];

  const cancelled = [...groups.values()];
  return {
    cancelled_runs: everyCancelled.length,
    cancelled,
    changed,
    added,
    removed_stages,
    triggers,
    followers,
    cancelled_run_ids: everyCancelled.map((run) => run.id).sort((a, b) => a - b),
    no_changes: cancelled.length + changed.length + added.length + removed_stages.length + triggers.length === 0,
  };
}

// ── the database read ─────────────────────────────────────────────────────────────────────

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
export async function planConfigFile(
  deps: { clock: Clock; config: LiveConfig; store: Store; queue: RunQueue },
  file: string,
): Promise<{ ok: true; plan: ReloadPlan } | { ok: false; issues: ConfigIssue[] }> {
  const result = await loadConfigFileOffThread(file, deps.clock.now());
  if (!result.ok) return result;
  const current = deps.config.current;
  const state = await loadPlanState(deps.store.manager, deps.queue, current, result.config);
  return { ok: true, plan: planReload(current, result.config, state) };
}

// ── human output ──────────────────────────────────────────────────────────────────────────

function placeLabel(pipeline: string, stage: string): string {
  return pipeline === LEAD_PIPELINE ? `leads/${stage}` : `${pipeline}/${stage}`;
}

function runLine(run: RunSample, zone: string): string {
  const due = run.due_at ? DateTime.fromISO(run.due_at, { zone }).toFormat('ccc dd LLL yyyy HH:mm:ss') : `waiting for ${run.waits_for ?? 'its predecessor'}`;
  return `      run ${run.id}  ${run.item.padEnd(10)} ${run.status.padEnd(9)} due ${due}`;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** Like `terraform plan`: `-` cancelled, `~` changed, `+` added, `!` needs a person. Times in the config zone, to the second. */
export function formatPlan(plan: ReloadPlan, zone: string): string {
  const lines: string[] = [];
  const more = (shown: number, total: number) => (total > shown ? [`      … and ${total - shown} more`] : []);
  for (const robot of plan.cancelled) {
    const why = robot.why === 'removed' ? 'removed' : `moved to ${placeLabel(robot.moved_to?.pipeline ?? '', robot.moved_to?.stage ?? '')}`;
    lines.push(`  - robot ${robot.robot} (${robot.type ?? 'unknown type'}, ${placeLabel(robot.pipeline, robot.stage)}) ${why}: ${plural(robot.cancelled_runs, 'pending run')} cancelled`);
    lines.push(...robot.first.map((run) => runLine(run, zone)), ...more(robot.first.length, robot.cancelled_runs));
  }
  for (const robot of plan.changed) {
    lines.push(`  ~ robot ${robot.robot} (${robot.type}, ${placeLabel(robot.pipeline, robot.stage)}) changed: ${robot.keys.join(', ')}${robot.type_change ? ` (type ${robot.type_change.from} → ${robot.type_change.to})` : ''}; ${plural(robot.pending_runs, 'pending run')}`);
    lines.push(...robot.effects.map((effect) => `      ${effect}`));
    lines.push(...robot.first.map((run) => runLine(run, zone)), ...more(robot.first.length, robot.pending_runs));
  }
  for (const robot of plan.added) {
    const from = robot.moved_from ? ` (moved from ${placeLabel(robot.moved_from.pipeline, robot.moved_from.stage)})` : '';
    const there = robot.items_in_stage ? `; the ${plural(robot.items_in_stage, 'item')} there now will not get it` : '';
    lines.push(`  + robot ${robot.robot} (${robot.type}, ${placeLabel(robot.pipeline, robot.stage)})${from}: runs for items entering the stage from now on${there}`);
  }
  for (const stage of plan.removed_stages) {
    const marker = stage.items ? '!' : '-';
    lines.push(`  ${marker} ${stage.pipeline_removed ? 'pipeline' : 'stage'} ${placeLabel(stage.pipeline, stage.stage)} removed with ${plural(stage.items, 'item')} in it: ${stage.effect}${stage.first.length ? ` (${stage.first.join(', ')}${stage.items > stage.first.length ? ', …' : ''})` : ''}`);
  }
  for (const trigger of plan.triggers) {
    const marker = trigger.change === 'added' ? '+' : trigger.change === 'removed' ? '-' : '~';
    const detail =
      trigger.change === 'moved'
        ? ` moved from ${placeLabel(trigger.moved_from?.pipeline ?? '', trigger.moved_from?.stage ?? '')}`
        : trigger.change === 'changed'
          ? ` changed: ${trigger.keys.join(', ')}`
          : ` ${trigger.change}`;
    lines.push(`  ${marker} trigger ${trigger.trigger} (${trigger.type}, into ${placeLabel(trigger.pipeline, trigger.stage)})${detail}; acts on events from the reload on`);
  }
  for (const run of plan.followers) {
    const then = run.outcome === 'released' ? 'released: its robot waits for nothing in the new config, so it becomes due now' : 'cancelled too: its robot still waits in the new config';
    lines.push(`  ${run.outcome === 'released' ? '>' : '-'} run ${run.id} of ${run.robot} (${run.item}) waited for ${run.waits_for}, whose run the reload cancels: ${then}`);
  }
  if (plan.no_changes) lines.push('  no changes to robots, stages or triggers');
  lines.push('', `A reload would cancel ${plural(plan.cancelled_runs, 'pending run')}.`);
  return lines.join('\n');
}
