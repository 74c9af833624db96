import { Router, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { canAccessItem, canOperate, type Viewer } from '../../auth/access';
import type { ConfigChanged } from '../../config-ops/versions';
import type { LiveConfig } from '../../core/live-config';
import type { ItemChange, ItemChanges } from '../../records/item-changes';
import type { NotificationFeed, NotificationPublished } from '../../records/notifications';
import { notificationById } from '../../reads/notifications';
import { notificationViews } from './notifications';
import { itemView, type Item } from '../../core/items';
import { itemsByRef } from '../../reads/items';
import type { ReadSource } from '../../reads/source';
import { NoQuery } from '../ids';
import { HttpProblem, parse } from '../problem';

export interface StreamLimits {
  /** A comment this often keeps proxies and load balancers from closing a quiet stream. */
  heartbeatMs: number;
  /** Bytes a stream may have waiting for a slow client; past that it is dropped (the board reconnects and reloads). */
  maxBufferedBytes: number;
  /** Streams one process serves at once; past that a new one is a 503 until one closes. */
  maxStreams: number;
  /**
   * A stream is ended after this long and the board reconnects: the role and the token are
   * checked again, so a revoked token or a changed role reaches an open board within this time.
   */
  maxAgeMs: number;
}

export const STREAM_LIMITS: StreamLimits = { heartbeatMs: 15_000, maxBufferedBytes: 1024 * 1024, maxStreams: 1000, maxAgeMs: 30 * 60_000 };

/** How long a board waits before reconnecting (the SSE `retry:` field). */
const RECONNECT_MS = 3000;

/** Changed items loaded per query while a burst drains. */
const LOAD_BATCH = 100;

/** A burst of changes to one item is one event; the strongest word wins (the view shows the item as it now is). */
const STRENGTH: Record<ItemChange['change'], number> = { updated: 0, moved: 1, created: 2 };

const keyOf = (change: ItemChange) => `${change.kind}:${change.id}`;

const HEARTBEAT = ': heartbeat\n\n';

interface Stream {
  user: Viewer;
  response: Response;
  openedAt: number;
}

type DropReason = 'slow_client' | 'load_failed';

export interface StreamDeps {
  /** Items created, moved and changed, told after commit. */
  itemChanges: Pick<ItemChanges, 'closed' | 'subscribe'>;
  /** A person's notifications written, told after commit: sent to that person's streams only. */
  notices?: Pick<NotificationFeed, 'subscribe'>;
  /** The running config replaced (a reload, an apply): told to the streams of those who may see the automation map. */
  configChanges?: { subscribe(listener: (change: ConfigChanged) => void): () => void };
  config: LiveConfig;
  reads: ReadSource;
  logger: Pick<Logger, 'error'>;
}

/**
 * The open `GET /api/stream` connections of one process, fed by its item changes
 * (server/records/item-changes.ts): each change is loaded once and sent, as the list endpoints
 * show it, to the streams whose user may read that item. Subscribed only while a stream is open.
 */
export class StreamHub {
  private readonly streams = new Set<Stream>();
  private readonly pending = new Map<string, ItemChange>();
  private draining = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private unsubscribeNotices: (() => void) | null = null;
  private unsubscribeConfig: (() => void) | null = null;
  private readonly dropped?: Counter<'reason'>;

  constructor(
    private readonly deps: StreamDeps,
    private readonly limits: StreamLimits = STREAM_LIMITS,
    registry?: Registry,
  ) {
    if (registry) {
      const open = () => this.streams.size;
      new Gauge({
        name: 'robots_streams_open',
        help: 'Live board streams (GET /api/stream) open in this process',
        registers: [registry],
        collect() {
          this.set(open());
        },
      });
      this.dropped = new Counter({
        name: 'robots_streams_dropped_total',
        help: 'Live streams ended by the server: a client too slow to read, or changes that could not be loaded',
        labelNames: ['reason'] as const,
        registers: [registry],
      });
    }
  }

  get size(): number {
    return this.streams.size;
  }

  /** Starts the event stream on `response`; the user is subscribed before the headers go out. */
  open(user: Viewer, response: Response): void {
    if (this.deps.itemChanges.closed) throw new HttpProblem({ type: 'urn:robots:shutting-down', title: 'This process is shutting down', status: 503, detail: 'reconnect: another process answers' });
    if (this.streams.size >= this.limits.maxStreams) {
      response.set('Retry-After', '30');
      throw new HttpProblem({ type: 'urn:robots:too-many-streams', title: 'Too many live streams open', status: 503, detail: `this process serves ${this.limits.maxStreams} at once` });
    }
    // Wall-clock time, as for the heartbeat: a connection's age, not a business time the fake clock walks.
    const stream: Stream = { user, response, openedAt: Date.now() };
    this.streams.add(stream);
    this.attach();
    response.on('close', () => this.forget(stream));
    response.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' });
    response.flushHeaders();
    response.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
  }

  /** Ends every stream (shutdown): boards reconnect, to another process if there is one. */
  closeAll(): void {
    for (const stream of [...this.streams]) {
      this.streams.delete(stream);
      stream.response.end();
    }
    this.detachIfIdle();
  }

  private attach(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.deps.itemChanges.subscribe(
      (change) => this.changed(change),
      () => this.closeAll(),
    );
    this.unsubscribeNotices = this.deps.notices?.subscribe((notification) => void this.notify(notification)) ?? null;
    this.unsubscribeConfig = this.deps.configChanges?.subscribe((change) => this.configChanged(change)) ?? null;
    this.heartbeat = setInterval(() => this.beat(), this.limits.heartbeatMs);
    this.heartbeat.unref();
  }

  /** `event: notification` to the streams of its person only, as GET /api/notifications shows it. */
  private async notify(published: NotificationPublished): Promise<void> {
    const own = () => [...this.streams].filter((stream) => stream.user.login === published.login);
    if (own().length === 0) return;
    try {
      const row = await notificationById(this.deps.reads, published.id);
      if (!row || row.login !== published.login) return;
      const [view] = await notificationViews(this.deps.reads, [row]);
      const frame = `event: notification\ndata: ${JSON.stringify(view)}\n\n`;
      for (const stream of own()) this.send(stream, frame);
    } catch (error) {
      // The list still has it: the page shows it on its next load.
      this.deps.logger.error({ err: error, notification: published.id }, 'live streams: a notification could not be loaded');
    }
  }

  /** `event: config` `{version, hash, author}`: open studio pages refresh the map and warn an editor whose draft is now behind. */
  private configChanged(change: ConfigChanged): void {
    const frame = `event: config\ndata: ${JSON.stringify(change)}\n\n`;
    for (const stream of [...this.streams]) if (canOperate(stream.user, 'studio.map')) this.send(stream, frame);
  }

  private detachIfIdle(): void {
    if (this.streams.size > 0) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.unsubscribeNotices?.();
    this.unsubscribeNotices = null;
    this.unsubscribeConfig?.();
    this.unsubscribeConfig = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.pending.clear();
  }

  private forget(stream: Stream): void {
    this.streams.delete(stream);
    this.detachIfIdle();
  }

  private drop(stream: Stream, reason: DropReason): void {
    this.dropped?.inc({ reason });
    this.streams.delete(stream);
    // What is buffered for it is let go at once: ending politely would wait for the client to read it.
    stream.response.destroy();
    this.detachIfIdle();
  }

  private beat(): void {
    const now = Date.now();
    for (const stream of [...this.streams]) {
      if (now - stream.openedAt >= this.limits.maxAgeMs) {
        this.streams.delete(stream);
        stream.response.end();
      } else {
        this.send(stream, HEARTBEAT);
      }
    }
    this.detachIfIdle();
  }

  /**
   * Writes unless the client has fallen behind by `maxBufferedBytes` already; then it is dropped,
   * so what one stream holds stays under that plus one event.
   */
  private send(stream: Stream, frame: string): void {
    if (stream.response.destroyed) return;
    if (stream.response.writableLength >= this.limits.maxBufferedBytes) this.drop(stream, 'slow_client');
    else stream.response.write(frame);
  }

  private changed(change: ItemChange): void {
    const key = keyOf(change);
    const earlier = this.pending.get(key);
    if (!earlier || STRENGTH[change.change] > STRENGTH[earlier.change]) this.pending.set(key, change);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.size > 0 && this.streams.size > 0) {
        const batch: ItemChange[] = [];
        for (const [key, change] of this.pending) {
          batch.push(change);
          this.pending.delete(key);
          if (batch.length === LOAD_BATCH) break;
        }
        const items = await this.load(batch);
        for (const change of batch) {
          const item = items.get(keyOf(change));
          // Gone (deleted, or a write that rolled back): nothing to show.
          if (item) this.deliver(change, item);
        }
      }
    } catch (error) {
      // Changes were lost for every stream: ending them makes the boards reconnect and reload their lists.
      this.deps.logger.error({ err: error }, 'live streams: changed items could not be loaded; streams ended');
      for (const stream of [...this.streams]) this.drop(stream, 'load_failed');
    } finally {
      this.draining = false;
    }
  }

  private load(changes: ItemChange[]): Promise<Map<string, Item>> {
    return itemsByRef(this.deps.reads, changes);
  }

  private deliver(change: ItemChange, item: Item): void {
    const data = JSON.stringify({ kind: change.kind, id: change.id, change: change.change, stage: item.row.stage, pipeline: item.pipeline, item: itemView(item) });
    const frame = `event: item\ndata: ${data}\n\n`;
    const config = this.deps.config.current;
    for (const stream of [...this.streams]) {
      if (canAccessItem(config, stream.user, item, 'read')) this.send(stream, frame);
    }
  }
}

