import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Runtime } from '../runtime';
import type { IntakeCounters } from './routes/intake';

/** How long the database may take to answer a cheap query before we call it down. */
const DATABASE_TIMEOUT_MS = 2000;

async function databaseAnswers(runtime: Runtime): Promise<true | string> {
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve(`no answer within ${DATABASE_TIMEOUT_MS} ms`), DATABASE_TIMEOUT_MS).unref());
  const query = runtime.store.manager.query('SELECT 1').then(
    () => true as const,
    (error: Error) => error.message,
  );
  return Promise.race([query, timeout]);
}

/**
 * `/healthz` is honest: 503 when the database does not answer, and the queue as it stands
 * (depth by status, how late the oldest due run is, dead and unknown runs a person should
 * look at). `/metrics` is the same and more in Prometheus form, for graphs and alerts.
 */
export function healthRoutes(runtime: Runtime, counters: IntakeCounters): Router {
  const engine = runtime.engine;
  const router = Router();

  router.get('/healthz', async (_request, response) => {
    const database = await databaseAnswers(runtime);
    const base = {
      database: engine.store.kind,
      config: runtime.configFile,
      config_loaded_at: new Date(engine.config.loadedAt).toISOString(),
      channels: engine.channels.configured(),
      intake: { honeypot_dropped: counters.honeypot, rate_limited: counters.rateLimited, webhooks_rejected: counters.rejectedWebhooks },
    };
    if (database !== true) {
      response.status(503).json({ status: 'unavailable', ...base, database_error: database });
      return;
    }
    const now = engine.now();
    const [counts, oldest] = await Promise.all([engine.queue.countByStatus(), engine.queue.oldestDueAt(now)]);
    response.json({
      status: 'ok',
      ...base,
      queue: {
        by_status: counts,
        oldest_due_lag_seconds: oldest === null ? 0 : Math.max(0, (now - oldest) / 1000),
        running_here: engine.scheduler.busy,
        needs_a_person: { dead: counts.dead, unknown: counts.unknown },
      },
    });
  });

  router.get('/metrics', async (_request, response) => {
    const metrics = engine.metrics;
    const now = engine.now();
    if ((await databaseAnswers(runtime)) === true) {
      const [counts, oldest] = await Promise.all([engine.queue.countByStatus(), engine.queue.oldestDueAt(now)]);
      for (const [status, count] of Object.entries(counts)) metrics.queueDepth.set({ status }, count);
      metrics.oldestDueLag.set(oldest === null ? 0 : Math.max(0, (now - oldest) / 1000));
    }
    metrics.intake.set({ reason: 'honeypot' }, counters.honeypot);
    metrics.intake.set({ reason: 'rate_limited' }, counters.rateLimited);
    metrics.intake.set({ reason: 'webhook_rejected' }, counters.rejectedWebhooks);
    response.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return router;
}

/** Counts every request by the route it matched (not its raw path, so ids do not explode the labels). */
export function httpMetrics(runtime: Runtime) {
  const metrics = runtime.engine.metrics;
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
