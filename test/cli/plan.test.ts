import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfigOrThrow } from '../../config/loader';
import { ChannelRegistry } from '../../server/channels/channel';
import { OutboxChannel } from '../../server/channels/outbox';
import { FakeClock } from '../../server/core/clock';
import { openDatabase } from '../../server/db/data-source';
import { Runtime } from '../../server/runtime';
import { nth } from '../support/lists';
import { ROOT, robots } from '../support/robots-cli';

const EXAMPLE = path.join(ROOT, 'robots.example.yaml');

/** The YAML without one robot: its entry and every line indented under it. */
function withoutRobot(text: string, id: string): string {
  const lines = text.split('\n');
  const first = lines.findIndex((line) => line.trim() === `- id: ${id}`);
  const entry = lines[first];
  if (entry === undefined) throw new Error(`robot ${id} not found`);
  const indent = entry.indexOf('-');
  const after = lines.slice(first + 1).findIndex((line) => line.trim() !== '' && line.search(/\S/) <= indent);
  const end = after < 0 ? lines.length : first + 1 + after;
  return [...lines.slice(0, first), ...lines.slice(end)].join('\n');
}

async function withRuntime<T>(database: string, config: string, work: (runtime: Runtime, clock: FakeClock) => Promise<T>): Promise<T> {
  const clock = new FakeClock('2026-03-02T11:00:00+03:00'); // a Monday, in working hours
  const runtime = await Runtime.start({
    dataSource: await openDatabase({ sqlitePath: database }),
    configFile: config,
    config: loadConfigOrThrow(config, clock.now()),
    clock,
    channels: new ChannelRegistry(new OutboxChannel()),
    logger: pino({ level: 'silent' }),
  });
  try {
    return await work(runtime, clock);
  } finally {
    await runtime.stop();
  }
}

