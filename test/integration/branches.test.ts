import { loadConfigText } from '../../config/loader';
import { waitingOrder } from '../../server/core/waiting-order';
import { testDatabaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const CONFIG = `
timezone: Europe/Moscow
users:
  - { login: root, name: Root, role: admin }
leads:
  stages:
    - id: new
    - id: routed
      robots:
        - id: by_source
          type: branch
          when:
            - { condition: { "==": [{ var: item.source }, partner] }, robots: [partner_alert, partner_task] }
            - { condition: { "==": [{ var: item.source }, ads] }, robots: [ads_alert] }
          else: [site_alert]
        - { id: partner_alert, type: notify, to: [root], channel: outbox, text: "partner {{item.id}}" }
        - { id: partner_task, type: create_task, title: "Call partner lead {{item.name}}", assignee: root }
        - { id: ads_alert, type: notify, to: [root], channel: outbox, text: "ads {{item.id}}" }
        - { id: site_alert, type: notify, to: [root], channel: outbox, text: "site {{item.id}}" }
        - { id: always, type: notify, to: [root], channel: outbox, text: "always {{item.id}}" }
`;

describe('branches in the config', () => {
  it('the robots a branch names wait for it; the others do not', () => {
    expect(
      waitingOrder([
        { id: 'b', type: 'branch', when: [{ robots: ['x'] }], else: ['y'] },
        { id: 'x', type: 'notify' },
        { id: 'y', type: 'notify' },
        { id: 'z', type: 'notify' },
      ]),
    ).toEqual([null, 'b', 'b', null]);
  });

  it('names a robot that is missing, written before the branch, or in two blocks, at its place', () => {
    const text = CONFIG.replace('robots: [ads_alert]', 'robots: [ads_alrt, partner_alert]').replace('else: [site_alert]', 'else: [new_thing]');
    const result = loadConfigText(text, 'branches.yaml');
    expect(result.ok).toBe(false);
    const messages = result.ok ? [] : result.issues.map((issue) => `${issue.line}:${issue.col} ${issue.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^14:\d+ .*"ads_alrt".*did you mean "ads_alert"/),
        expect.stringMatching(/^14:\d+ "partner_alert" is already in a block of "by_source"/),
        expect.stringMatching(/^15:\d+ .*"new_thing"/),
      ]),
    );
  });
});

describe.each(testDatabaseKinds())('branches on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterEach(async () => {
    await harness.close();
  });

  async function route(source: string | undefined, phone: string) {
    const { id } = (
      await harness
        .as('root')
        .post('/api/leads', { name: 'Routed', phone, ...(source ? { source } : {}) })
        .expect(201)
    ).body;
    await harness.as('root').post(`/api/leads/${id}/move`, { stage: 'routed' }).expect(200);
    await harness.runDue();
    const runs = (await harness.as('root').get(`/api/runs?item=lead:${id}`).expect(200)).body.runs as Array<{ robot: string; status: string; detail: string | null }>;
    const messages = (await harness.as('root').get(`/api/messages?item=lead:${id}`).expect(200)).body.messages as Array<{ body: string }>;
    return { status: Object.fromEntries(runs.map((run) => [run.robot, run.status === 'cancelled' ? `cancelled: ${run.detail}` : run.status])), sent: messages.map((message) => message.body.split(' ')[0]).sort() };
  }

  it('a partner lead runs the partner block only; the other blocks are cancelled as not chosen', async () => {
    const { status, sent } = await route('partner', '+79168880001');
    expect(status).toMatchObject({ by_source: 'done', partner_alert: 'done', partner_task: 'done', ads_alert: 'cancelled: not chosen by by_source', site_alert: 'cancelled: not chosen by by_source', always: 'done' });
    expect(sent).toEqual(['always', 'partner']);
  });

  it('no block matching runs the else robots', async () => {
    const { status, sent } = await route(undefined, '+79168880002');
    expect(status).toMatchObject({ partner_alert: 'cancelled: not chosen by by_source', ads_alert: 'cancelled: not chosen by by_source', site_alert: 'done' });
    expect(sent).toEqual(['always', 'site']);
  });
});
