import { loadConfigText } from '../../config/loader';
import { testDatabaseKinds } from '../support/databases';
import { DAY, HOUR, startHarness, type Harness } from '../support/harness';

const CONFIG = `
timezone: Europe/Moscow
users:
  - { login: irina, name: Ирина Соколова, role: admin }
fields:
  appointment_at: { type: datetime, label: Приём }
  note: { type: string }
leads:
  stages:
    - id: new
      robots:
        - { id: welcome, type: notify, to: [irina], channel: outbox, text: "welcome {{item.id}}" }
        - { id: callback_once, type: notify, to: [irina], channel: outbox, reenter: never, text: "callback {{item.id}}" }
        - { id: after_once, type: notify, to: [irina], channel: outbox, after_robot: callback_once, text: "after {{item.id}}" }
        - { id: hook_monthly, type: notify, to: [irina], channel: outbox, reenter: { after: 30d }, text: "monthly {{item.id}}" }
    - id: quiet
      reenter: never
      robots:
        - { id: quiet_note, type: notify, to: [irina], channel: outbox, text: "quiet {{item.id}}" }
    - id: booked
      robots:
        - { id: remind_day, type: notify, to: [irina], channel: outbox, at: { field: appointment_at, offset: -1d }, text: "remind {{item.id}}" }
        - { id: remind_late, type: notify, to: [irina], channel: outbox, at: { field: appointment_at, offset: -1d }, skip_if_late: 1h, text: "late {{item.id}}" }
        - { id: feedback, type: notify, to: [irina], channel: outbox, at: { field: appointment_at, offset: 3h }, working_hours: true, text: "feedback {{item.id}}" }
`;

describe('a robot timed from a date field, in the config', () => {
  it('must name a date or datetime field, with did-you-mean, and not also `after`', () => {
    const text = CONFIG.replace('at: { field: appointment_at, offset: -1d }, text: "remind', 'at: { field: appointment_a, offset: -1d }, text: "remind').replace(
      'at: { field: appointment_at, offset: 3h }',
      'at: { field: note, offset: 3h }, after: 1h',
    );
    const result = loadConfigText(text, 'clinic.yaml');
    expect(result.ok).toBe(false);
    const messages = result.ok ? [] : result.issues.map((issue) => issue.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/unknown date field "appointment_a" \(did you mean "appointment_at"\?\)/),
        expect.stringMatching(/"note" is a string field/),
        expect.stringMatching(/`after` counts from entering the stage/),
      ]),
    );
  });

  it('refuses an offset that is not a duration', () => {
    const result = loadConfigText(CONFIG.replace('offset: -1d }, text: "remind', 'offset: yesterday }, text: "remind'), 'clinic.yaml');
    expect(result.ok ? [] : result.issues.map((issue) => issue.message)).toEqual([expect.stringMatching(/bad offset "yesterday"/)]);
  });
});

