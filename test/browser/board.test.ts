import request from 'supertest';
import { testDatabaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

describe.each(testDatabaseKinds())('the board API on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind);
  });
  afterEach(async () => {
    await harness.close();
  });

  it('first line gets the lead statuses with their required fields and lost reasons, and no deal pipelines', async () => {
    const answer = await harness.as('anna').get('/api/config/pipelines').expect(200);
    expect(answer.body.user).toEqual({ login: 'anna', name: 'Anna SDR', role: 'first_line' });
    expect(answer.body.deals).toEqual([]);
    expect(answer.body.leads).toMatchObject({ key: 'leads', kind: 'lead', can_move: true });
    expect(answer.body.leads.stages.map((stage: { id: string }) => stage.id)).toEqual(['new', 'in_work', 'handoff_general', 'handoff_services', 'converted', 'junk']);
    const stages = Object.fromEntries(answer.body.leads.stages.map((stage: { id: string }) => [stage.id, stage]));
    expect(stages.handoff_services).toEqual({ id: 'handoff_services', name: 'Hand over — services', semantic: 'open', required: ['name', 'phone', 'product'] });
    expect(stages.converted).toMatchObject({ semantic: 'won', required: [] });
    expect(stages.junk).toEqual({
      id: 'junk',
      name: 'junk',
      semantic: 'lost',
      required: [],
      reasons: [
        { id: 'no_budget', label: 'no_budget', refused_by: 'client_refused' },
        { id: 'not_target', label: 'not_target', refused_by: 'we_refused' },
      ],
    });
    expect(answer.body.field_labels).toMatchObject({ product: 'Product', phone: 'Phone' });
  });

  it("a manager gets their team's deal pipeline only; ops see every pipeline and may move nothing", async () => {
    const manager = await harness.as('sm').get('/api/config/pipelines').expect(200);
    expect(manager.body.deals.map((pipeline: { key: string }) => pipeline.key)).toEqual(['services']);
    expect(manager.body.deals[0].stages.find((stage: { id: string }) => stage.id === 'lost').reasons).toEqual([{ id: 'price', label: 'price', refused_by: 'client_refused' }]);
    const ops = await harness.as('olya').get('/api/config/pipelines').expect(200);
    expect(ops.body.deals.map((pipeline: { key: string }) => pipeline.key)).toEqual(['general', 'services']);
    expect(ops.body.leads.can_move).toBe(false);
  });

  it('without a token the pipelines are a 401, and the board page itself is public', async () => {
    const anonymous = await harness.as('nobody').get('/api/config/pipelines');
    expect(anonymous.status).toBe(401);
    const page = await request(harness.app).get('/board/').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('<title>Robots board</title>');
    await request(harness.app).get('/board').expect(301);
  });
});
