import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfigOrThrow } from '../../config/loader';
import { ChannelRegistry } from '../../server/channels/channel';
import { OutboxChannel } from '../../server/channels/outbox';
import { MessageEntity, RobotRunEntity, StageEntryEntity } from '../../server/db/entities';
import { openDatabase } from '../../server/db/data-source';
import { Runtime } from '../../server/runtime';
import { FIXTURES, HOUR, MINUTE, startHarness, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';
import { until } from '../support/until';
import { first, nth } from '../support/lists';

const SEMANTICS = path.join(FIXTURES, 'semantics.yaml');

describe.each(testDatabaseKinds())('semantics users rely on, on %s', (kind) => {
  let harness: Harness;
  let configFile: string;

  beforeEach(async () => {
    // A private copy, so reload tests can rewrite it.
    configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'robots-config-')), 'robots.yaml');
    fs.copyFileSync(SEMANTICS, configFile);
    harness = await startHarness(kind, { configFile, start: '2026-03-06T19:00:00+03:00' }); // a Friday evening
  });
  afterEach(async () => {
    await harness.close();
  });

  const lead = async (body: object = {}) =>
    (
      await harness
        .as('root')
        .post('/api/leads', { name: 'Client', ...body })
        .expect(201)
    ).body.id as number;
  const move = (id: number, stage: string) => harness.as('root').post(`/api/leads/${id}/move`, { stage }).expect(200);
  const runsOf = async (id: number) => (await harness.as('root').get(`/api/runs?item=lead:${id}`).expect(200)).body.runs as Array<Record<string, unknown>>;
  const bodies = async (id: number) => (await harness.as('root').get(`/api/messages?item=lead:${id}`).expect(200)).body.messages.map((message: { body: string }) => message.body).reverse();

  it('robots of a stage run in the order written, and after_robot waits for its predecessor', async () => {
    const id = await lead();
    await move(id, 'ordered');
    await harness.runDue();
    expect(await bodies(id)).toEqual(['first', 'second', 'third after second']);
  });

  it('a committed move always has its history row and its scheduled runs', async () => {
    const id = await lead();
    await move(id, 'delayed');
    const manager = harness.runtime.store.manager;
    const entries = await manager.find(StageEntryEntity, { where: { entityId: id, entityType: 'lead' }, order: { id: 'ASC' } });
    expect(entries.map((entry) => entry.stage)).toEqual(['new', 'delayed']);
    expect(first(entries).leftAt).toBe(harness.clock.now());
    const runs = await manager.find(RobotRunEntity, { where: { entryId: nth(entries, 1).id } });
    expect(runs.map((run) => run.robotId).sort()).toEqual(['in_an_hour', 'morning', 'working_time']);
  });

  it('delays, time of day and working hours are computed in the config zone', async () => {
    const id = await lead({ fields: { budget: 500 } });
    await move(id, 'delayed');
    const due = Object.fromEntries((await runsOf(id)).map((run) => [run.robot, run.due_at]));
    expect(due.in_an_hour).toBe('2026-03-06T17:00:00.000Z'); // Friday 20:00 Moscow
    expect(due.morning).toBe('2026-03-07T07:00:00.000Z'); // Saturday 10:00 Moscow (no working_hours)
    expect(due.working_time).toBe('2026-03-09T06:00:00.000Z'); // Monday 09:00 Moscow
    await harness.advance(3 * 24 * HOUR);
    expect(await bodies(id)).toEqual(['budget 500', 'at ten', 'inside working hours']);
  });

  it('conditions are evaluated when the robot runs, not when it was scheduled', async () => {
    const poor = await lead({ fields: { budget: 10 } });
    const raised = await lead({ fields: { budget: 10 } });
    await move(poor, 'delayed');
    await move(raised, 'delayed');
    await harness
      .as('root')
      .patch(`/api/leads/${raised}`, { fields: { budget: 150 } })
      .expect(200);
    await harness.advance(2 * HOUR);
    const poorRun = (await runsOf(poor)).find((run) => run.robot === 'in_an_hour');
    const raisedRun = (await runsOf(raised)).find((run) => run.robot === 'in_an_hour');
    expect(poorRun).toMatchObject({ status: 'skipped', detail: 'condition was false when the robot was due' });
    expect(raisedRun).toMatchObject({ status: 'done' });
  });

  it('leaving a stage cancels its pending runs; re-entering schedules a fresh set', async () => {
    const id = await lead({ fields: { budget: 500 } });
    await move(id, 'delayed');
    await harness.advance(10 * MINUTE);
    await move(id, 'new');
    const cancelled = (await runsOf(id)).filter((run) => run.status === 'cancelled');
    expect(cancelled.map((run) => run.robot).sort()).toEqual(['in_an_hour', 'morning', 'working_time']);
    expect(first(cancelled).detail).toBe('left stage "delayed" for "new"');
    await move(id, 'delayed');
    await harness.advance(4 * 24 * HOUR);
    expect(await bodies(id)).toEqual(['budget 500', 'at ten', 'inside working hours']);
  });

  it('never twice: two workers on one database run each robot once', async () => {
    const ids = [];
    for (let index = 0; index < 20; index += 1) ids.push(await lead());
    for (const id of ids) await move(id, 'ordered');
    const second = await openSecondRuntime(kind, harness, configFile);
    try {
      await Promise.all([harness.runDue(), second.pipeline.runDue(), harness.runDue(), second.pipeline.runDue()]);
      await harness.runDue();
      const messages = await harness.runtime.store.manager.count(MessageEntity, {});
      expect(messages).toBe(ids.length * 3);
      const done = await harness.runtime.store.manager.count(RobotRunEntity, { where: { status: 'done' } });
      expect(done).toBe(ids.length * 3);
    } finally {
      await second.stop();
    }
  });

  it('a failing robot is retried with backoff, then dead, and a person can retry it', async () => {
    let status = 500;
    const received: string[] = [];
    const server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push(body);
        response.writeHead(status).end(status === 200 ? 'ok' : 'down');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace('http://127.0.0.1:1/unused', url));
    await harness.as('root').post('/api/config/reload').expect(200);
    try {
      const id = await lead();
      await move(id, 'flaky');
      await harness.runDue();
      let run = first(await runsOf(id));
      expect(run).toMatchObject({ status: 'failed', attempts: 1 });
      expect(run.detail).toMatch(/retrying at/);
      await harness.advance(MINUTE);
      run = first(await runsOf(id));
      expect(run).toMatchObject({ status: 'failed', attempts: 2 });
      await harness.advance(2 * MINUTE);
      run = first(await runsOf(id));
      expect(run).toMatchObject({ status: 'dead', attempts: 3 });
      expect(run.detail).toMatch(/gave up after 3 attempts: webhook answered 500/);
      expect(received).toHaveLength(3);

      status = 200;
      await harness.as('root').post(`/api/runs/${run.id}/retry`).expect(200);
      await harness.runDue();
      run = first(await runsOf(id));
      expect(run).toMatchObject({ status: 'done' });
      expect(received).toHaveLength(4);
    } finally {
      server.close();
    }
  });

  it('the loop guard stops a chain of robot-caused moves and says why', async () => {
    const id = await lead();
    await move(id, 'ping');
    await harness.runDue();
    const runs = await runsOf(id);
    const stopped = runs.find((run) => run.status === 'skipped');
    expect(stopped?.detail).toMatch(/loop guard: 4 robot-caused moves in a row exceed engine.max_causal_depth \(3\)/);
    const entries = await harness.runtime.store.manager.count(StageEntryEntity, { where: { entityId: id, entityType: 'lead' } });
    expect(entries).toBe(5); // new, ping, then three robot-caused moves
  });

  it('a config file saved on disk is picked up by the watcher; a broken save keeps the running config', async () => {
    const runtime = harness.runtime;
    runtime.watch(20);
    const good = fs.readFileSync(configFile, 'utf8');
    const loadedAt = runtime.config.current.loadedAt;
    fs.writeFileSync(configFile, good.replace('text: "first"', 'text: "first, edited"'));
    await until(() => runtime.config.current.robots.get('first')?.robot.text === 'first, edited');
    const accepted = runtime.config.current;
    fs.writeFileSync(configFile, good.replace('after: 1h', 'after: soon'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runtime.config.current).toBe(accepted);
    expect(accepted.loadedAt).toBeGreaterThanOrEqual(loadedAt);
  });

  it('an invalid config is rejected with every error and the running config stays; a valid one replaces it', async () => {
    const id = await lead({ fields: { budget: 500 } });
    await move(id, 'delayed');
    const good = fs.readFileSync(configFile, 'utf8');
    fs.writeFileSync(configFile, good.replace('after: 1h', 'after: soon').replace('to: pong', 'to: pongg'));
    const rejected = await harness.as('root').post('/api/config/reload').expect(422);
    expect(rejected.body.errors).toHaveLength(2);
    expect(rejected.body.errors.map((error: { path: string }) => error.path)).toEqual(expect.arrayContaining(['leads.stages[2].robots[0].after', 'leads.stages[4].robots[0].to']));
    expect(rejected.body.errors[0]).toMatchObject({ line: expect.any(Number), col: expect.any(Number) });
    await move(id, 'new');
    await move(id, 'delayed'); // still the old robots

    fs.writeFileSync(configFile, good.replace(/\n {8}- \{ id: morning.*\n/, '\n'));
    const accepted = await harness.as('root').post('/api/config/reload').expect(200);
    expect(accepted.body.cancelled_runs).toBe(1);
    const morning = (await runsOf(id)).find((run) => run.robot === 'morning' && run.status === 'cancelled' && run.detail === 'robot no longer in the config');
    expect(morning).toBeDefined();
  });
});

async function openSecondRuntime(kind: string, harness: Harness, configFile: string): Promise<Runtime> {
  const options = harness.runtime.store.dataSource.options as { type: string; database?: string; url?: string; schema?: string };
  const dataSource = kind === 'sqlite' ? await openDatabase({ sqlitePath: options.database as string }) : await openDatabase({ url: options.url, schema: options.schema });
  return Runtime.start({
    dataSource,
    configFile,
    config: loadConfigOrThrow(configFile, harness.clock.now()),
    clock: harness.clock,
    channels: new ChannelRegistry(new OutboxChannel()),
    logger: pino({ level: 'silent' }),
  });
}
