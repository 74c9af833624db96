import type { Logger } from 'pino';
import { parseDuration } from '../../config/duration';
import type { RobotSpec } from '../../config/schema';
import { retryDelay } from '../core/calendar';
import { dueOnEntry, fieldTimingOf } from '../core/field-timing';
import type { Clock } from '../core/clock';
import type { CompiledConfig } from '../core/compiled-config';
import { evaluateCondition } from '../core/conditions';
import type { EvaluationContext } from '../core/context';
import { InvalidRequestError, MoveRefusedError, OutcomeUnknownError, PermanentSendError, RetryableSendError } from '../core/errors';
import type { Item } from '../core/items';
import { lateness } from '../core/lateness';
import type { LiveConfig } from '../core/live-config';
import { NotNowError } from '../core/quiet-hours';
import type { RobotRunRow, RunStatus } from '../core/rows';
import type { RunReason } from '../core/run-reasons';
import { waitingOrder } from '../core/waiting-order';
import type { Store } from '../db/store';
import type { EngineMetrics } from '../metrics';
import { loadItem } from '../records/item-rows';
import { loadContext } from './load-context';
import type { RunFinish, RunQueue } from './queue';
import type { Scheduler } from './scheduler';

/** What a robot type's code is handed for one run (the runtime adds the robot's ports). */
export interface RobotCall {
  params: RobotSpec;
  run: RobotRunRow;
  item: Item;
  context: EvaluationContext;
  now: number;
}

export interface RobotExecution {
  /** `cancelled`: it gave up, and the robots waiting for it are cancelled too. */
  outcome: 'done' | 'skipped' | 'cancelled';
  /** Of the robots waiting for this one, only these run; the others are cancelled (a branch). */
  release?: string[];
  detail?: string;
  /** The detail as a code the web app translates. */
  reason?: RunReason;
}

/** A registered robot type as the runner sees it; the runner knows none by name. */
export interface RobotType {
  run(call: RobotCall): Promise<RobotExecution>;
}

export interface RunnerDeps {
  store: Store;
  queue: RunQueue;
  clock: Clock;
  config: LiveConfig;
  logger: Pick<Logger, 'debug'>;
  metrics: EngineMetrics;
  scheduler: Pick<Scheduler, 'wake' | 'scheduled'>;
  /** Filled by the composition root once the robots' ports exist. */
  robotTypes: ReadonlyMap<string, RobotType>;
}

/**
 * Executes one claimed run. Everything is re-checked now, not when it was scheduled
 * (semantics 3 and 4): is the item still in that stage entry, does the robot still exist,
 * does its condition hold.
 */
export async function executeRun(deps: RunnerDeps, run: RobotRunRow): Promise<RunStatus> {
  const started = performance.now();
  if (run.dueAt !== null) deps.metrics.dueLag.observe(Math.max(0, deps.clock.now() - run.dueAt) / 1000);
  const finish = await decide(deps, run);
  await finishRun(deps, run, finish);
  deps.metrics.runFinished(run.robotType, finish.status, performance.now() - started);
  return finish.status;
}

async function decide(deps: RunnerDeps, run: RobotRunRow): Promise<RunFinish> {
  const config = deps.config.current;
  const item = await loadItem(deps.store.manager, { kind: run.entityType, id: run.entityId });
  if (!item) return { status: 'cancelled', detail: 'the item no longer exists', reason: { code: 'cancelled.item_gone' } };
  if (item.row.stageEntryId !== run.entryId) return { status: 'cancelled', detail: `left stage "${run.stage}"`, reason: { code: 'cancelled.left_stage', params: { stage: run.stage, to: item.row.stage } } };
  const placement = config.robots.get(run.robotId);
  if (!placement || placement.stage !== run.stage || placement.pipeline !== run.pipeline) {
    return { status: 'cancelled', detail: 'robot no longer in the config', reason: { code: 'cancelled.robot_removed' } };
  }
  const robotType = deps.robotTypes.get(placement.robot.type);
  if (!robotType) return { status: 'dead', detail: `no robot type "${placement.robot.type}"`, reason: { code: 'failed.no_robot_type', params: { type: placement.robot.type } } };

  const now = deps.clock.now();
  const context = await loadContext(deps.store.manager, config, item, now, deps.config.publicUrl);
  try {
    if (!evaluateCondition(placement.robot.condition, context)) {
      return { status: 'skipped', detail: 'condition was false when the robot was due', reason: { code: 'skipped.condition_false' } };
    }
  } catch (error) {
    return { status: 'dead', detail: `condition failed to evaluate: ${(error as Error).message}`, reason: { code: 'failed.condition_error' } };
  }

  const lateBy = run.dueAt === null ? 0 : now - run.dueAt;
  const skipAfter = placement.robot.skip_if_late ?? (placement.touch ? config.source.engine.late_policy.skip_touches_after : undefined);
  const skipAfterMs = skipAfter ? parseDuration(skipAfter)?.toMillis() : undefined;
  if (skipAfterMs !== undefined && lateBy > skipAfterMs) {
    // A "good morning" ten hours late is worse than none (Mautic #3340): the client is not touched.
    return { status: 'skipped', detail: `skipped: ${lateness(lateBy)} late (skip_if_late ${skipAfter})`, reason: { code: 'skipped.too_late', params: { late_ms: lateBy, skip_if_late: skipAfter } } };
  }

  const attempts = run.attempts + 1;
  try {
    const outcome = await robotType.run({ params: placement.robot, run, item, context, now });
    return { status: outcome.outcome, detail: outcome.detail ?? null, reason: outcome.reason, attempts, lastError: null, release: outcome.release };
  } catch (error) {
    return failure(deps, run, attempts, error);
  }
}

