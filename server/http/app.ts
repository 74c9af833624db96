import express, { type Express } from 'express';
import { configJsonSchema } from '../../config/schema';
import type { Runtime } from '../runtime';
import { ConfigError } from '../engine/errors';
import { requireOperation, requireUser, TokenCache } from './auth';
import { openApiDocument } from './openapi';
import { notFoundHandler, problemHandler } from './problem';
import { contactRoutes } from './routes/contacts';
import { itemRoutes } from './routes/items';
import { messageRoutes, runRoutes } from './routes/runs';
import { eventRoutes } from './routes/events';
import { analyticsRoutes } from './routes/analytics';
import { userRoutes } from './routes/users';
import { formRoutes, hookRoutes, type IntakeCounters } from './routes/intake';
import { trackingRoutes } from './routes/tracking';
import { providerWebhookRoutes } from './routes/provider-webhooks';
import { pipelineRoutes } from './routes/pipelines';

/** The HTTP API. Thin: parse with zod, check the role, call the engine, shape the answer. */
export function createApp(runtime: Runtime): Express {
  const engine = runtime.engine;
  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy, per-IP form limits need the client's address from X-Forwarded-For.
  if (process.env.TRUST_PROXY) app.set('trust proxy', /^\d+$/.test(process.env.TRUST_PROXY) ? Number(process.env.TRUST_PROXY) : process.env.TRUST_PROXY);
  app.set('etag', false);
  const counters: IntakeCounters = { honeypot: 0, rateLimited: 0, rejectedWebhooks: 0 };
  // Signed webhooks need their raw body: mounted before the JSON parser.
  app.use('/hooks', hookRoutes(engine, counters));
  app.use(express.json({ limit: '256kb' }));
  app.use('/forms', formRoutes(engine, counters));
  app.use('/t', trackingRoutes(engine));

  app.get('/healthz', (_request, response) => {
    response.json({
      status: 'ok',
      database: engine.store.kind,
      config: runtime.configFile,
      config_loaded_at: new Date(engine.config.loadedAt).toISOString(),
      channels: engine.channels.configured(),
      intake: { honeypot_dropped: counters.honeypot, rate_limited: counters.rateLimited, webhooks_rejected: counters.rejectedWebhooks },
    });
  });
  const schema = configJsonSchema();
  app.get('/api/config/schema', (_request, response) => {
    response.json(schema);
  });
  const openapi = openApiDocument();
  app.get('/api/openapi.json', (_request, response) => {
    response.json(openapi);
  });

  const api = express.Router();
  const tokens = new TokenCache();
  runtime.onReload(() => tokens.clear());
  api.use(requireUser(engine.store, tokens));
  api.use('/leads', itemRoutes(engine, 'lead'));
  api.use('/deals', itemRoutes(engine, 'deal'));
  api.use('/contacts', requireOperation('contacts.read'), contactRoutes(engine));
  api.use('/runs', runRoutes(engine));
  api.use('/messages', messageRoutes(engine));
  api.use('/events', eventRoutes(engine));
  api.use('/analytics', analyticsRoutes(engine));
  api.use('/users', userRoutes(engine, () => tokens.clear()));
  api.use('/config/pipelines', pipelineRoutes(engine));
  api.post('/config/reload', requireOperation('config.reload'), async (_request, response) => {
    const result = await runtime.reload();
    if (!result.ok) throw new ConfigError(result.issues);
    response.json({ status: 'reloaded', cancelled_runs: result.cancelledRuns });
  });
  app.use('/api', api);

  app.use('/webhooks', providerWebhookRoutes(runtime));

  app.use('/board', express.static(`${__dirname}/web`, { index: 'index.html' }));
  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}
