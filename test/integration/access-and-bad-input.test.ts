import request from 'supertest';
import { startHarness, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';

describe.each(testDatabaseKinds())('roles and bad input on %s', (kind) => {
  let harness: Harness;
  let generalDeal: number;
  let servicesDeal: number;

  beforeAll(async () => {
    harness = await startHarness(kind);
    generalDeal = (await harness.as('root').post('/api/deals', { pipeline: 'general', title: 'G', responsible: 'gena' }).expect(201)).body.id;
    servicesDeal = (await harness.as('root').post('/api/deals', { pipeline: 'services', title: 'S', responsible: 'semen' }).expect(201)).body.id;
  });
  afterAll(async () => {
    await harness.close();
  });

  describe('who sees what', () => {
    it('first-line staff see and move leads but no deals', async () => {
      const lead = await harness.as('anna').post('/api/leads', { name: 'A' }).expect(201);
      await harness.as('anna').post(`/api/leads/${lead.body.id}/move`, { stage: 'in_work' }).expect(200);
      await harness.as('anna').get('/api/deals').expect(403);
      await harness.as('anna').get(`/api/deals/${generalDeal}`).expect(404);
      await harness.as('anna').post('/api/deals', { pipeline: 'general' }).expect(403);
    });

    it("sales see their own team's pipeline only, and only their own leads", async () => {
      await harness.as('gena').get(`/api/deals/${generalDeal}`).expect(200);
      await harness.as('gena').get(`/api/deals/${servicesDeal}`).expect(404);
      await harness.as('gena').post(`/api/deals/${servicesDeal}/move`, { stage: 'offer' }).expect(404);
      const list = await harness.as('gena').get('/api/deals').expect(200);
      expect(list.body.items.map((deal: { pipeline: string }) => deal.pipeline)).toEqual(expect.arrayContaining(['general']));
      expect(list.body.items.every((deal: { pipeline: string }) => deal.pipeline === 'general')).toBe(true);

      const mine = await harness.as('root').post('/api/leads', { name: 'Mine', responsible: 'gena' }).expect(201);
      const theirs = await harness.as('root').post('/api/leads', { name: 'Theirs', responsible: 'semen' }).expect(201);
      await harness.as('gena').get(`/api/leads/${mine.body.id}`).expect(200);
      await harness.as('gena').get(`/api/leads/${theirs.body.id}`).expect(404);
      const leads = await harness.as('gena').get('/api/leads').expect(200);
      expect(leads.body.items.every((lead: { responsible: string }) => lead.responsible === 'gena')).toBe(true);
    });

    it("managers see their team's everything, not the other team's", async () => {
      await harness.as('sm').get(`/api/deals/${servicesDeal}`).expect(200);
      await harness.as('sm').post(`/api/deals/${servicesDeal}/move`, { stage: 'offer' }).expect(200);
      await harness.as('sm').get(`/api/deals/${generalDeal}`).expect(404);
      await harness.as('sm').get('/api/runs').expect(200);
    });

    it('ops read and run the machinery but do not move items; only ops and admin reload the config', async () => {
      await harness.as('olya').get(`/api/deals/${generalDeal}`).expect(200);
      await harness.as('olya').post(`/api/deals/${generalDeal}/move`, { stage: 'offer' }).expect(403);
      await harness.as('olya').get('/api/messages').expect(200);
      await harness.as('gena').get('/api/messages').expect(403);
      await harness.as('gena').post('/api/config/reload').expect(403);
      await harness.as('olya').post('/api/config/reload').expect(200);
    });

    it('admins add API users and issue and revoke their tokens; nobody else may', async () => {
      await harness.as('olya').get('/api/users').expect(403);
      await harness.as('gm').post('/api/users', { login: 'bot', role: 'ops' }).expect(403);
      const created = await harness.as('root').post('/api/users', { login: 'crm_sync', role: 'ops', name: 'CRM sync' }).expect(201);
      expect(created.body).toMatchObject({ login: 'crm_sync', role: 'ops', origin: 'cli' });
      await harness.as('root').post('/api/users', { login: 'x', role: 'boss' }).expect(400);
      const issued = await harness.as('root').post('/api/users/crm_sync/tokens').expect(201);
      expect(issued.body.token).toMatch(/^rbt_/);
      const asBot = () => request(harness.app).get('/api/runs').set('Authorization', `Bearer ${issued.body.token}`);
      await asBot().expect(200);
      const listed = await harness.as('root').get('/api/users').expect(200);
      expect(listed.body.users.find((user: { login: string }) => user.login === 'crm_sync')).toMatchObject({ tokens: 1, origin: 'cli' });
      expect(listed.body.users.find((user: { login: string }) => user.login === 'anna')).toMatchObject({ role: 'first_line', origin: 'config' });
      const revoked = await harness.as('root').delete('/api/users/crm_sync/tokens').expect(200);
      expect(revoked.body.revoked).toBe(1);
      await asBot().expect(401);
      await harness.as('root').post('/api/users/nobody/tokens').expect(404);
    });

    it('no token or an unknown token is 401 problem+json', async () => {
      const anonymous = await request(harness.app).get('/api/leads').expect(401);
      expect(anonymous.headers['content-type']).toContain('application/problem+json');
      await request(harness.app).get('/api/leads').set('Authorization', 'Bearer rbt_nope').expect(401);
      await request(harness.app).get('/healthz').expect(200);
    });
  });

  describe('bad input is refused clearly and nothing is written', () => {
    async function snapshot(leadId: number) {
      const lead = await harness.as('root').get(`/api/leads/${leadId}`).expect(200);
      const timeline = await harness.as('root').get(`/api/leads/${leadId}/timeline`).expect(200);
      return { lead: lead.body, timeline: timeline.body.timeline };
    }

    it('a body that fails its schema is a 400 naming every failing field', async () => {
      const response = await harness
        .as('anna')
        .post('/api/leads', { name: 42, colour: 'red', fields: { product: 'x' } })
        .expect(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['colour', 'name']);
      const bad = await harness
        .as('anna')
        .post('/api/leads', { name: 'x', phone: 'call me', fields: { unknown_field: 1, budget: 'lots' } })
        .expect(400);
      expect(bad.body.detail).toMatch(/phone/);
      expect(bad.body.detail).toMatch(/unknown_field/);
      expect(bad.body.detail).toMatch(/budget: expected a number/);
      const leads = await harness.as('root').get('/api/leads?limit=500').expect(200);
      expect(leads.body.items.some((lead: { name: string }) => lead.name === 'x')).toBe(false);
    });

    it('malformed JSON is a 400 problem', async () => {
      const response = await harness.as('anna').post('/api/leads').set('content-type', 'application/json').send('{"name": ').expect(400);
      expect(response.body.type).toBe('urn:robots:invalid-json');
    });

    it('a move that lacks required fields is a 422 naming them, and nothing changes', async () => {
      const lead = await harness.as('anna').post('/api/leads', { name: 'Needs data' }).expect(201);
      const before = await snapshot(lead.body.id);
      const refused = await harness.as('anna').post(`/api/leads/${lead.body.id}/move`, { stage: 'handoff_services' }).expect(422);
      expect(refused.body.missing_fields).toEqual(['phone', 'product']);
      expect(refused.body.detail).toContain('requires phone, product');
      expect(await snapshot(lead.body.id)).toEqual(before);
    });

    it('a lost stage needs an allowed reason and records who refused whom', async () => {
      const lead = await harness.as('anna').post('/api/leads', { name: 'Lost' }).expect(201);
      const before = await snapshot(lead.body.id);
      const noReason = await harness.as('anna').post(`/api/leads/${lead.body.id}/move`, { stage: 'junk' }).expect(422);
      expect(noReason.body.allowed_reasons).toEqual(['no_budget', 'not_target']);
      await harness.as('anna').post(`/api/leads/${lead.body.id}/move`, { stage: 'junk', reason: 'expensive' }).expect(422);
      await harness.as('anna').post(`/api/leads/${lead.body.id}/move`, { stage: 'junk', reason: 'no_budget', refused_by: 'we_refused' }).expect(422);
      expect(await snapshot(lead.body.id)).toEqual(before);
      const moved = await harness.as('anna').post(`/api/leads/${lead.body.id}/move`, { stage: 'junk', reason: 'no_budget' }).expect(200);
      expect(moved.body).toMatchObject({ stage: 'junk', lost_reason: 'no_budget', refused_by: 'client_refused' });
    });

    it('an unknown stage or item is refused', async () => {
      const lead = await harness.as('anna').post('/api/leads', { name: 'Where' }).expect(201);
      const unknown = await harness.as('anna').post(`/api/leads/${lead.body.id}/move`, { stage: 'nowhere' }).expect(422);
      expect(unknown.body.detail).toContain('unknown stage "nowhere"');
      await harness.as('anna').get('/api/leads/999999').expect(404);
      await harness.as('anna').get('/api/leads/abc').expect(400);
    });
  });
});
