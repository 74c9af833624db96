import { In, IsNull, type EntityManager } from 'typeorm';
import { robotDefinitions } from '../../robots';
import { MessageEntity, RobotRunEntity, type RobotRunRow, type RunStatus } from '../db/entities';
import { parseDuration } from '../../config/duration';
import { computeDueAt, retryDelay } from './calendar';
import { evaluateCondition } from './conditions';
import { loadContext } from './context';
import type { Engine } from './engine';
import { updateById } from '../db/hot-path';
import { InvalidRequestError, MoveRefusedError, OutcomeUnknownError, PermanentSendError, RetryableSendError } from './errors';
import { loadItem } from './items';
import { NotNowError } from './quiet-hours';

const definitions = new Map(robotDefinitions.map((definition) => [definition.type, definition]));

interface Finish {
  status: RunStatus;
  detail: string | null;
  lastError?: string | null;
  dueAt?: number | null;
  attempts?: number;
}

/**
 * Executes one claimed run. Everything is re-checked now, not when it was scheduled
 * (semantics 3 and 4): is the item still in that stage entry, does the robot still exist,
 * does its condition hold.
 */
export async function executeRun(engine: Engine, run: RobotRunRow): Promise<RunStatus> {
  const finish = await decide(engine, run);
  await finishRun(engine, run, finish);
  return finish.status;
}

async function decide(engine: Engine, run: RobotRunRow): Promise<Finish> {
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
  const context = await loadContext(engine.store.manager, config, item, now);
  try {
    if (!evaluateCondition(placement.robot.condition, context)) {
      return { status: 'skipped', detail: 'condition was false when the robot was due' };
    }
  } catch (error) {
    return { status: 'dead', detail: `condition failed to evaluate: ${(error as Error).message}` };
  }

  const attempts = run.attempts + 1;
  try {
    const outcome = await definition.run({ params: placement.robot as never, run, item, context, engine, now });
    return { status: outcome.outcome, detail: outcome.detail ?? null, attempts, lastError: null };
  } catch (error) {
    return failure(engine, run, attempts, error);
  }
}

function failure(engine: Engine, run: RobotRunRow, attempts: number, error: unknown): Finish {
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

async function finishRun(engine: Engine, run: RobotRunRow, finish: Finish): Promise<void> {
  const now = engine.now();
  const final = finish.status !== 'failed' && finish.status !== 'scheduled';
  await engine.store.transaction(async (manager) => {
    await updateById(
      manager,
      RobotRunEntity,
      run.id,
      {
        status: finish.status,
        detail: finish.detail,
        lastError: finish.lastError ?? null,
        attempts: finish.attempts ?? run.attempts,
        dueAt: final ? null : finish.dueAt ?? null,
        finishedAt: final ? now : null,
        lockedBy: null,
      },
      " AND status = 'running'",
    );
    const hasFollowers = [...engine.config.robots.values()].some((placement) => placement.stage === run.stage && placement.pipeline === run.pipeline && placement.robot.after_robot === run.robotId);
    if (hasFollowers && (finish.status === 'done' || finish.status === 'skipped')) await releaseFollowers(engine, manager, run, now);
    if (hasFollowers && finish.status === 'cancelled') {
      await manager.update(RobotRunEntity, { entryId: run.entryId, waitsFor: run.robotId, status: 'scheduled', dueAt: IsNull() }, {
        status: 'cancelled',
        detail: `${run.robotId} was cancelled`,
        finishedAt: now,
      });
    }
  });
  engine.logger.debug({ run: run.id, robot: run.robotId, status: finish.status, detail: finish.detail }, 'robot run finished');
  if (finish.status === 'done' || finish.status === 'skipped') engine.scheduler.wake();
  if (finish.status === 'scheduled') engine.scheduler.scheduled([finish.dueAt ?? null]);
}

/** `after_robot:` followers become due now that their predecessor has finished (plus their own delay). */
async function releaseFollowers(engine: Engine, manager: EntityManager, run: RobotRunRow, now: number): Promise<void> {
  const followers = await manager.find(RobotRunEntity, { where: { entryId: run.entryId, waitsFor: run.robotId, status: 'scheduled', dueAt: IsNull() } });
  for (const follower of followers) {
    const robot = engine.config.robots.get(follower.robotId)?.robot;
    const dueAt = robot ? computeDueAt(robot, now, engine.calendar) : now;
    await manager.update(RobotRunEntity, { id: follower.id }, { dueAt, detail: null });
  }
}

/** A dead, failed or unknown run put back in the queue by a person. */
export async function retryRun(engine: Engine, runId: number, actor: string): Promise<RobotRunRow | null> {
  return engine.store.transaction(async (manager) => {
    const run = await manager.findOne(RobotRunEntity, { where: { id: runId } });
    if (!run) return null;
    if (!['dead', 'failed', 'unknown'].includes(run.status)) throw new InvalidRequestError(`only dead, failed or unknown runs can be retried; run ${runId} is ${run.status}`);
    // A person retrying an `unknown` run has decided the message may go out again.
    await manager.update(MessageEntity, { runId, status: In(['unknown', 'sending']) }, { status: 'failed', error: `resend approved by ${actor}` });
    const changes = { status: 'scheduled' as const, dueAt: engine.now(), attempts: 0, detail: `retried by ${actor}`, finishedAt: null };
    await manager.update(RobotRunEntity, { id: runId }, changes);
    return { ...run, ...changes };
  });
}
