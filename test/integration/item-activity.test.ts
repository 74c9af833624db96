import { testDatabaseKinds } from '../support/databases';
import { HOUR, startHarness, type Harness } from '../support/harness';

/**
 * The card of a lead: comments, calls logged by hand, tasks given by people, and a timeline whose
 * every entry says what it is (`type`) and, for robot runs, why (`code`), for a Russian web app.
 */
export const ACTIVITY_CONFIG = `
timezone: Europe/Moscow
locale: ru
users:
  - { login: root, name: Корнеев Admin, role: admin }
  - { login: olya, name: Ольга Опс, role: ops }
  - { login: gena, name: Геннадий Орлов, role: sales, team: general }
  - { login: galya, name: Галина Смирнова, role: sales, team: general }
  - { login: gm, name: Михаил Главный, role: manager, team: general }
  - { login: anna, name: Анна Первая, role: first_line, team: first_line }
teams:
  first_line: { members: [anna], manager: gm }
  general: { members: [gena, galya], manager: gm }
leads:
  team: first_line
  stages:
    - id: new
      name: Новый / New
      robots:
        - { id: repeat_check, type: notify_repeat_client }
        - { id: vip_alert, type: notify, to: [manager], text: "VIP {{item.name}}", condition: { "==": [{ var: item.source }, "vip"] } }
        - { id: late_touch, type: notify, to: [responsible], text: "Через час: {{item.name}}", after: 1h }
    - id: qualified
      name: Квалифицирован / Qualified
      required: [email]
      triggers:
        - { id: answered_call, type: call, outcomes: [answered] }
    - id: lost
      name: Проигран / Lost
      semantic: lost
      reasons:
        - { id: expensive, label: Дорого / Too expensive, refused_by: client_refused }
`;

interface Entry {
  type: string;
  kind: string;
  text: string;
  at_text: string;
  code?: string;
  params?: Record<string, unknown>;
  robot?: string;
  [key: string]: unknown;
}