describe.each(testDatabaseKinds())('date-field timing and re-entry on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    // Monday 2 March 2026, 09:00 Moscow
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterEach(async () => {
    await harness.close();
  });

  const api = () => harness.as('irina');
  async function lead(phone: string, fields: Record<string, string | null> = {}) {
    return (await api().post('/api/leads', { name: 'Анна Кузнецова', phone, fields }).expect(201)).body.id as number;
  }
  async function move(id: number, stage: string) {
    await api().post(`/api/leads/${id}/move`, { stage }).expect(200);
    await harness.runDue();
  }
  type Run = { robot: string; status: string; detail: string | null; due_at: string | null };
  const runs = async (id: number) => (await api().get(`/api/runs?item=lead:${id}`).expect(200)).body.runs as Run[];
  // oldest first (the API answers newest first)
  const run = async (id: number, robot: string) => (await runs(id)).filter((candidate) => candidate.robot === robot).reverse();
  const sent = async (id: number) => ((await api().get(`/api/messages?item=lead:${id}`).expect(200)).body.messages as Array<{ body: string }>).map((message) => message.body.split(' ')[0]).sort();

  it('a reminder a day before the appointment is due then, and moves when the appointment moves', async () => {
    const id = await lead('+7 916 555-01-01', { appointment_at: '2026-03-04T10:00:00+03:00' });
    await move(id, 'booked');
    expect((await run(id, 'remind_day'))[0]).toMatchObject({ status: 'scheduled', due_at: '2026-03-03T07:00:00.000Z' });
    // three hours after a Wednesday 10:00 visit is inside working hours
    expect((await run(id, 'feedback'))[0]).toMatchObject({ due_at: '2026-03-04T10:00:00.000Z' });

    // the clinic moves the visit to Thursday 15:00
    await api()
      .patch(`/api/leads/${id}`, { fields: { appointment_at: '2026-03-05T15:00:00+03:00' } })
      .expect(200);
    expect((await run(id, 'remind_day'))[0]).toMatchObject({ status: 'scheduled', due_at: '2026-03-04T12:00:00.000Z' });
    // 18:00 is the end of the working day: the follow-up waits for Friday 09:00
    expect((await run(id, 'feedback'))[0]).toMatchObject({ due_at: '2026-03-06T06:00:00.000Z' });

    await harness.advance(DAY + 2 * HOUR); // Tuesday 11:00: the old reminder time has passed
    expect(await sent(id)).toEqual([]);
    await harness.advance(DAY + 4 * HOUR); // Wednesday 15:00
    expect(await sent(id)).toEqual(['late', 'remind']);
    const events = (await api().get(`/api/events?item=lead:${id}`).expect(200)).body.events as Array<{ type: string; outcome: string }>;
    expect(events.find((event) => event.type === 'field_changed')?.outcome).toMatch(/appointment_at changed: remind_day moved to 2026-03-04T12:00:00.000Z/);
  });

  it('clearing the appointment cancels its reminders, and the timeline says why', async () => {
    const id = await lead('8 (916) 555-01-02', { appointment_at: '2026-03-04T10:00:00+03:00' });
    await move(id, 'booked');
    await api()
      .patch(`/api/leads/${id}`, { fields: { appointment_at: null } })
      .expect(200);
    expect((await run(id, 'remind_day'))[0]).toMatchObject({ status: 'cancelled', detail: 'appointment_at was cleared' });
    await harness.advance(5 * DAY);
    expect(await sent(id)).toEqual([]);
    const timeline = (await api().get(`/api/leads/${id}/timeline`).expect(200)).body.timeline as Array<{ summary: string }>;
    expect(timeline.map((entry) => entry.summary).join('\n')).toMatch(/remind_day.*appointment_at was cleared/);
  });

  it('an item entering without an appointment waits for one; the reminder is scheduled when it is set', async () => {
    const id = await lead('+79165550103');
    await move(id, 'booked');
    expect((await run(id, 'remind_day'))[0]).toMatchObject({ status: 'scheduled', due_at: null, detail: 'waits for appointment_at to be set' });
    await harness.advance(3 * DAY);
    expect(await sent(id)).toEqual([]);
    await api()
      .patch(`/api/leads/${id}`, { fields: { appointment_at: '2026-03-09T12:00:00+03:00' } })
      .expect(200);
    expect((await run(id, 'remind_day'))[0]).toMatchObject({ status: 'scheduled', due_at: '2026-03-08T09:00:00.000Z' });
  });

  it('a reminder already past at entry follows the late policy: run at once, or skipped when skip_if_late says so', async () => {
    // booked at 09:00 for 14:00 today: a day before was yesterday
    const id = await lead('+7 916 555 01 04', { appointment_at: '2026-03-02T14:00:00+03:00' });
    await move(id, 'booked');
    const [remind] = await run(id, 'remind_day');
    const [late] = await run(id, 'remind_late');
    expect(remind?.status).toBe('done');
    expect(late).toMatchObject({ status: 'skipped' });
    expect(late?.detail).toMatch(/late \(skip_if_late 1h\)/);
    expect(await sent(id)).toEqual(['remind']);
  });

  it('re-entering new welcomes again, but a never robot (and what waits for it) is skipped, with the reason on the timeline', async () => {
    const id = await lead('+79165550105');
    await harness.runDue();
    expect(await sent(id)).toEqual(['after', 'callback', 'monthly', 'welcome']);
    await move(id, 'booked');
    await move(id, 'new');
    expect(await sent(id)).toEqual(['after', 'callback', 'monthly', 'welcome', 'welcome']);
    const callback = await run(id, 'callback_once');
    expect(callback.map((candidate) => candidate.status)).toEqual(['done', 'skipped']);
    expect(callback[1]?.detail).toMatch(/entered this stage before \(reenter: never\)/);
    expect((await run(id, 'after_once'))[1]?.detail).toMatch(/waits for callback_once, which does not run again/);
    expect((await run(id, 'hook_monthly'))[1]?.detail).toMatch(/less than 30d ago \(reenter: after 30d\)/);
    const timeline = (await api().get(`/api/leads/${id}/timeline`).expect(200)).body.timeline as Array<{ summary: string }>;
    expect(timeline.map((entry) => entry.summary).join('\n')).toMatch(/callback_once.*reenter: never/);
  });

  it('a robot with reenter: {after: 30d} runs again once 30 days have passed; a stage default of never holds', async () => {
    const id = await lead('+79165550106');
    await harness.runDue();
    await move(id, 'quiet');
    await harness.advance(31 * DAY);
    await move(id, 'new');
    await move(id, 'quiet');
    expect(await sent(id)).toEqual(['after', 'callback', 'monthly', 'monthly', 'quiet', 'welcome', 'welcome']);
    expect((await run(id, 'quiet_note')).map((candidate) => candidate.status)).toEqual(['done', 'skipped']);
  });
});
