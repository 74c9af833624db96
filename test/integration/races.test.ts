import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfigOrThrow } from '../../config/loader';
import { ChannelRegistry } from '../../server/channels/channel';
import { OutboxChannel } from '../../server/channels/outbox';
import { openDatabase } from '../../server/db/data-source';
import { Runtime } from '../../server/runtime';
import type { AddressInfo } from 'node:net';
import { In } from 'typeorm';
import { CompanyEntity, ContactEntity, DealEntity, LeadEntity, MessageEntity, RobotRunEntity, TaskChangeEntity } from '../../server/db/entities';
import { normalizePhone } from '../../server/core/contact-keys';
import { telegramStartToken } from '../../server/inbound/telegram-updates';
import { testDatabaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

/**
 * What people and workers do at the same moment still happens once: on Postgres transactions
 * run side by side, so a row read and then written by id alone can undo another's write.
 * Each case fires the same request several times at once, round after round.
 */
const CONFIG = (hookUrl: string) => `
timezone: Europe/Moscow
locale: ru
default_region: RU
engine: { max_attempts: 1 }
users:
  - { login: root, name: Корнеев Admin, role: admin }
  - { login: gena, name: Геннадий Орлов, role: sales, team: general }
  - { login: galya, name: Галина Смирнова, role: sales, team: general }
  - { login: sasha, name: Александр Волков, role: sales, team: desk }
  - { login: masha, name: Мария Лебедева, role: sales, team: desk }
fields:
  budget: { type: number }
teams:
  general: { members: [gena, galya], pick: round_robin }
  desk: { members: [sasha, masha], pick: least_open }
leads:
  team: general
  stages:
    - id: new
    - id: distribute
      robots:
        - { id: give_out, type: assign }
    - id: desk
      robots:
        - { id: give_to_desk, type: assign, team: desk }
    - id: convert
      robots:
        - { id: make_deal, type: create_on_basis, pipeline: sales, team: general }
    - id: billing
      robots:
        - { id: tell_billing, type: webhook, url: "${hookUrl}" }
scoring:
  rules:
    - { event: email_opened, points: 10 }
    - { event: link_clicked, points: 15, tag: clicked }
    - { event: message_inbound, points: 20 }
deals:
  sales:
    team: general
    stages:
      - id: new
`;

const ROUNDS = 10;
const normalizedPhone = (phone: string) => normalizePhone(phone, 'RU') ?? '';
const AT_ONCE = 4;

describe.each(testDatabaseKinds())('the same request at the same moment, on %s', (kind) => {
  let harness: Harness;
  let server: http.Server;
  let posts = 0;

  beforeAll(async () => {
    // The billing system answers 500: a run that posts to it dies at once (max_attempts 1).
    server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        posts += 1;
        response.writeHead(500).end('down');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/billing`;
    harness = await startHarness(kind, { configText: CONFIG(url) });
  });
  afterAll(async () => {
    await harness.close();
    server.close();
  });

  it('four copies of one form submission at once make one lead for the phone, the rest are repeat touches', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const phone = `8 916 123-${String(10 + round).padStart(2, '0')}-67`;
      const results = await Promise.all(
        Array.from({ length: AT_ONCE }, () => harness.runtime.inbound.intakeLead({ name: 'Мария Кузнецова', phone }, { type: 'form_submitted', actor: 'form:contact', payload: { form: 'contact' } })),
      );
      expect(results.map((result) => result.merged).sort()).toEqual([false, true, true, true]);
      expect(new Set(results.map((result) => result.item.row.id)).size).toBe(1);
    }
    expect(await harness.runtime.store.manager.count(LeadEntity, {})).toBe(ROUNDS);
  });

  it('four people retrying one dead run at once put it back once, and it runs once', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const id = (
        await harness
          .as('root')
          .post('/api/leads', { name: `Олег Петров ${round}`, stage: 'billing' })
          .expect(201)
      ).body.id as number;
      await harness.runDue();
      const run = await harness.runtime.store.manager.findOneOrFail(RobotRunEntity, { where: { entityType: 'lead', entityId: id, robotId: 'tell_billing' } });
      expect(run.status).toBe('dead');
      const before = posts;
      const answers = await Promise.all(Array.from({ length: AT_ONCE }, () => harness.as('root').post(`/api/runs/${run.id}/retry`)));
      await harness.runDue();
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400, 400]);
      expect(posts - before).toBe(1);
    }
  });

  /** AT_ONCE leads created into one stage at the same moment, once their robots have run. */
  async function leadsMadeAtOnce(name: string, stage: string, round: number) {
    const ids = await Promise.all(
      Array.from(
        { length: AT_ONCE },
        async (_, index) =>
          (
            await harness
              .as('root')
              .post('/api/leads', { name: `${name} ${round}.${index}`, stage })
              .expect(201)
          ).body.id as number,
      ),
    );
    await harness.runDue();
    return harness.runtime.store.manager.find(LeadEntity, { where: { id: In(ids) } });
  }

  it('four leads given out at once by round robin go two to each of the two sales people', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const leads = await leadsMadeAtOnce('Ирина Соколова', 'distribute', round);
      expect(leads.map((lead) => lead.responsible).sort()).toEqual(['galya', 'galya', 'gena', 'gena']);
    }
  });

  it('one CSV imported four times at once (a double click, two tabs) makes each client once', async () => {
    const rows = Array.from({ length: 8 }, (_, index) => `Ольга Смирнова ${index};8 903 555-${String(20 + index).padStart(2, '0')}-11`);
    const file = Buffer.from(`ФИО;Телефон\n${rows.join('\n')}\n`);
    const before = await harness.runtime.store.manager.count(LeadEntity, {});
    const answers = await Promise.all(Array.from({ length: AT_ONCE }, () => harness.as('root').upload('/api/import', file, 'text/csv').expect(201)));
    expect(answers.map((answer) => answer.body.created as number).reduce((sum, created) => sum + created, 0)).toBe(rows.length);
    expect((await harness.runtime.store.manager.count(LeadEntity, {})) - before).toBe(rows.length);
  });

  it('four leads given out at once to the one with the fewest open go two to each', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const leads = await leadsMadeAtOnce('Павел Морозов', 'desk', round);
      expect(leads.map((lead) => lead.responsible).sort()).toEqual(['masha', 'masha', 'sasha', 'sasha']);
    }
  });

  it('leads of one client converted at the same moment share one contact and one company, and each gets its deal', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const phone = `8 925 700-${String(10 + round).padStart(2, '0')}-33`;
      const company = `ООО «Вектор ${round}»`;
      const ids: number[] = [];
      for (let index = 0; index < AT_ONCE; index += 1) ids.push((await harness.as('root').post('/api/leads', { name: 'Сергей Новиков', phone, company_name: company, stage: 'convert' }).expect(201)).body.id);
      await harness.runDue();
      const { manager } = harness.runtime.store;
      expect(await manager.count(ContactEntity, { where: { phone: normalizedPhone(phone) } })).toBe(1);
      expect(await manager.count(CompanyEntity, { where: { name: company } })).toBe(1);
      expect(await manager.count(DealEntity, { where: { leadId: In(ids) } })).toBe(AT_ONCE);
    }
  });

  it('four opens of a letter reported at once each add their points to the lead’s score', async () => {
    const id = (await harness.as('root').post('/api/leads', { name: 'Елена Васильева' }).expect(201)).body.id as number;
    for (let round = 0; round < ROUNDS; round += 1) {
      await Promise.all(
        Array.from({ length: AT_ONCE }, (_, index) => harness.runtime.inbound.ingest({ type: index === 0 ? 'link_clicked' : 'email_opened', item: { kind: 'lead', id }, actor: 'channel:email', payload: {} })),
      );
    }
    const lead = await harness.runtime.store.manager.findOneByOrFail(LeadEntity, { id });
    expect({ score: lead.score, tags: lead.tags }).toEqual({ score: ROUNDS * (15 + 3 * 10), tags: ['clicked'] });
  });

  it('a client pressing Start in Telegram while a manager edits the card keeps both: the chat and the edit', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const id = (
        await harness
          .as('root')
          .post('/api/leads', { name: `Дмитрий Козлов ${round}` })
          .expect(201)
      ).body.id as number;
      const start = `/start ${telegramStartToken('бот-секрет', { kind: 'lead', id })}`;
      await Promise.all([
        harness.runtime.inbound.handleTelegramUpdate({ update_id: round, message: { message_id: round, chat: { id: 5000 + round }, text: start } }, 'бот-секрет'),
        harness
          .as('root')
          .patch(`/api/leads/${id}`, { fields: { budget: 1000 + round } })
          .expect(200),
      ]);
      const lead = await harness.runtime.store.manager.findOneByOrFail(LeadEntity, { id });
      expect(lead.fields).toEqual({ budget: 1000 + round, telegram_chat_id: String(5000 + round) });
    }
  });

  it('an SMS reply delivered four times at once (the provider retrying) is one message and scores once', async () => {
    const phone = '8 916 777-00-11';
    const id = (await harness.as('root').post('/api/leads', { name: 'Анна Фёдорова', phone }).expect(201)).body.id as number;
    for (let round = 0; round < ROUNDS; round += 1) {
      const reply = { channel: 'sms' as const, from: normalizedPhone(phone), body: `Перезвоните ${round}`, providerId: `SM-race-${round}` };
      const answers = await Promise.allSettled(Array.from({ length: AT_ONCE }, () => harness.runtime.inbound.recordInboundMessage(reply)));
      expect(answers.map((answer) => answer.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    }
    const { manager } = harness.runtime.store;
    expect(await manager.count(MessageEntity, { where: { direction: 'in', entityId: id } })).toBe(ROUNDS);
    expect((await manager.findOneByOrFail(LeadEntity, { id })).score).toBe(ROUNDS * 20);
  });

  it('four people marking one task done at once record it done once (held: the task row is locked)', async () => {
    const lead = (await harness.as('root').post('/api/leads', { name: 'Игорь Белов' }).expect(201)).body.id as number;
    for (let round = 0; round < ROUNDS; round += 1) {
      const task = (
        await harness
          .as('root')
          .post('/api/tasks', { kind: 'lead', id: lead, title: `Позвонить ${round}`, due_at: '2026-03-02T18:00:00+03:00', assignee: 'gena' })
          .expect(201)
      ).body.id as number;
      await Promise.all(Array.from({ length: AT_ONCE }, () => harness.as('root').patch(`/api/tasks/${task}`, { done: true }).expect(200)));
      expect(await harness.runtime.store.manager.count(TaskChangeEntity, { where: { taskId: task, change: 'done' } })).toBe(1);
    }
  });
});

const STUDIO_CONFIG = (after: string) => `timezone: Europe/Moscow
users:
  - { login: root, name: Пётр Корнилов, role: admin }
leads:
  stages:
    - id: new
      robots:
        - { id: sla, type: notify, to: [root], after: ${after}, text: "возьмите лид" }
`;

describe.each(testDatabaseKinds())('two server processes applying config edits at once, on %s', (kind) => {
  let harness: Harness;
  let second: Runtime;
  let configFile: string;

  beforeAll(async () => {
    configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'robots-races-')), 'robots.yaml');
    fs.writeFileSync(configFile, STUDIO_CONFIG('30m'));
    harness = await startHarness(kind, { configFile });
    const options = harness.runtime.store.dataSource.options as { database?: string; url?: string; schema?: string };
    const dataSource = kind === 'sqlite' ? await openDatabase({ sqlitePath: options.database as string }) : await openDatabase({ url: options.url, schema: options.schema });
    second = await Runtime.start({
      dataSource,
      configFile,
      config: loadConfigOrThrow(configFile, harness.clock.now()),
      clock: harness.clock,
      channels: new ChannelRegistry(new OutboxChannel()),
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await second.stop();
    await harness.close();
    fs.rmSync(path.dirname(configFile), { recursive: true, force: true });
  });

  it('of two editors applying from the same file through two processes, one is applied and the other told of the conflict', async () => {
    for (let round = 0; round < 2; round += 1) {
      const base = harness.runtime.studio.source().hash;
      const mine = STUDIO_CONFIG(`${31 + round}m`);
      const theirs = STUDIO_CONFIG(`${61 + round}m`);
      const [a, b] = await Promise.all([harness.runtime.studio.apply(mine, base, 'root'), second.studio.apply(theirs, base, 'root')]);
      expect([a.status, b.status].sort()).toEqual(['applied', 'conflict']);
      expect(fs.readFileSync(configFile, 'utf8')).toBe(a.status === 'applied' ? mine : theirs);
    }
  });
});
