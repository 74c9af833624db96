import { Router, type NextFunction, type Request, type Response } from 'express';
import type { ChannelRegistry } from '../channels/channel';
import type { Clock } from '../core/clock';
import type { LiveConfig } from '../core/live-config';
import type { EngineMetrics } from '../metrics';
import type { RunQueue } from '../pipeline/queue';
import type { Scheduler } from '../pipeline/scheduler';
import { pingDatabase } from '../reads/database';
import type { ReadSource } from '../reads/source';
import type { IntakeCounters } from './routes/intake';

/** How long the database may take to answer a cheap query before we call it down. */
const DATABASE_TIMEOUT_MS = 2000;

export interface HealthDeps {
  reads: ReadSource;
  /** A SQLite file gone or replaced under the server is a database that does not answer. */
  databaseFile?: DatabaseFile;
  /** `sqlite` or `postgres`, as /healthz reports it. */
  databaseKind: string;
  configFile: string;
  config: LiveConfig;
  clock: Clock;
  channels: Pick<ChannelRegistry, 'configured'>;
  queue: Pick<RunQueue, 'countByStatus' | 'oldestDueAt'>;
  scheduler: Pick<Scheduler, 'busy' | 'oldestWaitingDueAt'>;
  metrics: EngineMetrics;
}

async function databaseAnswers(reads: ReadSource, file?: DatabaseFile): Promise<true | string> {
  const gone = file?.fileProblem();
  if (gone) return gone;
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve(`no answer within ${DATABASE_TIMEOUT_MS} ms`), DATABASE_TIMEOUT_MS).unref());
  const query = pingDatabase(reads).then(
    () => true as const,
    (error: Error) => error.message,
  );
  return Promise.race([query, timeout]);
}

interface DatabaseFile {
  fileProblem(): string | null;
}

/**
 * `/healthz` is honest: 503 when the database does not answer, and the queue as it stands
 * (depth by status, how late the oldest due run is, dead and unknown runs a person should
 * look at). `/metrics` is the same and more in Prometheus form, for graphs and alerts.
 */
export function healthRoutes(deps: HealthDeps, counters: IntakeCounters): Router {
  const { queue, clock, metrics } = deps;
  const router = Router();

  router.get('/healthz', async (_request, response) => {
    const database = await databaseAnswers(deps.reads, deps.databaseFile);
    const base = {
      database: deps.databaseKind,
      config: deps.configFile,
      config_loaded_at: new Date(deps.config.current.loadedAt).toISOString(),
      channels: deps.channels.configured(),
      intake: { honeypot_dropped: counters.honeypot, rate_limited: counters.rateLimited, webhooks_rejected: counters.rejectedWebhooks },
    };
    if (database !== true) {
      response.status(503).json({ status: 'unavailable', ...base, database_error: database });
      return;
    }
    const now = clock.now();
    const [counts, oldest] = await Promise.all([queue.countByStatus(), oldestLateDueAt(deps, now)]);
    response.json({
      status: 'ok',
      ...base,
      queue: {
        by_status: counts,
        oldest_due_lag_seconds: oldest === null ? 0 : Math.max(0, (now - oldest) / 1000),
        running_here: deps.scheduler.busy,
        needs_a_person: { dead: counts.dead, unknown: counts.unknown },
      },
    });
  });

  router.get('/metrics', async (_request, response) => {
    const now = clock.now();
    if ((await databaseAnswers(deps.reads, deps.databaseFile)) === true) {
      metrics.databaseUp.set(1);
      const [counts, oldest] = await Promise.all([queue.countByStatus(), oldestLateDueAt(deps, now)]);
      for (const [status, count] of Object.entries(counts)) metrics.queueDepth.set({ status }, count);
      metrics.oldestDueLag.set(oldest === null ? 0 : Math.max(0, (now - oldest) / 1000));
    } else {
      // No stale queue figures while the database is away: the series go, the 0 says why.
      metrics.databaseUp.set(0);
      metrics.queueDepth.reset();
      metrics.oldestDueLag.reset();
    }
    metrics.intake.set({ reason: 'honeypot' }, counters.honeypot);
    metrics.intake.set({ reason: 'rate_limited' }, counters.rateLimited);
    metrics.intake.set({ reason: 'webhook_rejected' }, counters.rejectedWebhooks);
    response.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return router;
}

/**
 * Lateness runs from a run's due time until it starts executing: a run claimed by this worker
 * but waiting for a slot is as late as one nobody claimed (both once reported 0 s while alerts
 * waited behind hanging webhooks).
 */
async function oldestLateDueAt(deps: Pick<HealthDeps, 'queue' | 'scheduler'>, now: number): Promise<number | null> {
  const unclaimed = await deps.queue.oldestDueAt(now);
  const waiting = deps.scheduler.oldestWaitingDueAt();
  if (unclaimed === null) return waiting;
  return waiting === null ? unclaimed : Math.min(unclaimed, waiting);
}

/** Counts every request by the route it matched (not its raw path, so ids do not explode the labels). */
export function httpMetrics(metrics: EngineMetrics) {
  return (request: Request, response: Response, next: NextFunction) => {
    const started = performance.now();
    response.on('finish', () => {
      const route = request.route?.path ? `${request.baseUrl}${String(request.route.path)}` : 'unmatched';
      metrics.httpRequests.inc({ method: request.method, route, status: String(response.statusCode) });
      metrics.httpDuration.observe({ method: request.method, route }, (performance.now() - started) / 1000);
    });
    next();
  };
}
