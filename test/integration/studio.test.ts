import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MINUTE, startHarness, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';
import { createToken } from '../../server/auth/users';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TEN_MISTAKES } from '../support/ten-mistakes';

const RUNNING = `timezone: Europe/Moscow
users:
  - { login: root, name: Пётр Корнилов, role: admin, telegram_chat_id: "1" }
  - { login: olga, name: Ольга Седова, role: ops }
  - { login: irina, name: Ирина Лебедева, role: manager, team: sales }
  - { login: sasha, name: Саша Быков, role: first_line }
  - { login: sam, name: Семён Жуков, role: sales, team: sales }
teams:
  sales: { members: [sam], manager: irina }
templates:
  day3_sms: { channel: sms, text: "{{lead.name}}, напоминаем о встрече" }
leads:
  team: sales
  stages:
    - id: new
      robots:
        - { id: sla, type: notify, to: [root], after: 30m, text: "возьмите лид" }
        - { id: day3_sms, type: send_message, template: day3_sms, after: 3d, working_hours: true }
    - id: contacting
      triggers:
        - { id: client_replied, type: message_inbound }
    - id: done
      semantic: won
`;

const WITHOUT_SLA = RUNNING.replace(/^ +- \{ id: sla.*\n/m, '');

describe.each(testDatabaseKinds())('the automation studio, on %s', (kind) => {
  let harness: Harness;
  let configFile: string;

  beforeEach(async () => {
    configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'robots-studio-')), 'robots.yaml');
    fs.writeFileSync(configFile, RUNNING);
    harness = await startHarness(kind, { configFile });
  });
  afterEach(async () => {
    await harness.close();
    fs.rmSync(path.dirname(configFile), { recursive: true, force: true });
  });

  const lead = async (name: string) => (await harness.as('root').post('/api/leads', { name, phone: '8 916 123-45-67' }).expect(201)).body.id as number;
  const source = async () => (await harness.as('olga').get('/api/config/source').expect(200)).body as { yaml: string; hash: string };

  it('the map shows each stage with its robots in order, where they are written, and the triggers with their event', async () => {
    const map = (await harness.as('irina').get('/api/automation').expect(200)).body;
    expect(map.robots).toBe(2);
    expect(map.triggers).toBe(1);
    const [leads] = map.pipelines;
    expect(leads.stages[0].robots.map((robot: { id: string }) => robot.id)).toEqual(['sla', 'day3_sms']);
    expect(leads.stages[0].robots[1]).toMatchObject({ type: 'send_message', after: '3d', working_hours: true, params: { template: 'day3_sms' }, lines: { from: 18, to: 18 } });
    expect(leads.stages[1].triggers).toEqual([expect.objectContaining({ id: 'client_replied', event: 'message_inbound' })]);
    // A manager reads the map; the editor is not theirs.
    expect(map.editable).toBe(false);
    await harness.as('irina').get('/api/config/source').expect(403);
    await harness.as('sasha').get('/api/automation').expect(403);
    await harness.as('sam').get('/api/automation').expect(403);
    expect((await harness.as('olga').get('/api/automation').expect(200)).body.editable).toBe(true);
  });

  it('the file comes with what its templates may call and read, for the editor to offer inside {{ }}', async () => {
    const { template_vocabulary: vocabulary } = (await harness.as('olga').get('/api/config/source').expect(200)).body as {
      template_vocabulary: { helpers: Array<{ name: string; block: boolean; arguments: Array<{ name: string }> }>; paths: string[] };
    };
    expect(vocabulary.helpers.find((helper) => helper.name === 'date')).toMatchObject({ block: false, arguments: [{ name: 'a date or time' }, { name: 'pattern' }] });
    expect(vocabulary.helpers.filter((helper) => helper.block).map((helper) => helper.name)).toEqual(['if', 'unless', 'each', 'with']);
    expect(vocabulary.paths).toEqual(expect.arrayContaining(['item.name', 'item.phone', 'item.fields', 'lead.name', 'deal.amount', 'contact.phone', 'links.item', 'recipient.name']));
  });

  it('a robot on the map tells its YAML, its pending runs and how its last week ended', async () => {
    await lead('Анна Смирнова');
    await lead('Борис Кузнецов');
    const robot = (await harness.as('irina').get('/api/automation/robots/sla').expect(200)).body;
    expect(robot).toMatchObject({ robot: 'sla', pending: 2, last_7_days: { done: 0, skipped: 0, failed: 0, unknown: 0 } });
    expect(robot.yaml.join('\n')).toContain('id: sla, type: notify');
    await harness.advance(31 * MINUTE);
    const after = (await harness.as('irina').get('/api/automation/robots/sla').expect(200)).body;
    expect(after).toMatchObject({ pending: 0, last_7_days: { done: 2 } });
    await harness.as('irina').get('/api/automation/robots/no_such_robot').expect(404);
  });

  it('a typo is reported at its line with the word it probably meant', async () => {
    const typo = RUNNING.replace('template: day3_sms', 'template: day3_sm');
    const answer = (await harness.as('olga').post('/api/config/validate', { yaml: typo }).expect(200)).body;
    expect(answer.valid).toBe(false);
    expect(answer.errors).toEqual([expect.objectContaining({ line: 18, path: expect.stringContaining('template'), suggestion: 'day3_sms' })]);
    expect((await harness.as('olga').post('/api/config/validate', { yaml: RUNNING }).expect(200)).body).toEqual({ valid: true, errors: [] });
  });

  it('a mistake is worded in the language the board asks for: Russian with Accept-Language: ru, English otherwise', async () => {
    const typo = RUNNING.replace('template: day3_sms', 'template: day3_sm');
    const russian = (await harness.as('olga').post('/api/config/validate', { yaml: typo }).set('Accept-Language', 'ru').expect(200)).body.errors;
    expect(russian).toEqual([
      expect.objectContaining({ line: 18, code: 'unknown_name', params: { kind: 'template', value: 'day3_sm', suggestion: 'day3_sms' }, message: 'нет шаблона «day3_sm» (может быть, «day3_sms»?)' }),
    ]);
    const english = (await harness.as('olga').post('/api/config/validate', { yaml: typo }).expect(200)).body.errors;
    expect(english).toEqual([expect.objectContaining({ line: 18, code: 'unknown_name', message: 'unknown template "day3_sm" (did you mean "day3_sms"?)' })]);
  });

  it('an apply tells the live streams of those who see the map which version now runs, and nobody else', async () => {
    const server = http.createServer(harness.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const streams = await Promise.all(
      ['olga', 'irina', 'sasha'].map(async (login) => {
        const token = await createToken(harness.runtime.store, login, harness.clock.now());
        const controller = new AbortController();
        const response = await fetch(`${base}/api/stream`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
        const reader = response.body!.getReader();
        const said = { text: '' };
        const next = async (until: string) => {
          while (!said.text.includes(until)) said.text += new TextDecoder().decode((await reader.read()).value);
        };
        await next(': connected');
        return { controller, said, next };
      }),
    );
    try {
      const opened = await source();
      const applied = (await harness.as('olga').post('/api/config/apply', { yaml: WITHOUT_SLA, base_hash: opened.hash }).expect(200)).body;
      const [ops, manager, firstLine] = streams;
      for (const stream of [ops!, manager!]) {
        await stream.next('event: config');
        const data = /event: config\ndata: (.*)\n/.exec(stream.said.text)?.[1];
        expect(JSON.parse(data ?? '{}')).toEqual({ version: applied.version.id, hash: applied.hash, author: 'olga' });
      }
      expect(firstLine!.said.text).not.toContain('event: config');
    } finally {
      streams.forEach((stream) => stream.controller.abort());
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('removing a robot is planned as the runs it cancels, then applied: the file is written, the runs cancelled, the version kept', async () => {
    await lead('Анна Смирнова');
    await lead('Борис Кузнецов');
    const opened = await source();
    const review = (await harness.as('olga').post('/api/config/plan', { yaml: WITHOUT_SLA }).expect(200)).body;
    expect(review.summary).toMatchObject({ cancelled_runs: 2, robots_removed: 1 });
    expect(review.diff).toContain('-        - { id: sla');
    const applied = (await harness.as('olga').post('/api/config/apply', { yaml: WITHOUT_SLA, base_hash: opened.hash }).expect(200)).body;
    expect(applied).toMatchObject({ status: 'applied', cancelled_runs: 2, version: { author: 'olga' } });
    expect(fs.readFileSync(configFile, 'utf8')).toBe(WITHOUT_SLA);
    expect(harness.runtime.config.current.robots.has('sla')).toBe(false);
    const runs = (await harness.as('root').get('/api/runs?robot=sla&limit=50').expect(200)).body.runs as Array<{ status: string }>;
    expect(runs.map((run) => run.status)).toEqual(['cancelled', 'cancelled']);
    const history = (await harness.as('olga').get('/api/config/versions').expect(200)).body.versions;
    expect(history.map((version: { author: string }) => version.author)).toEqual(['olga', 'file']);
    expect(JSON.parse(history[0].planSummary)).toMatchObject({ cancelled_runs: 2 });
  });

  it('the second of two editors applying from the same file is refused with a diff, and nothing is overwritten', async () => {
    const opened = await source();
    const first = RUNNING.replace('after: 3d', 'after: 4d');
    const second = RUNNING.replace('after: 30m', 'after: 45m');
    const [a, b] = await Promise.all([harness.as('olga').post('/api/config/apply', { yaml: first, base_hash: opened.hash }), harness.as('root').post('/api/config/apply', { yaml: second, base_hash: opened.hash })]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const refused = a.status === 409 ? a.body : b.body;
    const winner = a.status === 200 ? first : second;
    expect(refused.code).toBe('config.conflict');
    expect(refused.diff).toMatch(/^[-+].*after: /m);
    expect(fs.readFileSync(configFile, 'utf8')).toBe(winner);
  });

  it('a change made on disk is kept by "file", and a rollback puts the earlier file back byte for byte', async () => {
    const original = fs.readFileSync(configFile);
    fs.writeFileSync(configFile, RUNNING.replace('after: 3d', 'after: 5d'));
    expect((await harness.as('olga').post('/api/config/reload').expect(200)).body.status).toBe('reloaded');
    const history = (await harness.as('olga').get('/api/config/versions').expect(200)).body.versions as Array<{ id: number; author: string }>;
    expect(history.map((version) => version.author)).toEqual(['file', 'file']);
    const first = (await harness.as('olga').get(`/api/config/versions/${history[1]!.id}`).expect(200)).body;
    const review = (await harness.as('olga').post('/api/config/plan', { yaml: first.yaml }).expect(200)).body;
    expect(review.plan.changed).toEqual([expect.objectContaining({ robot: 'day3_sms', keys: ['after'] })]);
    await harness.as('olga').post('/api/config/apply', { yaml: first.yaml, base_hash: review.hash, rollback_of: first.id }).expect(200);
    expect(fs.readFileSync(configFile).equals(original)).toBe(true);
    const after = (await harness.as('olga').get('/api/config/versions').expect(200)).body.versions;
    expect(after[0]).toMatchObject({ author: 'olga', rollbackOf: first.id });
  });

  it('with studio.edit off the map and the history stay, and an apply is refused', async () => {
    const opened = await source();
    const off = `${RUNNING}studio: { edit: false }\n`;
    await harness.as('olga').post('/api/config/apply', { yaml: off, base_hash: opened.hash }).expect(200);
    expect((await harness.as('olga').get('/api/automation').expect(200)).body.editable).toBe(false);
    expect((await harness.as('olga').get('/api/config/versions').expect(200)).body.versions).toHaveLength(2);
    const refused = await harness
      .as('olga')
      .post('/api/config/apply', { yaml: RUNNING, base_hash: (await source()).hash })
      .expect(403);
    expect(refused.body.code).toBe('config.edit_off');
    expect(fs.readFileSync(configFile, 'utf8')).toBe(off);
  });
});

describe.each(testDatabaseKinds())('template preview, on %s', (kind) => {
  let harness: Harness;
  let configFile: string;
  const PREVIEW = RUNNING.replace(
    'templates:\n',
    'templates:\n  long_sms: { channel: sms, text: "{{lead.name}}, {{deal.title}} мы подготовили для вас расчёт стоимости ремонта квартиры. Ответьте ДА, и менеджер перезвонит сегодня." }\n  welcome_email: { channel: email, subject: "{{lead.name}}, спасибо", text: "Здравствуйте, {{lead.name}}!", html: "<p>Здравствуйте, {{lead.name}}!</p>" }\n',
  );

  beforeEach(async () => {
    configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'robots-preview-')), 'robots.yaml');
    fs.writeFileSync(configFile, PREVIEW);
    harness = await startHarness(kind, { configFile });
  });
  afterEach(async () => {
    await harness.close();
    fs.rmSync(path.dirname(configFile), { recursive: true, force: true });
  });

  it('renders each channel with a real item: an SMS’s segments, an email’s subject and HTML, and the paths the item lacks', async () => {
    const id = (await harness.as('root').post('/api/leads', { name: 'Анна Смирнова', phone: '+7 916 123 45 67' }).expect(201)).body.id as number;
    const sms = (await harness.as('olga').get(`/api/templates/long_sms/preview?item=lead:${id}`).expect(200)).body;
    expect(sms).toMatchObject({ channel: 'sms', sms: { encoding: 'UCS-2', segments: 2 }, unknown_paths: ['deal.title'] });
    expect(sms.text.startsWith('Анна Смирнова, ')).toBe(true);
    const email = (await harness.as('olga').get(`/api/templates/welcome_email/preview?item=lead:${id}`).expect(200)).body;
    expect(email).toMatchObject({ channel: 'email', subject: 'Анна Смирнова, спасибо', html: '<p>Здравствуйте, Анна Смирнова!</p>', sms: null, unknown_paths: [] });
    await harness.as('olga').get('/api/templates/welcome_email/preview?item=lead:999999').expect(404);
    await harness.as('olga').get(`/api/templates/nope/preview?item=lead:${id}`).expect(404);
    await harness.as('irina').get(`/api/templates/long_sms/preview?item=lead:${id}`).expect(403);
  });
});

describe('the editor and `robots validate`', () => {
  it('give the same errors, at the same places, for the same file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-studio-same-'));
    const configFile = path.join(dir, 'robots.yaml');
    fs.writeFileSync(configFile, RUNNING);
    const harness = await startHarness('sqlite', { configFile });
    try {
      const mistakes = path.join(dir, 'mistakes');
      fs.mkdirSync(mistakes);
      fs.writeFileSync(path.join(mistakes, 'robots.yaml'), TEN_MISTAKES);
      const cli = await promisify(execFile)('node', [path.join(__dirname, '..', '..', 'bin', 'robots.js'), 'validate', 'robots.yaml'], { cwd: mistakes, timeout: 60000 }).then(
        () => '',
        (error: { stderr: string }) => error.stderr,
      );
      const printed = cli.split('\n').filter((line) => line.startsWith('robots.yaml:'));

      const answer = (await harness.as('olga').post('/api/config/validate', { yaml: TEN_MISTAKES }).expect(200)).body as { errors: Array<{ line: number; col: number; path: string; message: string }> };
      const shown = answer.errors.map((error) => `robots.yaml:${error.line}:${error.col} ${error.path}: ${error.message}`);

      expect(printed).toHaveLength(10);
      expect(shown).toEqual(printed);

      // A big draft is checked on a worker thread: the same ten, at the same places.
      const padded = `${TEN_MISTAKES}\n${'# заметки отдела продаж: кому звонить в первую очередь\n'.repeat(1500)}`;
      expect(Buffer.byteLength(padded)).toBeGreaterThan(64 * 1024);
      const big = (await harness.as('olga').post('/api/config/validate', { yaml: padded }).expect(200)).body as typeof answer;
      expect(big.errors.map((error) => `robots.yaml:${error.line}:${error.col} ${error.path}: ${error.message}`)).toEqual(printed);
    } finally {
      await harness.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
