import { startHarness, HOUR, MINUTE, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';

/**
 * Only people on duty are picked, alerted as a team or called back; an SLA alert
 * climbs its escalation ladder until someone takes the lead. The harness starts on Monday
 * 2026-03-02 at 09:00 Moscow time.
 */
const CONFIG = `
timezone: Europe/Moscow
calendar: { working_days: [mon, tue, wed, thu, fri], working_hours: { start: "09:00", end: "18:00" }, holidays: [] }
users:
  - { login: root, name: Root, role: admin }
  - { login: away, name: Alla Away, role: sales, team: sales, phone: "+79990000001", away: [{ from: 2026-03-02, to: 2026-03-06 }] }
  - { login: early, name: Egor Early, role: sales, team: sales, phone: "+79990000002", schedule: { working_hours: { start: "09:00", end: "17:00" } } }
  - { login: late, name: Lena Late, role: sales, team: sales, phone: "+79990000003", schedule: { working_hours: { start: "11:00", end: "20:00" } } }
  - { login: boss, name: Boris Boss, role: manager, team: sales }
  - { login: head, name: Helen Head, role: manager }
  - { login: director, name: Dmitry Director, role: manager }
teams:
  sales: { members: [away, early, late], manager: boss, pick: round_robin }
leads:
  team: sales
  stages:
    - id: new
      robots:
        - id: first_contact_sla
          type: notify
          after: 30m
          condition: { "!": [{ var: item.responsible }] }
          to: [manager]
          text: "{{recipient.name}}: lead #{{lead.id}} waits"
          escalate:
            - { after: 30m, to: [head] }
            - { after: 2h, to: [director] }
    - id: assigning
      robots:
        - { id: pick_now, type: assign }
    - id: night_assign
      robots:
        - { id: pick_when_someone_comes, type: assign, when_nobody_on_duty: wait }
    - id: hot
      robots:
        - { id: call_back, type: auto_callback, agents: [team] }
    - id: team_alert
      robots:
        - { id: tell_team, type: notify, to: [team], text: "new lead #{{lead.id}}" }
    - id: handoff
      robots:
        - { id: make_deal, type: create_on_basis, pipeline: general }
    - id: handoff_by_day
      robots:
        - { id: make_deal_by_day, type: create_on_basis, pipeline: general, when_nobody_on_duty: wait }
    - id: in_work
deals:
  general:
    team: sales
    stages: [{ id: open }]
`;

interface TimelineRun {
  kind: string;
  robot?: string;
  status?: string;
  detail?: string | null;
  due_at?: string | null;
}

describe.each(testDatabaseKinds())('on-duty schedules and escalation levels on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterEach(async () => {
    await harness.close();
  });

  async function createLead(body: object): Promise<{ id: number }> {
    const response = await harness
      .as('root')
      .post('/api/leads', { name: 'Client', ...body })
      .expect(201);
    return response.body as { id: number };
  }
  async function lead(id: number) {
    return (await harness.as('root').get(`/api/leads/${id}`).expect(200)).body as { responsible: string | null; deal_id: number | null };
  }
  async function runs(id: number): Promise<TimelineRun[]> {
    const timeline = await harness.as('root').get(`/api/leads/${id}/timeline`).expect(200);
    return (timeline.body.timeline as TimelineRun[]).filter((entry) => entry.kind === 'run');
  }
  async function messages(ref: string): Promise<Array<{ recipient_login: string; channel: string; body: string }>> {
    const response = await harness.as('root').get(`/api/messages?item=${ref}`).expect(200);
    return response.body.messages;
  }

  describe('when a responsible is picked', () => {
    it('round robin takes turns among those on duty and never picks the agent who is away', async () => {
      await harness.clock.set('2026-03-02T12:00:00+03:00');
      const picked: Array<string | null> = [];
      for (let index = 0; index < 4; index += 1) {
        const created = await createLead({ phone: `+7916000000${index}`, stage: 'assigning' });
        await harness.runDue();
        picked.push((await lead(created.id)).responsible);
      }
      expect(picked).toEqual(['early', 'late', 'early', 'late']);
    });

    it('a hand-off at 17:55 picks the agent whose hours cover 17:55, not the one who left at 17:00', async () => {
      await harness.clock.set('2026-03-02T17:55:00+03:00');
      const created = await createLead({ phone: '+79161234567', stage: 'handoff' });
      await harness.runDue();
      const after = await lead(created.id);
      expect(after.deal_id).toEqual(expect.any(Number));
      const deal = await harness.as('root').get(`/api/deals/${after.deal_id}`).expect(200);
      expect(deal.body.responsible).toBe('late');
    });

    it('nobody on duty and `wait`: the pick waits for the next morning and is made then', async () => {
      await harness.clock.set('2026-03-02T21:00:00+03:00');
      const created = await createLead({ phone: '+79161112233', stage: 'night_assign' });
      await harness.runDue();
      expect((await lead(created.id)).responsible).toBeNull();
      const waiting = (await runs(created.id)).find((run) => run.robot === 'pick_when_someone_comes');
      expect(waiting).toMatchObject({ status: 'scheduled', due_at: '2026-03-03T06:00:00.000Z' });
      expect(waiting?.detail).toContain('nobody of team sales is on duty; waiting until Tue 03 Mar 09:00');

      await harness.advance(11 * HOUR + 59 * MINUTE);
      expect((await lead(created.id)).responsible).toBeNull();
      await harness.advance(2 * MINUTE);
      expect((await lead(created.id)).responsible).toBe('early');
      expect((await runs(created.id)).find((run) => run.robot === 'pick_when_someone_comes')).toMatchObject({ status: 'done' });
    });

    it('a hand-off at night with `wait` makes nothing until morning, then the deal with a responsible on duty', async () => {
      await harness.clock.set('2026-03-02T23:30:00+03:00');
      const created = await createLead({ phone: '+79161112244', stage: 'handoff_by_day' });
      await harness.runDue();
      expect((await lead(created.id)).deal_id).toBeNull();
      const deals = await harness.as('root').get('/api/deals?pipeline=general').expect(200);
      expect(deals.body.items).toHaveLength(0);

      await harness.advance(10 * HOUR);
      const after = await lead(created.id);
      expect(after.deal_id).toEqual(expect.any(Number));
      const deal = await harness.as('root').get(`/api/deals/${after.deal_id}`).expect(200);
      expect(deal.body.responsible).toBe('early');
    });
  });

  describe('when a team is alerted or called', () => {
    it('the hot-lead callback rings an agent on duty, never the one on holiday', async () => {
      await harness.clock.set('2026-03-02T10:00:00+03:00');
      const created = await createLead({ phone: '+79165550000', stage: 'hot' });
      await harness.runDue();
      const calls = (await messages(`lead:${created.id}`)).filter((message) => message.channel === 'voice');
      expect(calls.map((call) => call.recipient_login)).toEqual(['early']);
    });

    it('an alert to the team reaches only the members on duty', async () => {
      await harness.clock.set('2026-03-02T17:30:00+03:00');
      const created = await createLead({ phone: '+79165550001', stage: 'team_alert' });
      await harness.runDue();
      expect((await messages(`lead:${created.id}`)).map((message) => message.recipient_login)).toEqual(['late']);
    });
  });

  describe('when an SLA alert escalates', () => {
    it('level 1 and level 2 go out when nobody takes the lead', async () => {
      const created = await createLead({ phone: '+79167770000' });
      await harness.advance(30 * MINUTE);
      expect((await messages(`lead:${created.id}`)).map((message) => message.recipient_login)).toEqual(['boss']);
      await harness.advance(30 * MINUTE);
      expect((await messages(`lead:${created.id}`)).map((message) => message.recipient_login).sort()).toEqual(['boss', 'head']);
      await harness.advance(90 * MINUTE);
      expect((await messages(`lead:${created.id}`)).map((message) => message.recipient_login).sort()).toEqual(['boss', 'director', 'head']);

      const timeline = await runs(created.id);
      expect(timeline.find((run) => run.robot === 'first_contact_sla.escalate_1')).toMatchObject({ status: 'done', detail: 'escalation 1: notified head (outbox)' });
      expect(timeline.find((run) => run.robot === 'first_contact_sla.escalate_2')).toMatchObject({ status: 'done', detail: 'escalation 2: notified director (outbox)' });
      // A further hour changes nothing: every level went out once.
      await harness.advance(HOUR);
      expect(await messages(`lead:${created.id}`)).toHaveLength(3);
    });

    it('a lead taken after level 1 never reaches level 2, which shows as cancelled on the timeline', async () => {
      const created = await createLead({ phone: '+79167770001' });
      await harness.advance(HOUR);
      expect((await messages(`lead:${created.id}`)).map((message) => message.recipient_login).sort()).toEqual(['boss', 'head']);
      await harness.as('root').patch(`/api/leads/${created.id}`, { responsible: 'early' }).expect(200);
      // Cancelled the moment it was taken, not when it would have come due.
      expect((await runs(created.id)).find((run) => run.robot === 'first_contact_sla.escalate_2')).toMatchObject({ status: 'cancelled' });
      await harness.advance(3 * HOUR);

      expect((await messages(`lead:${created.id}`)).map((message) => message.recipient_login).sort()).toEqual(['boss', 'head']);
      const level2 = (await runs(created.id)).find((run) => run.robot === 'first_contact_sla.escalate_2');
      expect(level2).toMatchObject({ status: 'cancelled' });
      expect(level2?.detail).toContain('taken');
    });

    it('a lead moved on before the alert cancels the alert and every level with it', async () => {
      const created = await createLead({ phone: '+79167770002' });
      await harness.advance(10 * MINUTE);
      await harness.as('root').post(`/api/leads/${created.id}/move`, { stage: 'in_work' }).expect(200);
      await harness.advance(4 * HOUR);
      expect(await messages(`lead:${created.id}`)).toHaveLength(0);
      const statuses = (await runs(created.id)).filter((run) => run.robot?.startsWith('first_contact_sla')).map((run) => [run.robot, run.status]);
      expect(statuses).toEqual([
        ['first_contact_sla', 'cancelled'],
        ['first_contact_sla.escalate_1', 'cancelled'],
        ['first_contact_sla.escalate_2', 'cancelled'],
      ]);
    });
  });
});
