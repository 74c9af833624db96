import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createToken, findUser } from '../../server/auth/users';
import { ChannelRegistry } from '../../server/channels/channel';
import { OutboxChannel } from '../../server/channels/outbox';
import { openDatabase } from '../../server/db/data-source';
import { PostgresWakeups } from '../../server/db/pg-wakeups';
import { streamRoutes, StreamHub, STREAM_LIMITS } from '../../server/http/routes/stream';
import { problemHandler } from '../../server/http/problem';
import { Runtime } from '../../server/runtime';
import { testDatabaseKinds } from '../support/databases';
import { TEST_POSTGRES_URL } from '../support/global-setup';
import { FIXTURES, startHarness, type Harness } from '../support/harness';

/**
 * The live board's stream (README "HTTP API", GET /api/stream): what one person or robot
 * changes reaches every open board that may see it, without a Refresh.
 */
const CONFIG = `${fs.readFileSync(path.join(FIXTURES, 'lead-funnel.yaml'), 'utf8')}
forms:
  contact:
    fields: { name: name, phone: phone, product: product }
    rate_limit: 10000/m
`;

interface ItemEvent {
  kind: 'lead' | 'deal';
  id: number;
  change: 'created' | 'moved' | 'updated';
  stage: string;
  pipeline: string;
  item: Record<string, unknown>;
}

/** A client of the stream as a board is: reads server-sent events off a real HTTP connection. */
class StreamReader {
  readonly items: ItemEvent[] = [];
  readonly comments: string[] = [];
  private waiters: Array<() => void> = [];
  private isEnded = false;

