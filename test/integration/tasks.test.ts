import { testDatabaseKinds } from '../support/databases';
import { HOUR, MINUTE, startHarness, type Harness } from '../support/harness';

/** Tasks robots make (create_task), listed and completed by people: GET/PATCH /api/tasks. */
export const TASKS_CONFIG = `
timezone: Europe/Moscow
users:
  - { login: root, name: Root, role: admin }
  - { login: olya, name: Olya Ops, role: ops }
  - { login: anna, name: Anna SDR, role: first_line, team: first_line }
  - { login: gena, name: Gena General, role: sales, team: general }
  - { login: galya, name: Galya General, role: sales, team: general }
  - { login: gm, name: General Manager, role: manager, team: general }
  - { login: semen, name: Semen Services, role: sales, team: services }
  - { login: sm, name: Services Manager, role: manager, team: services }
teams:
  first_line: { members: [anna], manager: gm }
  general: { members: [gena, galya], manager: gm }
  services: { members: [semen], manager: sm }
leads:
  team: first_line
  stages:
    - id: new
      robots:
        - { id: call_task, type: create_task, title: "Call {{item.name}}", due_in: 2h }
    - id: in_work
      robots:
        - { id: follow_up, type: create_task, title: "Follow up {{item.name}}" }
    - id: won
      semantic: won
`;

