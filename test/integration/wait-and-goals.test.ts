import { testDatabaseKinds } from '../support/databases';
import { DAY, HOUR, startHarness, type Harness } from '../support/harness';
import { waitingOrder } from '../../server/core/waiting-order';

const CONFIG = `
timezone: Europe/Moscow
users:
  - { login: root, name: Root, role: admin }
fields:
  budget: { type: number }
  booked: { type: string }
leads:
  stages:
    - id: new
    - id: qualifying
      # HubSpot's goal: a booked meeting ends this stage's robots.
      stop_when: { "==": [{ var: fields.booked }, "yes"] }
      robots:
        - { id: ask_budget, type: notify, to: [root], channel: outbox, text: "ask budget {{item.id}}" }
        - { id: wait_budget, type: wait_for, until: { ">": [{ var: fields.budget }, 0] }, timeout: 3d, on_timeout: stop }
        - { id: offer, type: notify, to: [root], channel: outbox, text: "offer {{item.id}}" }
        - { id: follow_up, type: notify, to: [root], channel: outbox, after: 1d, text: "follow up {{item.id}}" }
    - id: nurturing
      robots:
        - { id: wait_reply, type: wait_for, until: { ">": [{ var: replies_received }, 0] }, timeout: 2d }
        - { id: nudge, type: notify, to: [root], channel: outbox, text: "nudge {{item.id}}" }
    - id: won
      semantic: won
`;

describe('which robot waits for which', () => {
  it('robots after a wait_for wait for it; an explicit after_robot wins', () => {
    expect(
      waitingOrder([
        { id: 'a', type: 'notify' },
        { id: 'w', type: 'wait_for' },
        { id: 'b', type: 'notify' },
        { id: 'c', type: 'notify', after_robot: 'a' },
      ]),
    ).toEqual([null, null, 'w', 'a']);
  });
});

describe.each(testDatabaseKinds())('wait_for and stop_when on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterEach(async () => {
    await harness.close();
  });

  async function enter(stage: string, phone: string) {
    const { id } = (await harness.as('root').post('/api/leads', { name: 'Waiting', phone }).expect(201)).body;
    await harness.as('root').post(`/api/leads/${id}/move`, { stage }).expect(200);
    await harness.runDue();
    return id as number;
  }
  const alerts = async (id: number) => ((await harness.as('root').get(`/api/messages?item=lead:${id}`).expect(200)).body.messages as Array<{ body: string }>).map((message) => message.body.split(' ')[0]).sort();
  const runs = async (id: number) =>
    Object.fromEntries(
      ((await harness.as('root').get(`/api/runs?item=lead:${id}`).expect(200)).body.runs as Array<{ robot: string; status: string; detail: string | null }>).map((run) => [
        run.robot,
        `${run.status}: ${run.detail ?? ''}`,
      ]),
    );

  it('the robots after a wait run as soon as the item meets the condition, not at the next recheck', async () => {
    const id = await enter('qualifying', '+79167770001');
    expect(await alerts(id)).toEqual(['ask']);
    await harness.advance(2 * HOUR);
    expect(await alerts(id)).toEqual(['ask']);
    expect((await runs(id)).wait_budget).toMatch(/^scheduled: waiting until the condition holds/);
    await harness
      .as('root')
      .patch(`/api/leads/${id}`, { fields: { budget: 5000 } })
      .expect(200);
    await harness.runDue(); // the clock has not moved: the change itself made the wait look again
    expect(await alerts(id)).toEqual(['ask', 'offer']);
    expect((await runs(id)).wait_budget).toBe('done: the condition holds');
    await harness.advance(DAY + HOUR);
    expect(await alerts(id)).toEqual(['ask', 'follow', 'offer']);
  });

  it('a wait that times out with on_timeout: stop cancels the robots after it', async () => {
    const id = await enter('qualifying', '+79167770002');
    await harness.advance(3 * DAY + HOUR);
    const after = await runs(id);
    expect(after.wait_budget).toBe('cancelled: timed out after 3d; the robots after it do not run');
    expect(after.offer).toMatch(/^cancelled/);
    expect(after.follow_up).toMatch(/^cancelled/);
    expect(await alerts(id)).toEqual(['ask']);
  });

  it('a wait that times out with on_timeout: continue lets the robots after it run', async () => {
    const id = await enter('nurturing', '+79167770003');
    await harness.advance(2 * DAY + HOUR);
    expect((await runs(id)).wait_reply).toBe('done: timed out after 2d; the robots after it run anyway');
    expect(await alerts(id)).toEqual(['nudge']);
  });

  it('a stage goal that holds cancels its pending robots, and says so', async () => {
    const id = await enter('qualifying', '+79167770004');
    await harness
      .as('root')
      .patch(`/api/leads/${id}`, { fields: { booked: 'yes' } })
      .expect(200);
    const after = await runs(id);
    for (const robot of ['wait_budget', 'offer', 'follow_up']) expect(after[robot]).toBe('cancelled: the goal of "qualifying" was reached (stop_when)');
    await harness.advance(5 * DAY);
    expect(await alerts(id)).toEqual(['ask']);
    const events = (await harness.as('root').get(`/api/events?item=lead:${id}`).expect(200)).body.events as Array<{ type: string; outcome: string }>;
    expect(events.find((event) => event.type === 'field_changed')?.outcome).toMatch(/goal of "qualifying" reached: 3 pending robots cancelled/);
  });
});