  private constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {
    void this.pump();
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<StreamReader> {
    const controller = new AbortController();
    const response = await fetch(url, { headers, signal: controller.signal });
    return new StreamReader(response, controller);
  }

  get ended(): boolean {
    return this.isEnded;
  }

  private async pump(): Promise<void> {
    const reader = this.response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = text.indexOf('\n\n')) !== -1) {
          this.frame(text.slice(0, end));
          text = text.slice(end + 2);
        }
        this.wake();
      }
    } catch {
      // aborted by close()
    }
    this.isEnded = true;
    this.wake();
  }

  private frame(block: string): void {
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (event === 'item') this.items.push(JSON.parse(data) as ItemEvent);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }

  /** Resolves once `condition` holds; fails after `timeoutMs` of real time (the stream is real-time). */
  async until<T>(condition: () => T | undefined | false, timeoutMs = 1000, what = 'the event'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = condition();
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.isEnded) throw new Error(`${what} did not arrive within ${timeoutMs} ms (got ${JSON.stringify(this.items.map(({ kind, id, change, stage }) => ({ kind, id, change, stage })))})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  item(kind: 'lead' | 'deal', id: number, change: ItemEvent['change'], timeoutMs = 1000): Promise<ItemEvent> {
    return this.until(() => this.items.find((event) => event.kind === kind && event.id === id && event.change === change), timeoutMs, `${change} of ${kind} ${id}`);
  }

  close(): void {
    this.controller.abort();
  }
}

describe.each(testDatabaseKinds())('live updates on %s', (kind) => {
  let harness: Harness;
  let server: http.Server;
  let base: string;
  const tokens = new Map<string, string>();
  const readers: StreamReader[] = [];

  beforeAll(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
    server = http.createServer(harness.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const login of ['root', 'anna', 'gena', 'gm', 'semen']) tokens.set(login, await createToken(harness.runtime.store, login, harness.clock.now()));
  });
  afterEach(() => {
    readers.splice(0).forEach((reader) => reader.close());
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await harness.close();
  });

  async function streamOf(login: string): Promise<StreamReader> {
    const reader = await StreamReader.open(`${base}/api/stream`, { authorization: `Bearer ${tokens.get(login)}` });
    readers.push(reader);
    expect(reader.response.status).toBe(200);
    return reader;
  }

  const api = (login: string, method: string, url: string, body?: object) =>
    fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${tokens.get(login)}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });

  it("a lead sent through a web form appears on an admin's stream within a second, and never on a sales user's who may not see it", async () => {
    const admin = await streamOf('root');
    const sales = await streamOf('gena');
    expect(admin.response.headers.get('content-type')).toMatch(/^text\/event-stream/);

    const posted = await fetch(`${base}/forms/contact`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Form Lead', phone: '+7 916 800-00-01' }) });
    expect(posted.status).toBe(201);
    const id = ((await posted.json()) as { id: number }).id;

    const event = await admin.item('lead', id, 'created', 1000);
    expect(event).toMatchObject({ kind: 'lead', id, change: 'created', stage: 'new', pipeline: 'leads' });
    // The view is the one the list endpoints return.
    const listed = ((await (await api('root', 'GET', '/api/leads')).json()) as { items: Array<Record<string, unknown>> }).items.find((item) => item.id === id);
    expect(event.item).toEqual(listed);
    expect(event.item).toMatchObject({ name: 'Form Lead', phone: '+79168000001', source: 'form:contact', responsible: null });

    // Gena sees only leads he is responsible for: the next event on his stream is his own lead.
    const his = (await (await api('root', 'POST', '/api/leads', { name: 'Gena lead', responsible: 'gena' })).json()) as { id: number };
    await sales.item('lead', his.id, 'created');
    expect(sales.items.map((item) => item.id)).toEqual([his.id]);
  });

  it('a move arrives as `moved` with the new stage, and so do the moves and the deal a robot makes', async () => {
    const admin = await streamOf('root');
    const manager = await streamOf('gm');
    const otherTeam = await streamOf('semen');
    const lead = (await (await api('anna', 'POST', '/api/leads', { name: 'Mover', phone: '+79168000002', responsible: 'gena', fields: { product: 'goods' } })).json()) as { id: number };
    await admin.item('lead', lead.id, 'created');

    expect((await api('anna', 'POST', `/api/leads/${lead.id}/move`, { stage: 'handoff_general' })).status).toBe(200);
    const moved = await admin.item('lead', lead.id, 'moved');
    expect(moved).toMatchObject({ stage: 'handoff_general', item: { stage: 'handoff_general' } });
    // gm manages gena's team: the lead is on his board too.
    await manager.item('lead', lead.id, 'moved');

    // The robots of the stage: a deal created on basis (inside the robot's own transaction), then the lead converted.
    await harness.runDue();
    const converted = await admin.until(() => admin.items.find((event) => event.id === lead.id && event.stage === 'converted'), 1000, 'the lead converted');
    expect(converted.change).toBe('moved');
    const dealId = ((await (await api('root', 'GET', `/api/leads/${lead.id}`)).json()) as { deal_id: number }).deal_id;
    const deal = await manager.item('deal', dealId, 'created');
    expect(deal).toMatchObject({ pipeline: 'general', stage: 'new', item: { lead_id: lead.id } });
    // The lead itself now names its deal: an `updated` with deal_id, once the conversion committed.
    const linked = await admin.until(() => admin.items.find((event) => event.id === lead.id && event.change === 'updated' && event.item.deal_id === dealId), 1000, 'the lead linked to its deal');
    expect(linked.kind).toBe('lead');

    // Semen works the services team: the general team's lead and deal are not his.
    const own = (await (await api('root', 'POST', '/api/leads', { name: 'Semen lead', responsible: 'semen' })).json()) as { id: number };
    await otherTeam.item('lead', own.id, 'created');
    expect(otherTeam.items.map((item) => `${item.kind}:${item.id}`)).toEqual([`lead:${own.id}`]);
  });

  it('a lead written inside a transaction that then fails never appears', async () => {
    const admin = await streamOf('root');
    const engine = harness.runtime;
    await expect(
      engine.store.transaction(async (manager) => {
        await engine.pipeline.createItem('lead', { name: 'Never committed' }, 'test', {}, manager);
        throw new Error('the rest of the intake failed');
      }),
    ).rejects.toThrow('the rest of the intake failed');
    const marker = (await (await api('root', 'POST', '/api/leads', { name: 'Committed' })).json()) as { id: number };
    await admin.item('lead', marker.id, 'created');
    expect(admin.items.map((event) => event.item.name)).toEqual(['Committed']);
  });

  it('a change of fields arrives as `updated`, and the open streams are counted in /metrics', async () => {
    const admin = await streamOf('root');
    const lead = (await (await api('root', 'POST', '/api/leads', { name: 'Before' })).json()) as { id: number };
    await admin.item('lead', lead.id, 'created');
    expect((await api('root', 'PATCH', `/api/leads/${lead.id}`, { name: 'After' })).status).toBe(200);
    expect((await admin.item('lead', lead.id, 'updated')).item).toMatchObject({ name: 'After' });

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^robots_streams_open 1$/m);
  });

  it('a board signed in with a token passes it as ?access_token= on this route only, and it is never repeated back', async () => {
    const token = tokens.get('root') as string;
    const reader = await StreamReader.open(`${base}/api/stream?access_token=${encodeURIComponent(token)}`);
    readers.push(reader);
    expect(reader.response.status).toBe(200);
    const lead = (await (await api('root', 'POST', '/api/leads', { name: 'Query token' })).json()) as { id: number };
    await reader.item('lead', lead.id, 'created');

    const unknownKey = await fetch(`${base}/api/stream?access_token=${encodeURIComponent(token)}&since=1`);
    expect(unknownKey.status).toBe(400);
    const problem = await unknownKey.text();
    expect(problem).toContain('since');
    expect(problem).not.toContain(token);

    expect((await fetch(`${base}/api/stream`)).status).toBe(401);
    expect((await fetch(`${base}/api/stream?access_token=rbt_not_a_token`)).status).toBe(401);
    // Elsewhere a token in the URL is no credential.
    expect((await fetch(`${base}/api/leads?access_token=${encodeURIComponent(token)}`)).status).toBe(401);
  });

  it('a client too slow to read is dropped once its buffer is full, so memory stays bounded', async () => {
    const root = (await findUser(harness.runtime.store, 'root'))!;
    const registry = new Registry();
    const hub = new StreamHub(
      { itemChanges: harness.runtime.itemChanges, config: harness.runtime.config, reads: harness.runtime.store, logger: harness.runtime.logger },
      { ...STREAM_LIMITS, maxBufferedBytes: 64 * 1024 },
      registry,
    );
    const app = express();
    app.use((request, _response, next) => {
      request.user = root;
      next();
    });
    app.use('/stream', streamRoutes(hub));
    app.use(problemHandler(pino({ level: 'silent' })));
    const slowServer = http.createServer(app);
    await new Promise<void>((resolve) => slowServer.listen(0, '127.0.0.1', resolve));
    try {
      // A client that reads the headers and then nothing.
      const slowResponse = new Promise<http.IncomingMessage>((resolve) => {
        http.get(`http://127.0.0.1:${(slowServer.address() as AddressInfo).port}/stream`, (response) => {
          response.pause();
          response.socket.pause();
          resolve(response);
        });
      });
      await new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const check = () => (hub.size === 1 ? resolve() : Date.now() - started > 2000 ? reject(new Error('no stream')) : setTimeout(check, 5));
        check();
      });
      // Beside it, a board that keeps up.
      const fast = await StreamReader.open(`http://127.0.0.1:${(slowServer.address() as AddressInfo).port}/stream`);
      readers.push(fast);
      const engine = harness.runtime;
      const big = await engine.pipeline.createItem('lead', { name: 'Big', fields: { product: 'x'.repeat(256 * 1024) } }, 'test');
      // Each change is a ~256 KB event, bigger than the 64 KB allowed to wait: the kernel's socket
      // buffers take a few MB of them, then what waits in the process passes the limit.
      let sent = 0;
      for (; sent < 400 && hub.size === 2; sent += 1) {
        engine.itemChanges.publish({ kind: 'lead', id: big.row.id, change: 'updated' });
        await fast.until(() => fast.items.length === sent + 1, 2000, `event ${sent + 1} on the fast stream`);
      }
      expect(hub.size).toBe(1);
      // When the slow client reads again it finds its connection ended.
      const slow = await slowResponse;
      const ended = new Promise<void>((resolve) => slow.socket.on('close', () => resolve()));
      slow.on('data', () => undefined);
      slow.on('error', () => undefined);
      slow.socket.resume();
      slow.resume();
      await ended;
      expect(sent).toBeGreaterThan(1);
      expect(fast.ended).toBe(false);
      expect(await registry.getSingleMetricAsString('robots_streams_dropped_total')).toMatch(/reason="slow_client"} 1/);
    } finally {
      slowServer.closeAllConnections();
      await new Promise((resolve) => slowServer.close(resolve));
    }
  });

  it('a quiet stream gets a heartbeat comment, so proxies keep it open', async () => {
    const root = (await findUser(harness.runtime.store, 'root'))!;
    const hub = new StreamHub({ itemChanges: harness.runtime.itemChanges, config: harness.runtime.config, reads: harness.runtime.store, logger: harness.runtime.logger }, { ...STREAM_LIMITS, heartbeatMs: 40 });
    const app = express();
    app.use((request, _response, next) => {
      request.user = root;
      next();
    });
    app.use('/stream', streamRoutes(hub));
    const quietServer = http.createServer(app);
    await new Promise<void>((resolve) => quietServer.listen(0, '127.0.0.1', resolve));
    try {
      const reader = await StreamReader.open(`http://127.0.0.1:${(quietServer.address() as AddressInfo).port}/stream`);
      readers.push(reader);
      await reader.until(() => reader.comments.includes('heartbeat'), 2000, 'a heartbeat');
      expect(STREAM_LIMITS.heartbeatMs).toBe(15_000);
    } finally {
      quietServer.closeAllConnections();
      await new Promise((resolve) => quietServer.close(resolve));
    }
  });

  (kind === 'postgres' ? it : it.skip)("a robot's move in a worker process reaches the API process's streams through NOTIFY", async () => {
    const first = harness.runtime;
    const schema = (first.store.dataSource.options as { schema?: string }).schema as string;
    // A second process on the same schema, as `robots worker` would be: its own pool, engine and scheduler.
    const worker = await Runtime.start({
      dataSource: await openDatabase({ url: TEST_POSTGRES_URL, schema }),
      configFile: first.configFile,
      config: first.config.current,
      clock: harness.clock,
      channels: new ChannelRegistry(new OutboxChannel()),
      logger: pino({ level: 'silent' }),
    });
    // Wired as server/cli.ts does: the API process listens, the worker tells.
    const listening = await PostgresWakeups.start(first.store.dataSource, undefined, (lines) => first.itemChanges.receive(lines));
    const relayed = first.itemChanges.relay((line) => listening.notifyItemChange(line));
    const telling = await PostgresWakeups.start(worker.store.dataSource);
    worker.itemChanges.relay((line) => telling.notifyItemChange(line));
    try {
      const admin = await streamOf('root');
      const lead = (await (await api('anna', 'POST', '/api/leads', { name: 'Worker moved', phone: '+79168000009', fields: { product: 'goods' } })).json()) as { id: number };
      expect((await api('anna', 'POST', `/api/leads/${lead.id}/move`, { stage: 'handoff_general' })).status).toBe(200);
      await admin.item('lead', lead.id, 'moved');

      expect(await worker.pipeline.runDue()).toBeGreaterThan(0);
      const converted = await admin.until(() => admin.items.find((event) => event.id === lead.id && event.stage === 'converted'), 1000, 'the move made in the worker');
      expect(converted).toMatchObject({ change: 'moved', item: { stage: 'converted' } });
      const dealId = ((await (await api('root', 'GET', `/api/leads/${lead.id}`)).json()) as { deal_id: number }).deal_id;
      await admin.item('deal', dealId, 'created');
      // A change is told once: the API process ignores the echo of its own notifications.
      const handoffs = admin.items.filter((event) => event.kind === 'lead' && event.id === lead.id && event.change === 'moved' && event.stage === 'handoff_general');
      expect(handoffs).toHaveLength(1);
    } finally {
      relayed();
      await telling.stop();
      await listening.stop();
      await worker.stop();
    }
  });
});

describe.each(testDatabaseKinds())('shutting down on %s', (kind) => {
  it('ends the open streams, so boards reconnect to another process, and refuses new ones', async () => {
    const harness = await startHarness(kind);
    const server = http.createServer(harness.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const token = await createToken(harness.runtime.store, 'root', harness.clock.now());
      const reader = await StreamReader.open(`${base}/api/stream`, { authorization: `Bearer ${token}` });
      expect(reader.response.status).toBe(200);
      harness.runtime.itemChanges.close();
      await reader.until(() => reader.ended, 1000, 'the end of the stream');
      expect((await fetch(`${base}/api/stream`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(503);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await harness.close();
    }
  });
});