function failure(deps: RunnerDeps, run: RobotRunRow, attempts: number, error: unknown): RunFinish {
  const message = (error as Error)?.message ?? String(error);
  if (error instanceof NotNowError)
    return { status: 'scheduled', detail: message, reason: { code: 'scheduled.deferred', params: { until: new Date(error.until).toISOString() } }, dueAt: error.until, attempts: run.attempts };
  if (error instanceof OutcomeUnknownError) return { status: 'unknown', detail: message, reason: { code: 'unknown.outcome_unknown' }, lastError: message, attempts };
  if (error instanceof MoveRefusedError && error.details.code === 'loop_guard') return { status: 'skipped', detail: message, reason: { code: 'skipped.loop_guard' }, attempts };
  if (error instanceof MoveRefusedError) {
    return {
      status: 'dead',
      detail: `failed for good: ${message}`,
      reason: { code: 'failed.move_refused', params: { refusal: error.details.code, missing_fields: error.details.missingFields ?? [] } },
      lastError: message,
      attempts,
    };
  }
  if (error instanceof PermanentSendError || error instanceof InvalidRequestError) {
    return { status: 'dead', detail: `failed for good: ${message}`, reason: { code: error instanceof PermanentSendError ? 'failed.permanent' : 'failed.invalid' }, lastError: message, attempts };
  }
  const settings = deps.config.current.source.engine;
  if (attempts >= settings.max_attempts) {
    return { status: 'dead', detail: `gave up after ${attempts} attempts: ${message}`, reason: { code: 'failed.gave_up', params: { attempts } }, lastError: message, attempts };
  }
  const base = parseDuration(settings.retry_backoff)?.toMillis() ?? 30000;
  const delay = retryDelay(attempts, base, error instanceof RetryableSendError ? error.retryAfterMs : undefined);
  const dueAt = deps.clock.now() + delay;
  return {
    status: 'failed',
    detail: `attempt ${attempts} failed, retrying at ${new Date(dueAt).toISOString()}: ${message}`,
    reason: { code: 'failed.channel_error', params: { attempt: attempts, retry_at: new Date(dueAt).toISOString() } },
    lastError: message,
    attempts,
    dueAt,
  };
}

async function finishRun(deps: RunnerDeps, run: RobotRunRow, finish: RunFinish): Promise<void> {
  const now = deps.clock.now();
  const hasFollowers = robotsWithFollowers(deps.config.current).has(`${run.pipeline}/${run.stage}/${run.robotId}`);
  // Most runs have no `after_robot:` followers: their outcome joins the others finishing now, one statement for all.
  if (!hasFollowers) await deps.queue.finishBatched(run, finish, now);
  else
    await deps.store.transaction(async (manager) => {
      await deps.queue.finish(manager, run, finish, now);
      if (finish.status === 'done' || finish.status === 'skipped') {
        // A follower timed from a date field is due from the item's field, not from now.
        const fields = stageHasFieldTiming(deps.config.current, run) ? ((await loadItem(manager, { kind: run.entityType, id: run.entityId }))?.row.fields ?? {}) : {};
        // `after_robot:` followers become due now that their predecessor has finished, plus their own delay.
        await deps.queue.releaseFollowers(
          manager,
          run,
          (follower) => {
            const robot = deps.config.current.robots.get(follower.robotId)?.robot;
            return robot ? dueOnEntry(robot, fields, now, deps.config.calendar) : now;
          },
          finish.release,
          now,
        );
      }
      if (finish.status === 'cancelled') await deps.queue.cancelFollowers(manager, run, now);
    });
  deps.logger.debug({ run: run.id, robot: run.robotId, status: finish.status, detail: finish.detail }, 'robot run finished');
  if (finish.status === 'done' || finish.status === 'skipped') deps.scheduler.wake();
  if (finish.status === 'scheduled') deps.scheduler.scheduled([finish.dueAt ?? null]);
}

function stageHasFieldTiming(config: CompiledConfig, run: RobotRunRow): boolean {
  const stage = (run.pipeline === config.leads.key ? config.leads : config.deals.get(run.pipeline))?.stages.find((candidate) => candidate.id === run.stage);
  return stage?.robots.some((robot) => fieldTimingOf(robot) !== null) ?? false;
}

/**
 * Robots something waits for (`after_robot:`, a branch's blocks, the robots after a `wait_for`),
 * as `pipeline/stage/robot`: worked out once per config, not on every finished run.
 */
const followedRobots = new WeakMap<CompiledConfig, Set<string>>();
function robotsWithFollowers(config: CompiledConfig): Set<string> {
  let keys = followedRobots.get(config);
  if (!keys) {
    keys = new Set();
    for (const pipeline of [config.leads, ...config.deals.values()]) {
      for (const stage of pipeline.stages) {
        for (const waitsFor of waitingOrder(stage.robots)) if (waitsFor) keys.add(`${pipeline.key}/${stage.id}/${waitsFor}`);
      }
    }
    followedRobots.set(config, keys);
  }
  return keys;
}
