import { testDatabaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

/** Select many on the board → move, assign or give a task: each item done or refused on its own. */
const CONFIG = `
timezone: Europe/Moscow
locale: ru
users:
  - { login: root, name: Корнеев Admin, role: admin }
  - { login: olya, name: Ольга Опс, role: ops }
  - { login: gena, name: Геннадий Орлов, role: sales, team: general }
  - { login: galya, name: Галина Смирнова, role: sales, team: general }
  - { login: gm, name: Михаил Главный, role: manager, team: general }
teams:
  general: { members: [gena, galya], manager: gm }
leads:
  team: general
  stages:
    - id: new
    - id: qualified
      required: [email]
      robots:
        - { id: welcome_task, type: create_task, title: "Созвониться с {{item.name}}", due_in: 1h }
    - id: lost
      semantic: lost
      reasons:
        - { id: expensive, label: Дорого, refused_by: client_refused }
`;

describe.each(testDatabaseKinds())('bulk actions, on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterEach(async () => {
    await harness.close();
  });

  const lead = async (login: string, body: object) => (await harness.as(login).post('/api/leads', body).expect(201)).body.id as number;
  const stageOf = async (id: number) => (await harness.as('root').get(`/api/leads/${id}`).expect(200)).body.stage as string;

  it('moving 5 leads where one has no email: 4 moved with their robots, 1 refused naming the field, and nothing of it written', async () => {
    const people = [
      { name: 'Иван Петров', phone: '8 916 123-45-67', email: 'ivan@petrov.ru' },
      { name: 'Ольга Сидорова', phone: '+7 (916) 765-43-21', email: 'olga@sidorova.ru' },
      { name: 'Пётр Иванов', phone: '8 903 111-22-33' },
      { name: 'Мария Кузнецова', phone: '+7 903 222 33 44', email: 'maria@kuznetsova.ru' },
      { name: 'Анна Смирнова', phone: '89035556677', email: 'anna@smirnova.ru' },
    ];
    const ids: number[] = [];
    for (const person of people) ids.push(await lead('gena', person));
    const without = ids[2]!;
    const answer = await harness.as('gena').post('/api/leads/bulk', { ids, action: 'move', stage: 'qualified', comment: 'Квалифицированы на планёрке' }).expect(200);
    expect(answer.body.results).toEqual(ids.map((id) => (id === without ? { id, ok: false, code: 'required_fields', message: 'stage "qualified" requires email', missing_fields: ['email'] } : { id, ok: true })));
    await harness.runDue();
    for (const id of ids) expect(await stageOf(id)).toBe(id === without ? 'new' : 'qualified');
    // The refused lead has no history row, no runs and no task of the stage it did not enter.
    const refused = (await harness.as('root').get(`/api/leads/${without}/timeline`).expect(200)).body.timeline;
    expect(refused.filter((entry: { type: string }) => entry.type === 'stage_change')).toHaveLength(1);
    expect(refused.filter((entry: { type: string }) => entry.type === 'robot_run' || entry.type === 'task_created')).toEqual([]);
    const moved = (await harness.as('root').get(`/api/leads/${ids[0]}/timeline`).expect(200)).body.timeline;
    expect(moved.find((entry: { type: string }) => entry.type === 'stage_change' && (entry as { to?: string }).to === 'qualified')).toMatchObject({ by: 'gena', comment: 'Квалифицированы на планёрке' });
    expect((await harness.as('gena').get('/api/tasks?assignee=me').expect(200)).body.total).toBe(4);
  });

  it('a lost move needs its reason for each item; leads a sales user may not see are not found, ops may not change any', async () => {
    const mine = await lead('gena', { name: 'Иван Петров' });
    const hers = await lead('galya', { name: 'Галина клиент' });
    const noReason = await harness
      .as('gena')
      .post('/api/leads/bulk', { ids: [mine], action: 'move', stage: 'lost' })
      .expect(200);
    expect(noReason.body.results).toEqual([{ id: mine, ok: false, code: 'reason_required', message: 'stage "lost" needs a reason', allowed_reasons: ['expensive'] }]);
    const answer = await harness
      .as('gena')
      .post('/api/leads/bulk', { ids: [mine, hers, 999999], action: 'move', stage: 'lost', reason: 'expensive' })
      .expect(200);
    expect(answer.body.results).toEqual([
      { id: mine, ok: true },
      { id: hers, ok: false, code: 'not_found', message: `lead ${hers} not found` },
      { id: 999999, ok: false, code: 'not_found', message: 'lead 999999 not found' },
    ]);
    expect(await stageOf(hers)).toBe('new');
    const ops = await harness
      .as('olya')
      .post('/api/leads/bulk', { ids: [hers], action: 'move', stage: 'qualified' })
      .expect(200);
    expect(ops.body.results).toEqual([{ id: hers, ok: false, code: 'forbidden', message: 'your role may not change this lead' }]);
  });

  it('assigning many: each gets the new responsible (a responsible_changed event); an unknown login refuses the whole request', async () => {
    const ids = [await lead('gm', { name: 'Клиент 1', responsible: 'gena' }), await lead('gm', { name: 'Клиент 2', responsible: 'gena' })];
    const answer = await harness.as('gm').post('/api/leads/bulk', { ids, action: 'assign', responsible: 'galya' }).expect(200);
    expect(answer.body.results).toEqual(ids.map((id) => ({ id, ok: true })));
    for (const id of ids) {
      expect((await harness.as('root').get(`/api/leads/${id}`).expect(200)).body.responsible).toBe('galya');
      const events = (await harness.as('root').get(`/api/events?item=lead:${id}&type=responsible_changed`).expect(200)).body.events;
      expect(events).toHaveLength(1);
    }
    const unknown = await harness.as('gm').post('/api/leads/bulk', { ids, action: 'assign', responsible: 'galja' }).expect(400);
    expect(unknown.body.errors[0]).toMatchObject({ path: 'responsible', message: expect.stringContaining('galya') });
  });

  it('a task on many: one each, for the caller unless an assignee is named, who is told once per task', async () => {
    const ids = [await lead('gena', { name: 'Клиент А' }), await lead('gena', { name: 'Клиент Б' }), await lead('gena', { name: 'Клиент В' })];
    const answer = await harness.as('gena').post('/api/leads/bulk', { ids, action: 'task', title: 'Напомнить об оплате', due_at: '2026-03-03T10:00:00+03:00', assignee: 'galya' }).expect(200);
    expect(answer.body.results).toEqual(ids.map((id) => ({ id, ok: true })));
    const tasks = (await harness.as('galya').get('/api/tasks?assignee=me').expect(200)).body.tasks;
    expect(tasks.map((task: { item: string; title: string }) => [task.item, task.title]).sort()).toEqual(ids.map((id) => [`lead:${id}`, 'Напомнить об оплате']).sort());
    expect((await harness.as('galya').get('/api/notifications').expect(200)).body.unread).toBe(3);
  });

  it.each([
    ['no ids', { ids: [], action: 'move', stage: 'new' }, 'ids'],
    ['501 ids', { ids: Array.from({ length: 501 }, (_, index) => index + 1), action: 'move', stage: 'new' }, 'ids'],
    ['an id twice', { ids: [1, 1], action: 'move', stage: 'new' }, 'ids'],
    ['an unknown action', { ids: [1], action: 'delete' }, 'action'],
    ['a due time in words', { ids: [1], action: 'task', title: 'x', due_at: 'завтра' }, 'due_at'],
  ])('%s is a 400 naming %s', async (_case, body, path) => {
    const answer = await harness.as('root').post('/api/leads/bulk', body).expect(400);
    expect(answer.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(answer.body.errors.map((error: { path: string }) => error.path)).toContain(path);
  });
});
