import { createTask, remind } from '../../../robots/create-task';
import { loadFixture, leadFunnel } from '../../support/configs';
import { FakePorts } from '../../support/fake-ports';
import { runContext } from '../../support/robot-run';
import { FIXTURE_NOW } from '../../support/rows';
import { nth } from '../../support/lists';

const HOUR = 3_600_000;

const config = leadFunnel({
  robots: {
    leads: {
      in_work: [
        { id: 'ops_check', type: 'create_task', title: 'Check {{item.name}}', assignee: 'olya' },
        { id: 'manager_check', type: 'create_task', title: 'Look at lead #{{item.id}}', assignee: 'manager', due_in: '1d' },
        { id: 'remind_sdr', type: 'remind', title: 'Call {{item.name}} {{item.phone}}', due_in: '2h' },
        { id: 'remind_ops', type: 'remind', title: 'Check {{item.name}}', assignee: 'olya' },
      ],
    },
    general: { offer: [{ id: 'offer_followup', type: 'remind', title: 'Call about offer for deal #{{deal.id}} «{{deal.title}}»', due_in: '1d2h' }] },
  },
});

describe('create_task', () => {
  it('makes a task for the responsible, due after due_in, and tells nobody', async () => {
    const ports = new FakePorts(loadFixture('funnel.yaml'));

    const outcome = await createTask.run(runContext(createTask, 'touch_1_call', ports, { lead: { id: 5, responsible: 'anna' }, run: { id: 30 } }));

    expect(ports.tasks).toEqual([expect.objectContaining({ entityType: 'lead', entityId: 5, assignee: 'anna', title: 'Call Ivan Petrov', dueAt: FIXTURE_NOW + 2 * HOUR, runId: 30, status: 'open' })]);
    expect(ports.sends).toEqual([]);
    expect(outcome).toMatchObject({ outcome: 'done', detail: `task #${nth(ports.tasks, 0).id} "Call Ivan Petrov" for anna` });
  });

  it('makes one task per run: a retried run finds the task it made', async () => {
    const ports = new FakePorts(loadFixture('funnel.yaml'));
    const context = runContext(createTask, 'touch_1_call', ports, { lead: { responsible: 'anna' } });

    const first = await createTask.run(context);
    const second = await createTask.run({ ...context, run: { ...context.run, attempts: 1 } });

    expect(ports.taskRequests).toHaveLength(2);
    expect(ports.tasks).toHaveLength(1);
    expect(second).toEqual(first);
  });

  it.each([
    ['a login', 'ops_check', { responsible: 'anna' }, 'olya', null],
    ["the responsible's manager, due a day later", 'manager_check', { responsible: 'semen' }, 'sm', FIXTURE_NOW + 24 * HOUR],
  ])('gives the task to %s', async (_, robotId, lead, assignee, dueAt) => {
    const ports = new FakePorts(config);

    await createTask.run(runContext(createTask, robotId, ports, { lead }));

    expect(ports.tasks.map((task) => [task.assignee, task.dueAt])).toEqual([[assignee, dueAt]]);
  });

  it('makes a task for nobody when the item has no responsible yet', async () => {
    const ports = new FakePorts(loadFixture('funnel.yaml'));

    const outcome = await createTask.run(runContext(createTask, 'touch_1_call', ports, { lead: { responsible: null } }));

    expect(nth(ports.tasks, 0).assignee).toBeNull();
    expect(outcome.detail).toMatch(/^task #\d+ "Call Ivan Petrov" for nobody$/);
  });
});

describe('remind', () => {
  it("makes the task and tells the assignee in Telegram at once, with the due time in the config's time zone", async () => {
    const ports = new FakePorts(config);

    const outcome = await remind.run(runContext(remind, 'offer_followup', ports, { deal: { id: 15, title: 'Chairs', responsible: 'gena' }, run: { id: 3 } }));

    const task = nth(ports.tasks, 0);
    expect(task).toMatchObject({ entityType: 'deal', entityId: 15, assignee: 'gena', title: 'Call about offer for deal #15 «Chairs»', dueAt: FIXTURE_NOW + 26 * HOUR });
    expect(ports.sends).toEqual([
      expect.objectContaining({
        idempotencyKey: 'run:3:user:gena',
        channel: 'telegram',
        recipient: '1001',
        recipientLogin: 'gena',
        // 12:00 Moscow plus 1d2h.
        body: '📝 Task: Call about offer for deal #15 «Chairs», due 12.03 14:00 — http://localhost:3000/board/#deal-15',
        meta: { robot: 'offer_followup', task: task.id },
      }),
    ]);
    expect(outcome.detail).toBe(`task #${task.id} "Call about offer for deal #15 «Chairs»" for gena`);
  });

  it('leaves out the due time when the task has none, and reaches an assignee without Telegram in the outbox', async () => {
    const ports = new FakePorts(config);

    await remind.run(runContext(remind, 'remind_ops', ports, { lead: { id: 2 } }));

    expect(ports.sends.map((send) => [send.channel, send.recipient, send.body])).toEqual([['outbox', 'olya', '📝 Task: Check Ivan Petrov — http://localhost:3000/board/#lead-2']]);
  });

  it('says a client name with template braces as it is, never rendering it a second time', async () => {
    const ports = new FakePorts(config);

    await remind.run(runContext(remind, 'remind_ops', ports, { lead: { id: 2, name: 'Evil {{responsible.name}} {{#if' } }));

    expect(ports.sends.map((send) => send.body)).toEqual(['📝 Task: Check Evil {{responsible.name}} {{#if — http://localhost:3000/board/#lead-2']);
  });

  it('makes the task but tells nobody when there is nobody to assign', async () => {
    const ports = new FakePorts(config);

    const outcome = await remind.run(runContext(remind, 'remind_sdr', ports, { lead: { responsible: null } }));

    expect(ports.tasks).toHaveLength(1);
    expect(ports.sends).toEqual([]);
    expect(outcome.detail).toMatch(/for nobody$/);
  });

  it('reminds once however often the run is retried', async () => {
    const ports = new FakePorts(config);
    const context = runContext(remind, 'remind_sdr', ports, { lead: { responsible: 'anna' } });

    await remind.run(context);
    await remind.run(context);

    expect(ports.tasks).toHaveLength(1);
    expect(ports.messages).toHaveLength(1);
    expect(nth(ports.sends, 0).idempotencyKey).toBe(nth(ports.sends, 1).idempotencyKey);
  });
});
