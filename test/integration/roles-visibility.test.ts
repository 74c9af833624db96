import request from 'supertest';
import { MINUTE, startHarness, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';

/**
 * README "Roles", what the lists show: a manager's runs, messages and events are their team's
 * items; a filter by an item they may not see is a 404 like one that does not exist; users
 * added by the API are real users.
 */
describe.each(testDatabaseKinds())('what each role sees in the lists, on %s', (kind) => {
  let harness: Harness;
  const items = { servicesLead: 0, generalLead: 0, unassignedLead: 0, servicesDeal: 0, generalDeal: 0 };

  beforeAll(async () => {
    harness = await startHarness(kind);
    const root = harness.as('root');
    items.servicesLead = (await root.post('/api/leads', { name: 'S lead', responsible: 'semen' }).expect(201)).body.id;
    items.generalLead = (await root.post('/api/leads', { name: 'G lead', responsible: 'gena' }).expect(201)).body.id;
    items.unassignedLead = (await root.post('/api/leads', { name: 'Nobody’s lead' }).expect(201)).body.id;
    items.servicesDeal = (await root.post('/api/deals', { pipeline: 'services', title: 'S deal', responsible: 'semen' }).expect(201)).body.id;
    items.generalDeal = (await root.post('/api/deals', { pipeline: 'general', title: 'G deal', responsible: 'gena' }).expect(201)).body.id;
    await root.patch(`/api/deals/${items.generalDeal}`, { title: 'G deal, renamed' }).expect(200);
    await root.patch(`/api/deals/${items.servicesDeal}`, { title: 'S deal, renamed' }).expect(200);
    // The new-deal alerts go out now; the unassigned lead's SLA alert to its manager (gm) in 30 minutes.
    await harness.advance(31 * MINUTE);
  });
  afterAll(async () => {
    await harness.close();
  });

  const itemsOf = (rows: Array<{ item: string | null }>) => [...new Set(rows.map((row) => row.item))].sort();
  const ref = (kind: 'lead' | 'deal', id: number) => `${kind}:${id}`;

  it("a manager's runs, messages and events are those of their team's items; admins and ops see all", async () => {
    const services = [ref('lead', items.servicesLead), ref('deal', items.servicesDeal)].sort();
    const runs = (await harness.as('sm').get('/api/runs').expect(200)).body.runs;
    expect(itemsOf(runs)).toEqual(services);
    const events = (await harness.as('sm').get('/api/events').expect(200)).body.events;
    expect(itemsOf(events)).toEqual([ref('deal', items.servicesDeal)]);
    // The new-deal alert, and the SLA alert on the services lead (to sm, its responsible's manager).
    const messages = (await harness.as('sm').get('/api/messages').expect(200)).body.messages;
    expect(itemsOf(messages)).toEqual(services);

    for (const login of ['root', 'olya']) {
      const all = (await harness.as(login).get('/api/runs?limit=500').expect(200)).body.runs;
      expect(itemsOf(all)).toEqual(expect.arrayContaining([...services, ref('lead', items.generalLead), ref('deal', items.generalDeal), ref('lead', items.unassignedLead)]));
      const allEvents = (await harness.as(login).get('/api/events').expect(200)).body.events;
      expect(itemsOf(allEvents)).toEqual([ref('deal', items.generalDeal), ref('deal', items.servicesDeal)].sort());
    }
  });

  it('filters on top of the scope narrow it, never widen it', async () => {
    const scheduled = (await harness.as('sm').get('/api/runs?status=done').expect(200)).body.runs;
    expect(scheduled.every((run: { item: string }) => [ref('lead', items.servicesLead), ref('deal', items.servicesDeal)].includes(run.item))).toBe(true);
    const telegram = (await harness.as('sm').get('/api/messages?channel=telegram&recipient_login=gena').expect(200)).body.messages;
    expect(telegram).toEqual([]);
    const leads = (await harness.as('gena').get('/api/leads?responsible=semen').expect(200)).body;
    expect(leads).toMatchObject({ items: [], total: 0 });
    const deals = (await harness.as('gena').get('/api/deals?pipeline=services').expect(200)).body;
    expect(deals).toMatchObject({ items: [], total: 0 });
  });

  it("the first line's manager opens the unassigned lead his alert is about and finds it on his board; another team's manager does not", async () => {
    const gm = (await harness.as('gm').get('/api/messages').expect(200)).body.messages;
    expect(gm.find((message: { item: string; recipient_login: string }) => message.item === ref('lead', items.unassignedLead))).toMatchObject({ recipient_login: 'gm' });
    await harness.as('gm').get(`/api/leads/${items.unassignedLead}`).expect(200);
    const board = (await harness.as('gm').get('/api/leads?stage=new&limit=500').expect(200)).body;
    expect(board.items.map((item: { id: number }) => item.id)).toContain(items.unassignedLead);
    const sm = (await harness.as('sm').get('/api/messages').expect(200)).body.messages;
    expect(sm.some((message: { item: string }) => message.item === ref('lead', items.unassignedLead))).toBe(false);
    // An item one may not see is answered as one that does not exist: an id tried tells nothing.
    const hidden = await harness.as('sm').get(`/api/leads/${items.unassignedLead}`).expect(404);
    expect(hidden.body).toMatchObject({ code: 'not_found', detail: `lead ${items.unassignedLead} not found` });
  });

  it.each([
    ['runs', 'sm', () => `/api/runs?item=deal:${items.generalDeal}`],
    ['messages', 'sm', () => `/api/messages?item=deal:${items.generalDeal}`],
    ['events', 'sm', () => `/api/events?item=lead:${items.generalLead}`],
    ['events', 'gena', () => `/api/events?item=lead:${items.servicesLead}`],
    ['events', 'anna', () => `/api/events?item=deal:${items.servicesDeal}`],
  ])('%s filtered by an item %s may not see answer as if it did not exist', async (_list, login, url) => {
    const hidden = await harness.as(login).get(url()).expect(404);
    const missing = await harness.as(login).get(url().replace(/:\d+$/, ':999999')).expect(404);
    expect({ type: hidden.body.type, title: hidden.body.title }).toEqual({ type: missing.body.type, title: missing.body.title });
    expect(hidden.body.detail).toMatch(/not found$/);
  });

  it("the funnel of a deal pipeline is for its own team's manager, ops and admins", async () => {
    await harness.as('sm').get('/api/analytics/funnel?pipeline=services').expect(200);
    const refused = await harness.as('sm').get('/api/analytics/funnel?pipeline=general').expect(403);
    expect(refused.body.detail).toContain('general');
    await harness.as('gm').get('/api/analytics/funnel?pipeline=general').expect(200);
    await harness.as('gm').get('/api/analytics/funnel?pipeline=services').expect(403);
    await harness.as('olya').get('/api/analytics/funnel?pipeline=general').expect(200);
    await harness.as('root').get('/api/analytics/funnel?pipeline=services').expect(200);
    await harness.as('sm').get('/api/analytics/funnel').expect(200);
  });

  describe('users added through the API are real users', () => {
    let newbieToken: string;
    beforeAll(async () => {
      await harness.as('root').post('/api/users', { login: 'newbie', role: 'sales', team: 'services', name: 'New Seller' }).expect(201);
      newbieToken = (await harness.as('root').post('/api/users/newbie/tokens').expect(201)).body.token;
    });
    const asNewbie = () => ({
      get: (url: string) => request(harness.app).get(url).set('Authorization', `Bearer ${newbieToken}`),
      post: (url: string, body: object) => request(harness.app).post(url).set('Authorization', `Bearer ${newbieToken}`).send(body),
    });

    it('they can be made responsible for a new lead or deal', async () => {
      const lead = await harness.as('root').post('/api/leads', { name: 'For the newbie', responsible: 'newbie' }).expect(201);
      expect(lead.body.responsible).toBe('newbie');
      const deal = await harness.as('sm').post('/api/deals', { pipeline: 'services', title: 'Newbie deal', responsible: 'newbie' }).expect(201);
      expect(deal.body.responsible).toBe('newbie');
      const unknown = await harness.as('root').post('/api/leads', { name: 'x', responsible: 'nobody_at_all' }).expect(400);
      expect(unknown.body.detail).toContain('unknown user "nobody_at_all"');
    });

    it('what they create is theirs, and their team’s manager sees it (as does the first line’s, who works every lead); another team’s sales do not', async () => {
      const mine = await asNewbie().post('/api/leads', { name: 'Newbie’s own' }).expect(201);
      expect(mine.body.responsible).toBe('newbie');
      await asNewbie().get(`/api/leads/${mine.body.id}`).expect(200);
      await harness.as('sm').get(`/api/leads/${mine.body.id}`).expect(200);
      await harness.as('sm').get(`/api/events?item=lead:${mine.body.id}`).expect(200);
      const list = (await harness.as('sm').get('/api/leads?responsible=newbie').expect(200)).body;
      expect(list.items.map((item: { id: number }) => item.id)).toContain(mine.body.id);
      await harness.as('gm').get(`/api/leads/${mine.body.id}`).expect(200);
      await harness.as('gena').get(`/api/leads/${mine.body.id}`).expect(404);
    });

    it('a patch can make them responsible, and a patch naming nobody is refused', async () => {
      const lead = await harness.as('root').post('/api/leads', { name: 'Reassigned' }).expect(201);
      const patched = await harness.as('root').patch(`/api/leads/${lead.body.id}`, { responsible: 'newbie' }).expect(200);
      expect(patched.body.responsible).toBe('newbie');
      const refused = await harness.as('root').patch(`/api/leads/${lead.body.id}`, { responsible: 'nobody_at_all' }).expect(400);
      expect(refused.body.detail).toContain('unknown user "nobody_at_all"');
    });

    it("a user of robots.yaml cannot be rewritten through the API: that is the YAML's job", async () => {
      const refused = await harness.as('root').post('/api/users', { login: 'anna', role: 'admin' }).expect(409);
      expect(refused.body.detail).toContain('robots.yaml');
      const users = (await harness.as('root').get('/api/users').expect(200)).body.users;
      expect(users.find((user: { login: string }) => user.login === 'anna')).toMatchObject({ role: 'first_line', origin: 'config' });
    });
  });
});
