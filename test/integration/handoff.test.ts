import { startHarness, MINUTE, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';

describe.each(testDatabaseKinds())('the hand-off from first line to the sales directions on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind);
  });
  afterEach(async () => {
    await harness.close();
  });

  async function createLead(body: object) {
    const response = await harness.as('anna').post('/api/leads', body).expect(201);
    return response.body as { id: number; stage: string };
  }

  it('a lead handed over to services becomes a contact and a services deal with a services responsible, and the lead ends converted', async () => {
    const lead = await createLead({ name: 'Ivan Petrov', phone: '8 (916) 123-45-67', email: 'Ivan@Example.com', company_name: 'Acme LLC', source: 'form', fields: { product: 'audit' } });
    expect(lead.stage).toBe('new');
    await harness.runDue();

    await harness.as('anna').post(`/api/leads/${lead.id}/move`, { stage: 'handoff_services' }).expect(200);
    await harness.runDue();

    const after = await harness.as('anna').get(`/api/leads/${lead.id}`).expect(200);
    expect(after.body.stage).toBe('converted');
    expect(after.body.deal_id).toEqual(expect.any(Number));

    const deal = await harness.as('sm').get(`/api/deals/${after.body.deal_id}`).expect(200);
    expect(deal.body).toMatchObject({ pipeline: 'services', stage: 'new', lead_id: lead.id, phone: '+79161234567', email: 'ivan@example.com' });
    expect(['semen', 'sveta']).toContain(deal.body.responsible);

    const contacts = await harness.as('anna').get('/api/contacts?phone=%2B79161234567').expect(200);
    expect(contacts.body.contacts).toHaveLength(1);
    expect(contacts.body.contacts[0].id).toBe(deal.body.contact_id);

    const messages = await harness.as('olya').get(`/api/messages?item=deal:${deal.body.id}`).expect(200);
    const alert = messages.body.messages.find((message: { audience: string }) => message.audience === 'user');
    expect(alert).toMatchObject({ channel: 'telegram', recipient_login: deal.body.responsible, status: 'recorded' });
    expect(alert.body).toContain(`new deal #${deal.body.id}`);
    const welcome = messages.body.messages.find((message: { audience: string }) => message.audience === 'client');
    expect(welcome).toMatchObject({ channel: 'email', recipient: 'ivan@example.com', subject: 'Hello, Ivan Petrov' });

    const timeline = await harness.as('anna').get(`/api/leads/${lead.id}/timeline`).expect(200);
    const stages = timeline.body.timeline.filter((entry: { kind: string }) => entry.kind === 'stage').map((entry: { stage: string }) => entry.stage);
    expect(stages).toEqual(['new', 'handoff_services', 'converted']);
    const runs = timeline.body.timeline.filter((entry: { kind: string }) => entry.kind === 'run');
    expect(runs.find((run: { robot: string }) => run.robot === 'deal_services')).toMatchObject({ status: 'done' });
    expect(runs.find((run: { robot: string }) => run.robot === 'converted_services')).toMatchObject({ status: 'done' });
    // Leaving "new" cancelled the SLA reminder of that entry.
    expect(runs.find((run: { robot: string }) => run.robot === 'sla_30m')).toMatchObject({ status: 'cancelled' });
  });

  it('responsibles of a direction are picked in turn', async () => {
    const responsibles: string[] = [];
    for (const phone of ['+79160000001', '+79160000002', '+79160000003']) {
      const lead = await createLead({ name: 'Client', phone, fields: { product: 'x' } });
      await harness.as('anna').post(`/api/leads/${lead.id}/move`, { stage: 'handoff_general' }).expect(200);
      await harness.runDue();
      const after = await harness.as('root').get(`/api/leads/${lead.id}`).expect(200);
      const deal = await harness.as('root').get(`/api/deals/${after.body.deal_id}`).expect(200);
      responsibles.push(deal.body.responsible);
    }
    expect(responsibles[0]).not.toBe(responsibles[1]);
    expect(responsibles[2]).toBe(responsibles[0]);
    expect(new Set(responsibles)).toEqual(new Set(['gena', 'galya']));
  });

  it('a repeat lead is flagged and its responsible gets a priority alert; a new client is not', async () => {
    const first = await createLead({ name: 'Maria', phone: '+7 916 555-11-22', fields: { product: 'audit' } });
    await harness.runDue();
    await harness.as('anna').post(`/api/leads/${first.id}/move`, { stage: 'handoff_general' }).expect(200);
    await harness.runDue();

    const repeat = await createLead({ name: 'Maria again', phone: '89165551122', responsible: 'gena' });
    await harness.runDue();
    const flagged = await harness.as('anna').get(`/api/leads/${repeat.id}`).expect(200);
    expect(flagged.body.repeat_client).toBe(true);
    expect(flagged.body.contact_id).toEqual(expect.any(Number));

    const alerts = await harness.as('olya').get(`/api/messages?item=lead:${repeat.id}`).expect(200);
    expect(alerts.body.messages).toHaveLength(1);
    expect(alerts.body.messages[0]).toMatchObject({ recipient_login: 'gena', channel: 'telegram', recipient: '1001' });
    expect(alerts.body.messages[0].body).toContain('repeat client');

    const firstAfter = await harness.as('anna').get(`/api/leads/${first.id}`).expect(200);
    expect(firstAfter.body.repeat_client).toBe(false);
    const timeline = await harness.as('anna').get(`/api/leads/${first.id}/timeline`).expect(200);
    expect(timeline.body.timeline.find((entry: { robot?: string }) => entry.robot === 'repeat_check')).toMatchObject({ status: 'skipped' });
  });

  it('running the hand-off twice makes nothing new (create on basis is idempotent)', async () => {
    const lead = await createLead({ name: 'Oleg', phone: '+79161110000', company_name: 'Oleg & Co', fields: { product: 'p' } });
    await harness.as('anna').post(`/api/leads/${lead.id}/move`, { stage: 'handoff_general' }).expect(200);
    await harness.runDue();
    // The lead comes back and is handed over again: a fresh stage entry runs the robots again.
    await harness.as('root').post(`/api/leads/${lead.id}/move`, { stage: 'in_work', comment: 'сделка сорвалась, вернули в работу' }).expect(200);
    await harness.as('root').post(`/api/leads/${lead.id}/move`, { stage: 'handoff_general' }).expect(200);
    await harness.runDue();
    const deals = await harness.as('root').get('/api/deals?pipeline=general').expect(200);
    expect(deals.body.items.filter((deal: { lead_id: number }) => deal.lead_id === lead.id)).toHaveLength(1);
    const timeline = await harness.as('root').get(`/api/leads/${lead.id}/timeline`).expect(200);
    const creates = timeline.body.timeline.filter((entry: { robot?: string }) => entry.robot === 'deal_general');
    expect(creates).toHaveLength(2);
    expect(creates[1].detail).toMatch(/already exists/);
  });

  it('the SLA alert fires once after 30 minutes when nobody took the lead, and not when it was taken in time', async () => {
    const untouched = await createLead({ name: 'Slow', phone: '+79162223344' });
    const taken = await createLead({ name: 'Fast', phone: '+79162223355' });
    await harness.advance(10 * MINUTE);
    await harness.as('anna').post(`/api/leads/${taken.id}/move`, { stage: 'in_work' }).expect(200);
    await harness.advance(25 * MINUTE);
    await harness.advance(60 * MINUTE);

    const slow = await harness.as('olya').get(`/api/messages?item=lead:${untouched.id}`).expect(200);
    expect(slow.body.messages).toHaveLength(1);
    expect(slow.body.messages[0]).toMatchObject({ recipient_login: 'gm' });
    expect(slow.body.messages[0].body).toContain('waits 30 min');
    const fast = await harness.as('olya').get(`/api/messages?item=lead:${taken.id}`).expect(200);
    expect(fast.body.messages).toHaveLength(0);
  });
});