describe.each(testDatabaseKinds())('the card of a lead, on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configText: ACTIVITY_CONFIG });
  });
  afterEach(async () => {
    await harness.close();
  });

  const lead = async (login: string, body: object) => (await harness.as(login).post('/api/leads', body).expect(201)).body.id as number;
  const timeline = async (id: number, login = 'root'): Promise<Entry[]> => (await harness.as(login).get(`/api/leads/${id}/timeline`).expect(200)).body.timeline;

  it('a comment is answered 201 with its author and shown in the timeline, in Russian, as type comment', async () => {
    const id = await lead('gena', { name: 'Иван Петров', phone: '8 916 123-45-67' });
    const answer = await harness.as('gena').post(`/api/leads/${id}/comments`, { text: '  Просил перезвонить после обеда  ' }).expect(201);
    expect(answer.body).toEqual({ id: expect.any(Number), author: 'gena', text: 'Просил перезвонить после обеда', at: '2026-03-02T06:00:00.000Z' });
    const comment = (await timeline(id)).find((entry) => entry.type === 'comment');
    expect(comment).toMatchObject({ kind: 'comment', author: 'gena', comment: 'Просил перезвонить после обеда', comment_id: answer.body.id });
    expect(comment?.text).toBe('Геннадий Орлов оставил комментарий: «Просил перезвонить после обеда»');
  });

  it('comments need words, and a colleague who may not change the lead may not comment on it', async () => {
    const id = await lead('gena', { name: 'Иван Петров' });
    const empty = await harness.as('gena').post(`/api/leads/${id}/comments`, { text: '   ' }).expect(400);
    expect(empty.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(empty.body.errors).toEqual([{ path: 'text', message: 'a comment needs words' }]);
    await harness.as('galya').post(`/api/leads/${id}/comments`, { text: 'чужой' }).expect(403);
    await harness.as('olya').post(`/api/leads/${id}/comments`, { text: 'ops читает только' }).expect(403);
    await harness.as('gm').post(`/api/leads/${id}/comments`, { text: 'Менеджер команды может' }).expect(201);
  });

  it('a logged answered call is a call event the `call` trigger reacts to: the lead moves, refused only for a missing field', async () => {
    const id = await lead('gena', { name: 'Ольга Сидорова', phone: '+7 (916) 765-43-21' });
    // qualified needs an email: the trigger tries and is refused, the call is still logged.
    const first = await harness.as('gena').post(`/api/leads/${id}/calls`, { direction: 'outbound', outcome: 'answered', duration_seconds: 185, note: 'Интересуется тарифом «Бизнес»' }).expect(201);
    expect(first.body).toEqual({ id: expect.any(Number), author: 'gena', direction: 'outbound', outcome: 'answered', duration_seconds: 185, note: 'Интересуется тарифом «Бизнес»', at: expect.any(String) });
    expect((await harness.as('gena').get(`/api/leads/${id}`).expect(200)).body.stage).toBe('new');
    await harness.as('gena').patch(`/api/leads/${id}`, { email: 'olga@sidorova.ru' }).expect(200);
    await harness.as('gena').post(`/api/leads/${id}/calls`, { direction: 'inbound', outcome: 'no_answer' }).expect(201);
    expect((await harness.as('gena').get(`/api/leads/${id}`).expect(200)).body.stage).toBe('new');
    await harness.as('gena').post(`/api/leads/${id}/calls`, { direction: 'inbound', outcome: 'answered', duration_seconds: 60 }).expect(201);
    expect((await harness.as('gena').get(`/api/leads/${id}`).expect(200)).body.stage).toBe('qualified');

    const calls = (await timeline(id)).filter((entry) => entry.type === 'call');
    expect(calls.map((entry) => [entry.source, entry.direction, entry.outcome, entry.duration_seconds])).toEqual([
      ['logged', 'outbound', 'answered', 185],
      ['logged', 'inbound', 'no_answer', null],
      ['logged', 'inbound', 'answered', 60],
    ]);
    expect(calls[0]!.text).toBe('Геннадий Орлов записал звонок клиенту: разговор состоялся, 3 мин');
    expect(calls[1]!.text).toBe('Геннадий Орлов записал входящий звонок: не ответили');
    const move = (await timeline(id)).filter((entry) => entry.type === 'stage_change').pop();
    expect(move).toMatchObject({ from: 'new', to: 'qualified', by: 'trigger:answered_call', by_kind: 'trigger' });
  });

  it.each([
    [{ direction: 'sideways', outcome: 'answered' }, 'direction'],
    [{ direction: 'inbound', outcome: 'hung_up' }, 'outcome'],
    [{ direction: 'inbound', outcome: 'busy', duration_seconds: 1.5 }, 'duration_seconds'],
    [{ direction: 'inbound', outcome: 'busy', mood: 'good' }, 'mood'],
  ])('a call body %j is refused naming %s', async (body, path) => {
    const id = await lead('gena', { name: 'Иван' });
    const answer = await harness.as('gena').post(`/api/leads/${id}/calls`, body).expect(400);
    expect(answer.body.errors.map((error: { path: string }) => error.path)).toContain(path);
  });

  it('robot runs carry a stable code and params, the English detail stays for ops', async () => {
    await lead('gena', { name: 'Старый клиент', phone: '8 916 000-11-22' });
    const repeat = await lead('gena', { name: 'Старый клиент снова', phone: '+7 916 000 11 22', source: 'vip' });
    const fresh = await lead('gena', { name: 'Новый клиент', phone: '8 (903) 111-22-33' });
    await harness.runDue();
    // The late touch is cancelled by leaving the stage.
    await harness.as('gena').post(`/api/leads/${fresh}/move`, { stage: 'lost', reason: 'expensive', comment: 'Ушёл к конкурентам' }).expect(200);
    await harness.advance(2 * HOUR);

    const runs = async (id: number) => Object.fromEntries((await timeline(id)).filter((entry) => entry.type === 'robot_run').map((entry) => [entry.robot, entry]));
    const ofFresh = await runs(fresh);
    expect(ofFresh.repeat_check).toMatchObject({ code: 'skipped.not_repeat_client', status: 'skipped', detail: 'not a repeat client: phone and email are new', robot_type: 'notify_repeat_client' });
    expect(ofFresh.vip_alert).toMatchObject({ code: 'skipped.condition_false', params: {} });
    expect(ofFresh.late_touch).toMatchObject({ code: 'cancelled.left_stage', params: { stage: 'new', to: 'lost' } });
    const ofRepeat = await runs(repeat);
    expect(ofRepeat.repeat_check).toMatchObject({ code: 'done.repeat_client', params: expect.objectContaining({ notified: ['gena'] }) });
    expect(ofRepeat.vip_alert).toMatchObject({ code: 'done.sent', params: expect.objectContaining({ audience: 'user', recipients: ['gm'] }) });
    expect(ofRepeat.late_touch).toMatchObject({ code: 'done.sent', params: expect.objectContaining({ recipients: ['gena'] }) });

    const lost = (await timeline(fresh)).find((entry) => entry.type === 'stage_change' && entry.to === 'lost');
    expect(lost).toMatchObject({ from: 'new', by: 'gena', by_kind: 'person', comment: 'Ушёл к конкурентам', lost_reason: 'expensive', refused_by: 'client_refused' });
    // Every entry has a machine type and keeps its sentence and time for people.
    for (const entry of await timeline(repeat)) {
      expect(entry.type).toEqual(expect.any(String));
      expect(entry.text).toEqual(expect.any(String));
      expect(entry.at_text).toEqual(expect.any(String));
    }
    const messages = (await timeline(repeat)).filter((entry) => entry.type === 'message');
    expect(messages.map((entry) => [entry.channel, entry.direction, entry.delivery_status])).toContainEqual(['outbox', 'out', 'recorded']);
  });

  it('tasks given by hand: created for oneself or a colleague, listed on the card, rescheduled, reassigned, completed and reopened — each a typed timeline entry', async () => {
    const id = await lead('gena', { name: 'Мария Кузнецова', phone: '8 916 222-33-44' });
    const mine = await harness.as('gena').post('/api/tasks', { kind: 'lead', id, title: 'Отправить КП', due_at: '2026-03-02T15:00:00+03:00' }).expect(201);
    expect(mine.body).toMatchObject({ title: 'Отправить КП', assignee: 'gena', created_by: 'gena', status: 'open', due_at: '2026-03-02T12:00:00.000Z', item: `lead:${id}` });
    const theirs = await harness.as('gena').post('/api/tasks', { kind: 'lead', id, title: 'Проверить договор', due_at: '2026-03-03T10:00:00+03:00', assignee: 'galya' }).expect(201);
    expect(theirs.body.assignee).toBe('galya');

    const listed = (await harness.as('gena').get(`/api/leads/${id}/tasks`).expect(200)).body;
    expect(listed.tasks.map((task: { title: string }) => task.title)).toEqual(['Отправить КП', 'Проверить договор']);
    await harness.as('galya').get(`/api/leads/${id}/tasks`).expect(403);

    await harness.as('gena').patch(`/api/tasks/${mine.body.id}`, { due_at: '2026-03-02T17:00:00+03:00', title: 'Отправить КП и счёт' }).expect(200);
    await harness.as('gena').patch(`/api/tasks/${mine.body.id}`, { assignee: 'galya' }).expect(200);
    const done = await harness.as('galya').patch(`/api/tasks/${mine.body.id}`, { done: true }).expect(200);
    expect(done.body).toMatchObject({ status: 'done', completed_by: 'galya' });
    const reopened = await harness.as('gena').patch(`/api/tasks/${mine.body.id}`, { done: false }).expect(200);
    expect(reopened.body).toMatchObject({ status: 'open', completed_by: null });

    const types = (await timeline(id)).filter((entry) => entry.kind === 'task').map((entry) => [entry.type, entry.by]);
    expect(types).toEqual([
      ['task_created', 'gena'],
      ['task_created', 'gena'],
      ['task_renamed', 'gena'],
      ['task_rescheduled', 'gena'],
      ['task_reassigned', 'gena'],
      ['task_done', 'galya'],
      ['task_reopened', 'gena'],
    ]);
    const renamed = (await timeline(id)).find((entry) => entry.type === 'task_renamed');
    expect(renamed?.text).toBe('Геннадий Орлов переименовал задачу «Отправить КП» в «Отправить КП и счёт»');
  });

  it('a new task names the item, an assignee who exists and a time with its offset; another sales user may not add one', async () => {
    const id = await lead('gena', { name: 'Иван' });
    const bad = await harness.as('gena').post('/api/tasks', { kind: 'lead', id, title: 'x', due_at: '2026-03-02 15:00', assignee: 'gena' }).expect(400);
    expect(bad.body.errors[0].path).toBe('due_at');
    const unknown = await harness.as('gena').post('/api/tasks', { kind: 'lead', id, title: 'x', due_at: '2026-03-02T15:00:00+03:00', assignee: 'genna' }).expect(400);
    expect(unknown.body.errors[0]).toMatchObject({ path: 'assignee', message: expect.stringContaining('gena') });
    await harness.as('galya').post('/api/tasks', { kind: 'lead', id, title: 'x', due_at: '2026-03-02T15:00:00+03:00' }).expect(404);
    await harness.as('gena').post('/api/tasks', { kind: 'lead', id: 999999, title: 'x', due_at: '2026-03-02T15:00:00+03:00' }).expect(404);
  });
});