const hubs = new WeakMap<object, StreamHub>();

/**
 * The hub of one set of item changes: one however many apps serve them, counted in `registry`
 * (/metrics), ended with the item changes.
 */
export function streamHub(deps: StreamDeps, registry: Registry): StreamHub {
  let hub = hubs.get(deps.itemChanges);
  if (!hub) {
    hub = new StreamHub(deps, STREAM_LIMITS, registry);
    hubs.set(deps.itemChanges, hub);
  }
  return hub;
}

/**
 * EventSource cannot send headers. A board signed in with an API token (not the session cookie)
 * passes it as `?access_token=`, accepted on this route only: it becomes the Authorization
 * header (a header sent as well wins) and is cut from the URL, so no log line or problem body
 * repeats it. Mounted on `/api/stream` before authentication.
 */
export const streamTokenFromQuery: RequestHandler = (request, _response, next) => {
  const withoutToken = (url: string): { url: string; token: string | null } => {
    const question = url.indexOf('?');
    if (question === -1) return { url, token: null };
    const query = new URLSearchParams(url.slice(question + 1));
    const token = query.get('access_token');
    if (token === null) return { url, token: null };
    query.delete('access_token');
    const rest = query.toString();
    return { url: `${url.slice(0, question)}${rest ? `?${rest}` : ''}`, token };
  };
  const local = withoutToken(request.url);
  if (local.token === null) return next();
  request.url = local.url;
  request.originalUrl = withoutToken(request.originalUrl).url;
  if (!request.headers.authorization && local.token !== '') request.headers.authorization = `Bearer ${local.token}`;
  next();
};

/** `GET /api/stream`: server-sent events of the items the caller may read (README "HTTP API"). */
export function streamRoutes(hub: StreamHub): Router {
  const router = Router();
  router.get('/', (request, response) => {
    parse(NoQuery, request.query);
    hub.open(request.user!, response);
  });
  return router;
}
