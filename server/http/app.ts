import path from 'node:path';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { configJsonSchema } from '../../config/schema';
import type { Runtime } from '../runtime';
import { ConfigError } from '../core/errors';
import { requireOperation, requireUser, TokenCache } from './auth';
import { Sessions } from '../auth/sessions';
import { authRoutes } from './routes/auth';
import { openApiDocument } from './openapi';
import { notFoundHandler, parse, problemHandler } from './problem';
import { doorBodies, jsonBodies, requestContext } from './edge';
import { planConfigFile, ReloadQuery } from '../reports/plan';
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
import { streamHub, streamRoutes, streamTokenFromQuery } from './routes/stream';
import { taskRoutes } from './routes/tasks';
import { healthRoutes, httpMetrics } from './health';

/** The HTTP API. Thin: parse with zod, check the role, call the engine, shape the answer. */
export function createApp(runtime: Runtime, options: { logger?: Logger } = {}): Express {
  const engine = runtime.engine;
  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy, per-IP form limits need the client's address from X-Forwarded-For.
  if (process.env.TRUST_PROXY) app.set('trust proxy', /^\d+$/.test(process.env.TRUST_PROXY) ? Number(process.env.TRUST_PROXY) : process.env.TRUST_PROXY);
  app.set('etag', false);
  app.use(httpMetrics(runtime));
  const counters: IntakeCounters = { honeypot: 0, rateLimited: 0, rejectedWebhooks: 0 };
  // Every request gets an id, and a path or query that is not clean text is refused, first.
  app.use(requestContext());
  // Signed webhooks need their raw body: mounted before the JSON parser.
  app.use('/hooks', hookRoutes(engine, counters));
  app.use(doorBodies, ...jsonBodies('256kb'));
  app.use('/forms', formRoutes(engine, counters));
  app.use('/t', trackingRoutes(engine));
  // People sign in here (password, or a one-time link from an alert); machines use tokens.
  const sessions = new Sessions(engine.store, engine.clock);
  app.use('/auth', authRoutes(engine, sessions, runtime.options.passwordCost));

  app.use(healthRoutes(runtime, counters));
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
  api.use(requireUser(engine.store, tokens, sessions));
  api.use('/leads', itemRoutes(engine, 'lead'));
  api.use('/deals', itemRoutes(engine, 'deal'));
  api.use('/contacts', requireOperation('contacts.read'), contactRoutes(engine));
  api.use('/runs', runRoutes(engine));
  api.use('/messages', messageRoutes(engine));
  api.use('/events', eventRoutes(engine));
  api.use('/analytics', analyticsRoutes(engine));
  api.use('/users', userRoutes(engine, () => tokens.clear()));
  api.use('/config/pipelines', pipelineRoutes(engine));
  api.use('/stream', streamRoutes(streamHub(engine)));
  api.use('/tasks', taskRoutes(engine));
  api.post('/config/reload', requireOperation('config.reload'), async (request, response) => {
    // ?dry_run=1: what the reload would do to the runs already scheduled (server/reports/plan.ts); nothing changes.
    if (parse(ReloadQuery, request.query).dry_run) {
      const planned = await planConfigFile(engine, runtime.configFile);
      if (!planned.ok) throw new ConfigError(planned.issues);
      response.json({ status: 'planned', ...planned.plan });
      return;
    }
    const result = await runtime.reload();
    if (!result.ok) throw new ConfigError(result.issues);
    response.json({ status: 'reloaded', cancelled_runs: result.cancelledRuns });
  });
  // EventSource sends no headers: a token may come as ?access_token= on the live stream only.
  app.use('/api/stream', streamTokenFromQuery);
  app.use('/api', api);

  app.use('/webhooks', providerWebhookRoutes(runtime));

  // The analytics page draws with Chart.js, served from the installed package (no front-end build).
  const chartJs = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  app.get('/board/vendor/chart.umd.min.js', (_request, response) => {
    response.type('application/javascript').sendFile(chartJs, { maxAge: '1d' });
  });
  app.use('/board', express.static(`${__dirname}/web`, { index: 'index.html' }));
  app.use(notFoundHandler);
  app.use(problemHandler(options.logger ?? engine.logger));
  return app;
}
