import { robotDefinitions } from '../../robots';
import type { RobotRunRow, RunStatus } from '../core/rows';
import { approveResend } from '../messaging/send-once';
import { RETRYABLE_STATUSES, type RunFinish } from './queue';
import { parseDuration } from '../../config/duration';
import { computeDueAt, retryDelay } from '../core/calendar';
import { evaluateCondition } from '../core/conditions';
import { loadContext } from './load-context';
import { waitingOrder } from '../core/waiting-order';
import type { CompiledConfig } from '../core/compiled-config';
import type { Engine } from '../engine/engine';
import { InvalidRequestError, MoveRefusedError, OutcomeUnknownError, PermanentSendError, RetryableSendError } from '../core/errors';
import { loadItem } from '../records/item-rows';
import { NotNowError } from '../core/quiet-hours';
import { lateness } from '../core/lateness';

const definitions = new Map(robotDefinitions.map((definition) => [definition.type, definition]));

/**
 * Executes one claimed run. Everything is re-checked now, not when it was scheduled
 * (semantics 3 and 4): is the item still in that stage entry, does the robot still exist,
 * does its condition hold.
 */
export async function executeRun(engine: Engine, run: RobotRunRow): Promise<RunStatus> {
  const started = performance.now();
  if (run.dueAt !== null) engine.metrics.dueLag.observe(Math.max(0, engine.now() - run.dueAt) / 1000);
  const finish = await decide(engine, run);
  await finishRun(engine, run, finish);
  engine.metrics.runFinished(run.robotType, finish.status, performance.now() - started);
  return finish.status;
}

async function decide(engine: Engine, run: RobotRunRow): Promise<RunFinish> {
  const config = engine.config;
  const item = await loadItem(engine.store.manager, { kind: run.entityType, id: run.entityId });
  if (!item) return { status: 'cancelled', detail: 'the item no longer exists' };
  if (item.row.stageEntryId !== run.entryId) return { status: 'cancelled', detail: `left stage "${run.stage}"` };
  const placement = config.robots.get(run.robotId);
  if (!placement || placement.stage !== run.stage || placement.pipeline !== run.pipeline) {
    return { status: 'cancelled', detail: 'robot no longer in the config' };
  }
  const definition = definitions.get(placement.robot.type);
  if (!definition) return { status: 'dead', detail: `no robot type "${placement.robot.type}"` };

  const now = engine.now();
  const context = await loadContext(engine.store.manager, config, item, now, engine.publicUrl);
  try {
    if (!evaluateCondition(placement.robot.condition, context)) {
      return { status: 'skipped', detail: 'condition was false when the robot was due' };
    }
  } catch (error) {
    return { status: 'dead', detail: `condition failed to evaluate: ${(error as Error).message}` };
  }

  const lateBy = run.dueAt === null ? 0 : now - run.dueAt;
  const skipAfter = placement.robot.skip_if_late ?? (definition.touch ? config.source.engine.late_policy.skip_touches_after : undefined);
  const skipAfterMs = skipAfter ? parseDuration(skipAfter)?.toMillis() : undefined;
  if (skipAfterMs !== undefined && lateBy > skipAfterMs) {
    // A "good morning" ten hours late is worse than none (Mautic #3340): the client is not touched.
    return { status: 'skipped', detail: `skipped: ${lateness(lateBy)} late (skip_if_late ${skipAfter})` };
  }

  const attempts = run.attempts + 1;
  try {
    const outcome = await definition.run({ params: placement.robot, run, item, context, ports: engine.robotPorts, now });
    return { status: outcome.outcome, detail: outcome.detail ?? null, attempts, lastError: null, release: outcome.release };
  } catch (error) {
    return failure(engine, run, attempts, error);
  }
}

function failure(engine: Engine, run: RobotRunRow, attempts: number, error: unknown): RunFinish {
  const message = (error as Error)?.message ?? String(error);
  if (error instanceof NotNowError) return { status: 'scheduled', detail: message, dueAt: error.until, attempts: run.attempts };
  if (error instanceof OutcomeUnknownError) return { status: 'unknown', detail: message, lastError: message, attempts };
  if (error instanceof MoveRefusedError && error.details.code === 'loop_guard') return { status: 'skipped', detail: message, attempts };
  if (error instanceof MoveRefusedError || error instanceof PermanentSendError || error instanceof InvalidRequestError) {
    return { status: 'dead', detail: `failed for good: ${message}`, lastError: message, attempts };
  }
  const settings = engine.config.source.engine;
  if (attempts >= settings.max_attempts) {
    return { status: 'dead', detail: `gave up after ${attempts} attempts: ${message}`, lastError: message, attempts };
  }
  const base = parseDuration(settings.retry_backoff)?.toMillis() ?? 30000;
  const delay = retryDelay(attempts, base, error instanceof RetryableSendError ? error.retryAfterMs : undefined);
  const dueAt = engine.now() + delay;
  return { status: 'failed', detail: `attempt ${attempts} failed, retrying at ${new Date(dueAt).toISOString()}: ${message}`, lastError: message, attempts, dueAt };
}

async function finishRun(engine: Engine, run: RobotRunRow, finish: RunFinish): Promise<void> {
  const now = engine.now();
  const hasFollowers = robotsWithFollowers(engine.config).has(`${run.pipeline}/${run.stage}/${run.robotId}`);
  // Most runs have no `after_robot:` followers: their outcome is one statement, no transaction of its own.
  if (!hasFollowers) await engine.store.serialized((manager) => engine.queue.finish(manager, run, finish, now));
  else await engine.store.transaction(async (manager) => {
    await engine.queue.finish(manager, run, finish, now);
    if (finish.status === 'done' || finish.status === 'skipped') {
      // `after_robot:` followers become due now that their predecessor has finished, plus their own delay.
      await engine.queue.releaseFollowers(
        manager,
        run,
        (follower) => {
          const robot = engine.config.robots.get(follower.robotId)?.robot;
          return robot ? computeDueAt(robot, now, engine.calendar) : now;
        },
        finish.release,
        now,
      );
    }
    if (finish.status === 'cancelled') await engine.queue.cancelFollowers(manager, run, now);
  });
  engine.logger.debug({ run: run.id, robot: run.robotId, status: finish.status, detail: finish.detail }, 'robot run finished');
  if (finish.status === 'done' || finish.status === 'skipped') engine.scheduler.wake();
  if (finish.status === 'scheduled') engine.scheduler.scheduled([finish.dueAt ?? null]);
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

/** A dead, failed or unknown run put back in the queue by a person. */
export async function retryRun(engine: Engine, runId: number, actor: string): Promise<RobotRunRow | null> {
  return engine.store.transaction(async (manager) => {
    const retried = await engine.queue.retry(manager, runId, `retried by ${actor}`, engine.now());
    if (!retried) return null;
    if (retried.before === retried.after) {
      throw new InvalidRequestError(`only ${RETRYABLE_STATUSES.join(', ')} runs can be retried; run ${runId} is ${retried.before.status}`);
    }
    // A person retrying an `unknown` run has decided the message may go out again.
    await approveResend(manager, runId, actor);
    return retried.after;
  });
}
