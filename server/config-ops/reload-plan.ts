import { reloadCancels, reloadEffects } from '../pipeline/reload-effects';
import { fieldTimingOf } from '../core/field-timing';
import { escalationLevelOf, LEAD_PIPELINE, pipelineOf, type CompiledConfig, type RobotPlacement } from '../core/compiled-config';
import type { RobotSpec, TriggerSpec } from '../../config/schema';
import type { RobotRunRow } from '../core/rows';

/**
 * `robots plan` and `POST /api/config/reload?dry_run=1`: what a reload from one config to
 * another would do to the runs already scheduled, like `terraform plan`. `planReload` is pure
 * (two configs and what the database holds); plan-state.ts is the read it needs and
 * plan-text.ts the words `robots plan` prints.
 */

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

/** A template whose words change: every pending run of a robot sending it sends the new words. */
export interface TemplateChange {
  template: string;
  /** What differs: `text` (a `file:` template's file included), `subject`, `html`, `channel`. */
  parts: string[];
  /** The robots that send it, in the new config. */
  robots: string[];
  /** Their pending runs: each renders the template when it runs, so each sends the new text. */
  pending_runs: number;
}

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
  templates: TemplateChange[];
  followers: FollowerRun[];
  /** The ids of every run the reload cancels, in order. */
  cancelled_run_ids: number[];
  no_changes: boolean;
}

export const SAMPLE = 5;
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
  const field = fieldTimingOf(after);
  if (keys.includes('at') && field) effects.push(`runs timed from ${field.field} take the new timing (offset ${field.offset}) when ${field.field} next changes`);
  if (keys.includes('reenter')) effects.push('the new reenter rule applies to stage entries from now on');
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
 * An escalation level's title is made from its robot's and its delay: when only the delay
 * changed, the title is no change of its own to report.
 */
function derivedTitle(robotId: string, current: CompiledConfig, next: CompiledConfig): string[] {
  const level = escalationLevelOf(robotId);
  if (!level) return [];
  return canonical(current.robots.get(level.of)?.robot.title) === canonical(next.robots.get(level.of)?.robot.title) ? ['title'] : [];
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
    const keys = changedKeys(before.robot, after.robot, ['id', ...derivedTitle(robotId, current, next)]);
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

  // A run renders its template when it runs: a changed text reaches every run that stays.
  const templates: TemplateChange[] = [];
  for (const [id, after] of next.templates) {
    const before = current.templates.get(id);
    if (!before) continue;
    const parts: string[] = (['text', 'subject', 'html'] as const).filter((part) => before.source[part] !== after.source[part]);
    if (before.spec.channel !== after.spec.channel) parts.push('channel');
    if (parts.length === 0) continue;
    const robots = [...next.robots].filter(([, placement]) => placement.templates.includes(id)).map(([robotId]) => robotId);
    const cancelledIds = new Set(cancelledRuns.map((run) => run.id));
    const runs = pending.filter((run) => robots.includes(run.robotId) && !cancelledIds.has(run.id));
    templates.push({ template: id, parts, robots, pending_runs: runs.length });
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
    templates,
    followers,
    cancelled_run_ids: everyCancelled.map((run) => run.id).sort((a, b) => a - b),
    no_changes: cancelled.length + changed.length + added.length + removed_stages.length + triggers.length + templates.length === 0,
  };
}