describe.each(testDatabaseKinds())('tasks people see and complete, on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configText: TASKS_CONFIG });
  });
  afterEach(async () => {
    await harness.close();
  });

  /** A lead of `login` (a sales user: they become responsible), and the call task its robot made. */
  async function leadWithTask(login: string, name: string): Promise<{ leadId: number; taskId: number }> {
    const leadId = (await harness.as(login).post('/api/leads', { name }).expect(201)).body.id as number;
    await harness.runDue();
    const tasks = (await harness.as('root').get(`/api/tasks?item=lead:${leadId}`).expect(200)).body.tasks;
    expect(tasks).toHaveLength(1);
    return { leadId, taskId: tasks[0].id };
  }

  async function overdueEvents(leadId: number) {
    return (await harness.as('root').get(`/api/events?item=lead:${leadId}&type=task_overdue`).expect(200)).body.events;
  }

  async function timelineSummaries(leadId: number): Promise<string[]> {
    const answer = await harness.as('root').get(`/api/leads/${leadId}/timeline`).expect(200);
    return answer.body.timeline.map((entry: { summary: string }) => entry.summary);
  }

  describe('listing', () => {
    it("the assignee sees the robot's task with assignee=me; another sales user does not; their team's manager, first line and ops do", async () => {
      const { leadId, taskId } = await leadWithTask('gena', 'Ivan Petrov');
      const mine = (await harness.as('gena').get('/api/tasks?assignee=me').expect(200)).body;
      expect(mine).toMatchObject({ total: 1, limit: 50, offset: 0 });
      expect(mine.tasks).toEqual([
        expect.objectContaining({
          id: taskId,
          item: `lead:${leadId}`,
          item_name: 'Ivan Petrov',
          title: 'Call Ivan Petrov',
          assignee: 'gena',
          status: 'open',
          overdue: false,
          due_at: '2026-03-02T08:00:00.000Z', // 09:00 Moscow + 2h
          completed_at: null,
          completed_by: null,
        }),
      ]);
      expect((await harness.as('galya').get('/api/tasks').expect(200)).body).toMatchObject({ tasks: [], total: 0 });
      expect((await harness.as('galya').get('/api/tasks?assignee=gena').expect(200)).body.tasks).toEqual([]);
      expect((await harness.as('sm').get('/api/tasks').expect(200)).body.tasks).toEqual([]);
      expect((await harness.as('gm').get('/api/tasks?assignee=gena&status=open').expect(200)).body.tasks.map((task: { id: number }) => task.id)).toEqual([taskId]);
      expect((await harness.as('anna').get('/api/tasks').expect(200)).body.total).toBe(1);
      expect((await harness.as('olya').get('/api/tasks').expect(200)).body.total).toBe(1);
      // ?item= of a lead galya may not see answers as an empty list, not who has which lead.
      expect((await harness.as('galya').get(`/api/tasks?item=lead:${leadId}`).expect(200)).body.tasks).toEqual([]);
    });

    it('overdue first, then by due time; status=overdue lists open tasks past due only; limit and offset page', async () => {
      const first = await leadWithTask('gena', 'First');
      // A task without a due time (in_work's follow-up), made before the others: still listed last.
      await harness.as('gena').post(`/api/leads/${first.leadId}/move`, { stage: 'in_work' }).expect(200);
      await harness.runDue();
      harness.clock.advance(HOUR);
      const second = await leadWithTask('gena', 'Second');
      harness.clock.advance(90 * MINUTE); // the first is due 11:00, now 11:30; the second at 12:00
      const open = (await harness.as('gena').get('/api/tasks?assignee=me&status=open').expect(200)).body.tasks;
      expect(open.map((task: { title: string; overdue: boolean }) => [task.title, task.overdue])).toEqual([
        ['Call First', true],
        ['Call Second', false],
        ['Follow up First', false],
      ]);
      const overdue = (await harness.as('gena').get('/api/tasks?status=overdue').expect(200)).body.tasks;
      expect(overdue.map((task: { id: number }) => task.id)).toEqual([first.taskId]);
      const page = (await harness.as('gena').get('/api/tasks?limit=1&offset=1').expect(200)).body;
      expect(page).toMatchObject({ total: 3, limit: 1, offset: 1 });
      expect(page.tasks.map((task: { id: number }) => task.id)).toEqual([second.taskId]);
    });
  });

  describe('completing', () => {
    it('a task done before it is due never raises task_overdue; one left open does, once', async () => {
      const done = await leadWithTask('gena', 'Ivan Petrov');
      const left = await leadWithTask('gena', 'Olga Open');
      harness.clock.advance(30 * MINUTE);
      const answer = await harness.as('gena').patch(`/api/tasks/${done.taskId}`, { status: 'done' }).expect(200);
      expect(answer.body).toMatchObject({ id: done.taskId, status: 'done', completed_by: 'gena', completed_at: '2026-03-02T06:30:00.000Z', overdue: false });
      await harness.advance(3 * HOUR);
      expect(await overdueEvents(done.leadId)).toEqual([]);
      expect(await overdueEvents(left.leadId)).toHaveLength(1);
      await harness.advance(HOUR);
      expect(await overdueEvents(left.leadId)).toHaveLength(1);
      const open = (await harness.as('gena').get('/api/tasks?assignee=me&status=open').expect(200)).body.tasks;
      expect(open.map((task: { id: number }) => task.id)).toEqual([left.taskId]);
      const finished = (await harness.as('gena').get('/api/tasks?status=done').expect(200)).body.tasks;
      expect(finished.map((task: { id: number }) => task.id)).toEqual([done.taskId]);
      expect(await timelineSummaries(done.leadId)).toContain('Task “Call Ivan Petrov” done by gena');
    });

    it('reopening a task past its due time makes it overdue: task_overdue fires then', async () => {
      const { leadId, taskId } = await leadWithTask('gena', 'Ivan Petrov');
      await harness.as('gena').patch(`/api/tasks/${taskId}`, { status: 'done' }).expect(200);
      await harness.advance(3 * HOUR);
      expect(await overdueEvents(leadId)).toEqual([]);
      const reopened = await harness.as('gena').patch(`/api/tasks/${taskId}`, { status: 'open' }).expect(200);
      expect(reopened.body).toMatchObject({ status: 'open', overdue: true, completed_at: null, completed_by: null });
      await harness.advance(MINUTE);
      expect(await overdueEvents(leadId)).toHaveLength(1);
      expect(await timelineSummaries(leadId)).toEqual(expect.arrayContaining(['Task “Call Ivan Petrov” done by gena', 'Task “Call Ivan Petrov” reopened by gena']));
    });

    it('a second "done" changes nothing and tells the timeline nothing new', async () => {
      const { leadId, taskId } = await leadWithTask('gena', 'Ivan Petrov');
      await harness.as('gena').patch(`/api/tasks/${taskId}`, { status: 'done' }).expect(200);
      harness.clock.advance(MINUTE);
      const again = await harness.as('gm').patch(`/api/tasks/${taskId}`, { status: 'done' }).expect(200);
      expect(again.body).toMatchObject({ completed_by: 'gena', completed_at: '2026-03-02T06:00:00.000Z' });
      expect((await timelineSummaries(leadId)).filter((summary) => summary.includes('done by'))).toEqual(['Task “Call Ivan Petrov” done by gena']);
    });
  });

  describe('reassigning and re-dating', () => {
    it('a manager hands the task to a colleague with a later due time; she sees it on a lead she may not see, and completes it', async () => {
      const { leadId, taskId } = await leadWithTask('gena', 'Ivan Petrov');
      const changed = await harness.as('gm').patch(`/api/tasks/${taskId}`, { assignee: 'galya', due_at: '2026-03-02T18:00:00+03:00' }).expect(200);
      expect(changed.body).toMatchObject({ assignee: 'galya', due_at: '2026-03-02T15:00:00.000Z' });
      await harness.advance(3 * HOUR); // past the old due time only
      expect(await overdueEvents(leadId)).toEqual([]);
      expect((await harness.as('galya').get('/api/tasks?assignee=me').expect(200)).body.tasks.map((task: { id: number }) => task.id)).toEqual([taskId]);
      await harness.as('galya').get(`/api/leads/${leadId}`).expect(403);
      await harness.as('galya').patch(`/api/tasks/${taskId}`, { status: 'done' }).expect(200);
      expect(await timelineSummaries(leadId)).toEqual(
        expect.arrayContaining(['Task “Call Ivan Petrov” reassigned from gena to galya by gm', 'Task “Call Ivan Petrov” now due 02.03 18:00 (was 02.03 11:00), changed by gm', 'Task “Call Ivan Petrov” done by galya']),
      );
    });

    it('moving the due time of an overdue task raises task_overdue again at the new time', async () => {
      const { leadId, taskId } = await leadWithTask('gena', 'Ivan Petrov');
      await harness.advance(3 * HOUR);
      expect(await overdueEvents(leadId)).toHaveLength(1);
      await harness.as('gena').patch(`/api/tasks/${taskId}`, { due_at: '2026-03-02T13:30:00+03:00' }).expect(200);
      expect((await harness.as('gena').get('/api/tasks?status=overdue').expect(200)).body.tasks).toEqual([]);
      await harness.advance(2 * HOUR);
      expect(await overdueEvents(leadId)).toHaveLength(2);
    });

    it('an unknown assignee is a 400 naming it, and nothing changes', async () => {
      const { leadId, taskId } = await leadWithTask('gena', 'Ivan Petrov');
      const refused = await harness.as('gm').patch(`/api/tasks/${taskId}`, { assignee: 'galyaa', status: 'done' }).expect(400);
      expect(refused.body.errors).toEqual([{ path: 'assignee', message: expect.stringContaining('unknown user "galyaa" (did you mean "galya"?)') }]);
      const unchanged = (await harness.as('gena').get(`/api/tasks?item=lead:${leadId}`).expect(200)).body.tasks[0];
      expect(unchanged).toMatchObject({ assignee: 'gena', status: 'open' });
      await harness.as('gena').get('/api/tasks?assignee=nobody_here').expect(400);
    });
  });

  describe('who may change a task', () => {
    it('someone who may not see the item gets 404, ops who may only look get 403, and nothing changes', async () => {
      const { leadId, taskId } = await leadWithTask('gena', 'Ivan Petrov');
      const hidden = await harness.as('galya').patch(`/api/tasks/${taskId}`, { status: 'done' }).expect(404);
      expect(hidden.headers['content-type']).toMatch(/application\/problem\+json/);
      await harness.as('sm').patch(`/api/tasks/${taskId}`, { status: 'done' }).expect(404);
      await harness.as('semen').patch(`/api/tasks/${taskId}`, { assignee: 'semen' }).expect(404);
      await harness.as('olya').patch(`/api/tasks/${taskId}`, { status: 'done' }).expect(403);
      await harness.as('gena').patch('/api/tasks/999999', { status: 'done' }).expect(404);
      const task = (await harness.as('gena').get(`/api/tasks?item=lead:${leadId}`).expect(200)).body.tasks[0];
      expect(task).toMatchObject({ status: 'open', assignee: 'gena', completed_by: null });
      expect((await timelineSummaries(leadId)).filter((summary) => summary.startsWith('Task “'))).toEqual([]);
      // Without a token at all: 401.
      await harness.as('stranger').get('/api/tasks').expect(401);
    });
  });

  describe('bad input', () => {
    it('a body or query that fails its schema is a 400 listing every failing field', async () => {
      const { taskId } = await leadWithTask('gena', 'Ivan Petrov');
      const body = await harness.as('gena').patch(`/api/tasks/${taskId}`, { status: 'finished', due_at: 'tomorrow', colour: 'red' }).expect(400);
      expect(body.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['colour', 'due_at', 'status']);
      expect(body.body.errors.find((error: { path: string }) => error.path === 'due_at').message).toMatch(/ISO time with its offset/);
      const empty = await harness.as('gena').patch(`/api/tasks/${taskId}`, {}).expect(400);
      expect(empty.body.errors).toEqual([{ path: '(body)', message: 'give done, title, assignee or due_at' }]);
      const query = await harness.as('gena').get('/api/tasks?status=late&colour=red&limit=0&item=lead:x').expect(400);
      expect(query.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['colour', 'item', 'limit', 'status']);
      await harness.as('gena').patch('/api/tasks/0', { status: 'done' }).expect(400);
      await harness.as('gena').patch(`/api/tasks/${taskId}?force=1`, { status: 'done' }).expect(400);
      expect((await harness.as('gena').get('/api/tasks?status=done').expect(200)).body.tasks).toEqual([]);
    });
  });
});
