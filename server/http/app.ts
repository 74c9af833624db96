import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { configJsonSchema } from '../../config/registered-schema';
import type { Runtime } from '../runtime';
import { requireOperation, requireUser, TokenCache } from './auth';
import { authRoutes } from './routes/auth';
import { openApiDocument } from './openapi';
import { notFoundHandler, problemHandler } from './problem';
import { doorBodies, jsonBodies, refuseOversizedBodies, requestContext, securityHeaders } from './edge';
import { configReloadRoutes } from './routes/config-reload';
import { automationRoutes, studioConfigRoutes, templatePreviewRoutes } from './routes/studio';
import { contactRoutes } from './routes/contacts';
import { itemRoutes } from './routes/items';
import { mergeRoutes } from './routes/merge';
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
import { itemActivityRoutes } from './routes/item-activity';
import { bulkRoutes } from './routes/bulk';
import { notificationRoutes } from './routes/notifications';
import { importRoutes } from './routes/import';
import { healthRoutes, httpMetrics } from './health';
import { BOARD_DIST, boardRoutes } from './board';

/**
 * The HTTP API. Thin: parse with zod, check the role, call a service or a read, shape the answer.
 * Each route gets the services it uses and nothing else.
 */
export function createApp(runtime: Runtime, options: { logger?: Logger } = {}): Express {
  const { config, clock, records, pipeline, inbound, messaging, voice, queue, channels, metrics, accounts, sessions, receipts } = runtime;
  // Reads go through the store's manager (server/reads); routes only hand it on.
  const reads = runtime.store;
  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy, per-IP form limits need the client's address from X-Forwarded-For.
  if (process.env.TRUST_PROXY) app.set('trust proxy', /^\d+$/.test(process.env.TRUST_PROXY) ? Number(process.env.TRUST_PROXY) : process.env.TRUST_PROXY);
  app.set('etag', false);
  app.use(httpMetrics(metrics));
  const counters: IntakeCounters = { honeypot: 0, rateLimited: 0, rejectedWebhooks: 0 };
  // Every request gets an id, and a path or query that is not clean text is refused, first.
  app.use(requestContext());
  const tokens = new TokenCache();
  runtime.onReload(() => tokens.clear());
  // A CSV export is bigger than any other body: its route comes before the general size limit, with its own.
  app.use('/api/import', requireUser(accounts, tokens, sessions), requireOperation('items.import'), importRoutes({ leadImport: runtime.leadImport }));
  app.use(refuseOversizedBodies());
  app.use(securityHeaders());
  // Signed webhooks need their raw body: mounted before the JSON parser.
  app.use('/hooks', hookRoutes({ config, clock, inbound, pipeline, receipts }, counters));
  app.use(doorBodies, ...jsonBodies('256kb'));
  app.use('/forms', formRoutes({ config, clock, inbound }, counters));
  app.use('/t', trackingRoutes({ inbound, reads, trackingSecret: runtime.trackingSecret, messaging, locale: () => config.current.source.locale }));
  // People sign in here (password, or a one-time link from an alert); machines use tokens.
  app.use('/auth', authRoutes({ clock, accounts, sessions, signInGuard: runtime.signInGuard, trackingSecret: runtime.trackingSecret }));

  app.use(healthRoutes({ reads, databaseFile: runtime.store, databaseKind: runtime.store.kind, configFile: runtime.configFile, config, clock, channels, queue, scheduler: runtime.scheduler, metrics }, counters));
  const schema = configJsonSchema();
  app.get('/api/config/schema', (_request, response) => {
    response.json(schema);
  });
  const openapi = openApiDocument();
  app.get('/api/openapi.json', (_request, response) => {
    response.json(openapi);
  });

  const api = express.Router();
  api.use(requireUser(accounts, tokens, sessions));
  const items = { config, clock, records, pipeline, inbound, queue, reads };
  // The card's comments, calls and tasks, and bulk actions, beside the item routes (matched first).
  const activity = { config, clock, records, inbound, reads };
  const bulk = { config, clock, records, pipeline, inbound, reads, logger: options.logger ?? runtime.logger };
  api.use('/leads', itemActivityRoutes(activity, 'lead'), bulkRoutes(bulk, 'lead'));
  api.use('/deals', itemActivityRoutes(activity, 'deal'), bulkRoutes(bulk, 'deal'));
  api.use('/leads', mergeRoutes({ merges: runtime.merges }, 'lead'));
  api.use('/leads', itemRoutes(items, 'lead'));
  api.use('/deals', itemRoutes(items, 'deal'));
  api.use('/notifications', notificationRoutes({ inbox: runtime.inbox, reads }));
  api.use('/contacts', mergeRoutes({ merges: runtime.merges }, 'contact'));
  api.use('/contacts', requireOperation('contacts.read'), contactRoutes({ config, reads, consents: runtime.consents }));
  api.use('/runs', runRoutes({ config, records, queue, pipeline, reads }));
  api.use('/messages', messageRoutes({ config, records, reads }));
  api.use('/events', eventRoutes({ config, records, reads }));
  api.use('/analytics', analyticsRoutes({ config, clock, reads }));
  api.use('/users', userRoutes({ config, accounts, reads, onUsersChanged: () => tokens.clear() }));
  api.use('/config/pipelines', pipelineRoutes({ config, reads }));
  api.use('/stream', streamRoutes(streamHub({ itemChanges: runtime.itemChanges, notices: runtime.notices, configChanges: runtime.configChanges, config, reads, logger: runtime.logger }, metrics.registry)));
  api.use('/tasks', taskRoutes({ config, clock, records, pipeline, reads }));
  const studio = { clock, studio: runtime.studio, versions: runtime.configVersions, queue, config, store: runtime.store };
  api.use('/automation', automationRoutes(studio));
  api.use('/templates', templatePreviewRoutes(studio));
  api.use('/config', studioConfigRoutes(studio));
  api.use('/config', configReloadRoutes({ clock, config, store: runtime.store, queue, configFile: runtime.configFile, reload: () => runtime.reload() }));
  // EventSource sends no headers: a token may come as ?access_token= on the live stream only.
  app.use('/api/stream', streamTokenFromQuery);
  app.use('/api', api);

  app.use('/webhooks', providerWebhookRoutes({ config, clock, channels, inbound, voice, messaging, receipts }));

  // The board is what a person opening the server's address wants.
  app.get('/', (_request, response) => response.redirect(302, '/board/'));
  app.use(
    '/board',
    boardRoutes(BOARD_DIST, () => config.current.source.locale),
  );
  app.use(notFoundHandler);
  app.use(problemHandler(options.logger ?? runtime.logger));
  return app;
}
