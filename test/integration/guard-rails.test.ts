import path from 'node:path';
import { startHarness, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';

const EXAMPLE = path.join(__dirname, '..', '..', 'robots.example.yaml');

/**
 * The shipped example as first-line staff and the head of sales meet it: a lead with only a name
 * cannot be "converted" by hand, a converted lead comes back out only by an admin's hand with a
 * reason, and then it is not announced as a repeat client of itself; georgy opens and lists the
 * unassigned repeat lead his alert is about.
 */
describe.each(testDatabaseKinds())('the example config’s guard rails and the head of sales’ view, on %s', (kind) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness(kind, { configFile: EXAMPLE });
  });
  afterAll(async () => {
    await harness.close();
  });

  async function convertedLead(name: string, phone: string): Promise<number> {
    const lead = (
      await harness
        .as('anna')
        .post('/api/leads', { name, phone, fields: { product: 'Аудит сайта' } })
        .expect(201)
    ).body.id as number;
    await harness.as('anna').post(`/api/leads/${lead}/move`, { stage: 'handoff_general' }).expect(200);
    await harness.runDue();
    expect((await harness.as('anna').get(`/api/leads/${lead}`).expect(200)).body.stage).toBe('converted');
    return lead;
  }

  it('refuses a first-line move of a lead with only a name straight to "converted", with a code, and changes nothing', async () => {
    const lead = (await harness.as('anna').post('/api/leads', { name: 'Пётр Сидоров' }).expect(201)).body.id;

    const refused = await harness.as('anna').post(`/api/leads/${lead}/move`, { stage: 'converted' }).expect(403);

    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({ type: 'urn:robots:move-refused:manual_not_allowed', code: 'move.manual_not_allowed', status: 403 });
    expect(refused.body.detail).toBe('stage "converted" is entered by robots only (manual: false); anna may not move an item there by hand');
    expect((await harness.as('anna').get(`/api/leads/${lead}`).expect(200)).body.stage).toBe('new');
    // Not even an admin converts by hand: a converted lead always has its deal.
    await harness.as('admin').post(`/api/leads/${lead}/move`, { stage: 'converted' }).expect(403);
  });

  it('holds in a bulk move too: each lead refused with the code, the others moved', async () => {
    const ids: number[] = [];
    for (const name of ['Алексей Иванов', 'Наталья Смирнова']) ids.push((await harness.as('anna').post('/api/leads', { name }).expect(201)).body.id as number);
    const toConverted = (await harness.as('anna').post('/api/leads/bulk', { ids, action: 'move', stage: 'converted' }).expect(200)).body;
    expect(toConverted.results).toEqual(ids.map((id) => expect.objectContaining({ id, ok: false, code: 'manual_not_allowed' })));
    const toWork = (await harness.as('anna').post('/api/leads/bulk', { ids, action: 'move', stage: 'in_work' }).expect(200)).body;
    expect(toWork.results).toEqual(ids.map((id) => ({ id, ok: true })));
  });

  it('lets a converted lead back out only by an admin’s hand with a comment, and does not call it a repeat client of itself', async () => {
    const lead = await convertedLead('Ольга Кузнецова', '8 916 555-12-34');

    const firstLine = await harness.as('anna').post(`/api/leads/${lead}/move`, { stage: 'new', comment: 'клиент передумал' }).expect(403);
    expect(firstLine.body.code).toBe('move.reopen_not_allowed');
    const noComment = await harness.as('admin').post(`/api/leads/${lead}/move`, { stage: 'new' }).expect(422);
    expect(noComment.body.code).toBe('move.reopen_comment_required');
    await harness.as('admin').post(`/api/leads/${lead}/move`, { stage: 'new', comment: 'сделка сорвалась, квалифицируем заново' }).expect(200);
    await harness.runDue();

    const reopened = await harness.as('admin').get(`/api/leads/${lead}`).expect(200);
    expect(reopened.body).toMatchObject({ stage: 'new', repeat_client: false });
    const alerts = (await harness.as('olga').get(`/api/messages?item=lead:${lead}`).expect(200)).body.messages;
    expect(alerts.filter((message: { template: string | null }) => message.template === 'repeat_client_alert')).toEqual([]);
  });

  it('georgy opens the unassigned repeat lead his alert links to, and finds it on his board in "new"', async () => {
    await convertedLead('Иван Петров', '+7 (916) 123-45-67');
    const repeat = (await harness.as('anna').post('/api/leads', { name: 'Иван П.', phone: '8 916 123 45 67' }).expect(201)).body.id;
    await harness.runDue();

    const alerts = (await harness.as('georgy').get('/api/messages?limit=500').expect(200)).body.messages;
    const alert = alerts.find((message: { item: string; template: string | null }) => message.item === `lead:${repeat}` && message.template === 'repeat_client_alert');
    expect(alert).toMatchObject({ recipient_login: 'georgy' });
    const opened = await harness.as('georgy').get(`/api/leads/${repeat}`).expect(200);
    expect(opened.body).toMatchObject({ responsible: null, repeat_client: true });
    const board = (await harness.as('georgy').get('/api/leads?stage=new&limit=500').expect(200)).body;
    expect(board.items.map((item: { id: number }) => item.id)).toContain(repeat);
    // The services manager works neither the first line nor this lead.
    const refused = await harness.as('stepan').get(`/api/leads/${repeat}`).expect(404);
    expect(refused.body.code).toBe('not_found');
  });
});
