import path from 'node:path';
import { startHarness, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';

const EXAMPLE = path.join(__dirname, '..', '..', 'robots.example.yaml');

describe.each(testDatabaseKinds())('robots.example.yaml runs the hand-off from first line to the sales directions as it is, on %s', (kind) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness(kind, { configFile: EXAMPLE });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('a lead handed over to services becomes a services deal and the lead ends converted; a repeat lead is flagged', async () => {
    const lead = await harness.as('anna').post('/api/leads', { name: 'Ivan', phone: '+7 916 123-45-67', email: 'ivan@example.com', source: 'form' }).expect(201);
    const refused = await harness.as('anna').post(`/api/leads/${lead.body.id}/move`, { stage: 'handoff_services' }).expect(422);
    expect(refused.body.missing_fields).toEqual(['product']);
    await harness
      .as('anna')
      .patch(`/api/leads/${lead.body.id}`, { fields: { product: 'SEO audit' } })
      .expect(200);
    await harness.as('anna').post(`/api/leads/${lead.body.id}/move`, { stage: 'handoff_services' }).expect(200);
    await harness.runDue();

    const converted = await harness.as('anna').get(`/api/leads/${lead.body.id}`).expect(200);
    expect(converted.body.stage).toBe('converted');
    const deal = await harness.as('stepan').get(`/api/deals/${converted.body.deal_id}`).expect(200);
    expect(deal.body.pipeline).toBe('services');
    expect(['semyon', 'svetlana']).toContain(deal.body.responsible);
    await harness.as('gleb').get(`/api/deals/${converted.body.deal_id}`).expect(404);

    const repeat = await harness.as('anna').post('/api/leads', { name: 'Ivan again', phone: '89161234567' }).expect(201);
    await harness.runDue();
    const flagged = await harness.as('anna').get(`/api/leads/${repeat.body.id}`).expect(200);
    expect(flagged.body.repeat_client).toBe(true);
    const alerts = await harness.as('olga').get(`/api/messages?item=lead:${repeat.body.id}`).expect(200);
    expect(alerts.body.messages.length).toBeGreaterThanOrEqual(1);
    expect(alerts.body.messages.every((message: { audience: string }) => message.audience === 'user')).toBe(true);
  });
});