describe('robots plan', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-plan-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('on the shipped example with one robot removed, lists exactly the runs a reload cancels', async () => {
    const database = path.join(dir, 'robots.sqlite');
    // Three leads in "new", each with a pending SLA alert; a fourth taken in work, whose alert the move cancelled.
    const seeded = await withRuntime(database, EXAMPLE, async (runtime) => {
      const leads: number[] = [];
      for (const name of ['Ivan', 'Maria', 'Olga', 'Petr']) leads.push((await runtime.pipeline.createItem('lead', { name }, 'test')).row.id);
      await runtime.inbound.changeFields({ kind: 'lead', id: nth(leads, 3) }, { responsible: 'anna' }, 'test');
      const pending = (await runtime.queue.list({ status: 'scheduled' })).filter((one) => one.robotId === 'first_contact_sla');
      return { leads, pending: pending.map((one) => one.id).sort((a, b) => a - b), items: pending.map((one) => `lead:${one.entityId}`).sort() };
    });
    expect(seeded.items).toEqual(seeded.leads.slice(0, 3).map((id) => `lead:${id}`));

    const next = path.join(dir, 'next.yaml');
    fs.writeFileSync(next, withoutRobot(fs.readFileSync(EXAMPLE, 'utf8'), 'first_contact_sla'));
    // Templates are read relative to the config file.
    fs.cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
    const env = { DATABASE_URL: `sqlite:${database}` };

    const json = await robots(['plan', next, '--against', EXAMPLE, '--json'], env);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as { valid: boolean; cancelled_runs: number; cancelled_run_ids: number[]; cancelled: Array<{ robot: string; why: string; cancelled_runs: number }> };
    expect(plan.valid).toBe(true);
    const sla = plan.cancelled.find((robot) => robot.robot === 'first_contact_sla');
    expect(sla).toMatchObject({ why: 'removed', cancelled_runs: 3 });
    expect(plan.cancelled_run_ids).toEqual(expect.arrayContaining(seeded.pending));

    const text = await robots(['plan', next, '-c', EXAMPLE], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('- robot first_contact_sla (notify, leads/new) removed: 3 pending runs cancelled');
    expect(text.stdout).toMatch(/run \d+ +lead:\d+ +scheduled +due Mon 02 Mar 2026 11:30:00/);
    expect(text.stdout).toContain(`A reload would cancel ${plan.cancelled_runs} pending run`);

    // Now the reload itself: it cancels those runs and no others.
    const cancelled = await withRuntime(database, EXAMPLE, async (runtime) => {
      const before = new Set((await runtime.queue.list({ status: 'cancelled' })).map((one) => one.id));
      const { cancelledRuns } = await runtime.pipeline.applyConfig(loadConfigOrThrow(next));
      const after = (await runtime.queue.list({ status: 'cancelled' })).filter((one) => !before.has(one.id));
      return { count: cancelledRuns, ids: after.map((one) => one.id).sort((a, b) => a - b) };
    });
    expect(cancelled.count).toBe(plan.cancelled_runs);
    expect(cancelled.ids).toEqual(plan.cancelled_run_ids);
    // Planned again, nothing is left to cancel.
    const again = JSON.parse((await robots(['plan', next, '--against', next, '--json'], env)).stdout) as { cancelled_runs: number; no_changes: boolean };
    expect(again).toMatchObject({ cancelled_runs: 0, no_changes: true });
  });

  it('exits 1 with every error at its position when the new file is invalid', async () => {
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, fs.readFileSync(EXAMPLE, 'utf8').replace('after: 30m', 'after: 30 minutes'));
    fs.cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
    const result = await robots(['plan', broken, '--against', EXAMPLE], { DATABASE_URL: `sqlite:${path.join(dir, 'unused.sqlite')}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken\.yaml:\d+:\d+ leads\.stages\[0\]\.stuck_after: bad duration "30 minutes"/);
    expect(result.stderr).toMatch(/a reload would be refused and the running config kept/);
    expect(fs.existsSync(path.join(dir, 'unused.sqlite'))).toBe(false);
  });
});

describe('robots simulate with several items', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-simulate-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('rehearses round robin over three leads and a repeat client, to the second', async () => {
    const result = await robots(['simulate', path.join(ROOT, 'examples', 'round-robin.scenario.yaml'), '--config', EXAMPLE]);
    expect(result.code).toBe(0);
    const deals = [...result.stdout.matchAll(/create_general_deal \(create_on_basis\) done: created deal #\d+ in "general", responsible (\w+)/g)].map((match) => match[1]);
    expect(deals).toEqual(['gleb', 'galina', 'gleb']);
    expect(result.stdout).toMatch(/\+12m30s +Mon 02 Mar 11:12:30 +run +\[lead #3 Ольга Сидорова\] repeat_client_priority \(notify_repeat_client\) done: flagged repeat client \(contact #1\)/);
    expect(result.stdout).toMatch(/\+42m15s +Mon 02 Mar 11:42:15 +stage +\[lead #3 Ольга Сидорова\] in_work → handoff_general by simulate/);
    expect(result.stdout).toContain('lead #3 Ольга Сидорова (olga): converted, responsible anna, repeat client; deal #3 in general/new, responsible gleb');
    // Nobody took Maria's lead for 30 minutes: the SLA alert went to the manager, in the outbox.
    expect(result.stdout).toMatch(/\+35m +Mon 02 Mar 11:35:00 +run +\[lead #2 Мария Иванова\] first_contact_sla \(notify\) done: notified georgy/);
    expect(result.stdout).toMatch(/sent telegram to georgy: recorded/);
  });

  it('prints each failed attempt and when it is tried again, and posts nothing', async () => {
    const config = path.join(dir, 'webhook.yaml');
    fs.writeFileSync(
      config,
      [
        'timezone: Europe/Moscow',
        'engine: { retry_backoff: 45s }',
        'users: [{ login: root, name: Root, role: admin }]',
        'leads:',
        '  stages:',
        '    - id: new',
        '      robots:',
        // Port 9 (discard): were anything sent, the run would fail differently.
        '        - { id: sync_crm, type: webhook, url: "http://127.0.0.1:9/crm", after: 10s }',
      ].join('\n'),
    );
    const scenario = path.join(dir, 'retries.scenario.yaml');
    fs.writeFileSync(
      scenario,
      [
        'start: "2026-03-02T09:00:00+03:00"',
        'horizon: 1h',
        'items:',
        '  - { key: first, name: Ivan }',
        '  - { key: second, name: Maria, at: +1m }',
        'webhook_answers: [{ status: 503 }, { status: 429, retry_after: 2m }]',
      ].join('\n'),
    );
    const result = await robots(['simulate', scenario, '--config', config]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\+10s +Mon 02 Mar 09:00:10 +retry +sync_crm \(lead:1\) attempt 1 failed: webhook answered 503: simulated: not sent; tried again Mon 02 Mar 09:00:55/);
    expect(result.stdout).toMatch(/\+55s +Mon 02 Mar 09:00:55 +retry +sync_crm \(lead:1\) attempt 2 failed: webhook answered 429: simulated: not sent; tried again Mon 02 Mar 09:02:55/);
    expect(result.stdout).toMatch(/\+1m10s +Mon 02 Mar 09:01:10 +webhook +POST http:\/\/127\.0\.0\.1:9\/crm \(not sent; answered 200 by the simulation\)/);
    expect(result.stdout).toMatch(/\[lead #1 Ivan\] sync_crm \(webhook\) done: POST http:\/\/127\.0\.0\.1:9\/crm → 200/);
    const json = JSON.parse((await robots(['simulate', scenario, '--config', config, '--json'])).stdout) as { items: Array<{ key: string }>; retries: unknown[]; requests: Array<{ answered: number }> };
    expect(json.items.map((item) => item.key)).toEqual(['first', 'second']);
    expect(json.retries).toHaveLength(2);
    expect(json.requests.map((request) => request.answered)).toEqual([503, 429, 200, 200]);
  });

  it('refuses a scenario whose events do not say which of several items they happen to', async () => {
    const scenario = path.join(dir, 'ambiguous.scenario.yaml');
    fs.writeFileSync(scenario, ['items: [{ key: a, name: A }, { key: b, name: B }]', 'events: [{ at: +1h, move_to: in_work }, { at: +2h, item: c, move_to: in_work }]'].join('\n'));
    const result = await robots(['simulate', scenario, '--config', EXAMPLE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('events.0.item: several items: say which one (its key)');
    expect(result.stderr).toContain('events.1.item: no item with key "c" (keys: a, b)');
  });
});
