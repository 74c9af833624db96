import { DAY, startHarness, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';

/**
 * What the board needs to be a place to work (README "Web board"): search and filters on the
 * lists, a comment kept with a move, custom fields with their types, people's names, phones
 * written for people.
 */
describe.each(testDatabaseKinds())('the API behind the working board, on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind);
  });
  afterEach(async () => {
    await harness.close();
  });

  const names = (body: { items: Array<{ name: string }> }) => body.items.map((item) => item.name).sort();

  describe('when someone searches the leads with ?q=', () => {
    beforeEach(async () => {
      const root = harness.as('root');
      await root.post('/api/leads', { name: 'Ivan Petrov', phone: '+7 916 123-45-67', email: 'ivan@shop.example', company_name: 'Acme Tools' }).expect(201);
      await root.post('/api/leads', { name: 'Maria Sidorova', phone: '+7 903 555-00-11', email: 'maria@example.org', responsible: 'gena' }).expect(201);
      await root.post('/api/leads', { name: '100% sure_thing', phone: '+7 999 000-00-00' }).expect(201);
    });

    it.each([
      ['part of the phone, as people type it', '916 123', ['Ivan Petrov']],
      ['digits of the phone', '5550011', ['Maria Sidorova']],
      ['part of the name, any case', 'petROV', ['Ivan Petrov']],
      ['part of the email', 'example.org', ['Maria Sidorova']],
      ['part of the company', 'acme', ['Ivan Petrov']],
      ['a LIKE wildcard, as a letter', '%', ['100% sure_thing']],
      ['an underscore, as a letter', 'e_t', ['100% sure_thing']],
      ['nothing that matches', 'nobody', []],
    ])('finds leads by %s', async (_what, q, expected) => {
      const answer = await harness
        .as('root')
        .get(`/api/leads?q=${encodeURIComponent(q)}`)
        .expect(200);
      expect(names(answer.body)).toEqual(expected);
      expect(answer.body.total).toBe(expected.length);
    });

    it('finds only within what the role may see', async () => {
      // Gena (sales) sees the leads he is responsible for: Maria's, not Ivan's.
      expect(names((await harness.as('gena').get('/api/leads?q=example').expect(200)).body)).toEqual(['Maria Sidorova']);
      expect(names((await harness.as('anna').get('/api/leads?q=example').expect(200)).body)).toEqual(['Ivan Petrov', 'Maria Sidorova']);
    });

    it('combines the search with the other filters', async () => {
      expect(names((await harness.as('root').get('/api/leads?q=example&responsible=gena').expect(200)).body)).toEqual(['Maria Sidorova']);
    });

    it('refuses an empty search as a 400 naming q', async () => {
      const answer = await harness.as('root').get('/api/leads?q=%20').expect(400);
      expect(answer.body.errors.map((error: { path: string }) => error.path)).toEqual(['q']);
    });
  });

  it('filters by the day a lead was created, in the config time zone', async () => {
    const root = harness.as('root');
    await root.post('/api/leads', { name: 'Monday lead' }).expect(201); // 2026-03-02 09:00 Moscow
    harness.clock.set(harness.clock.now() + DAY);
    await root.post('/api/leads', { name: 'Tuesday lead' }).expect(201);
    expect(names((await root.get('/api/leads?created_from=2026-03-03').expect(200)).body)).toEqual(['Tuesday lead']);
    expect(names((await root.get('/api/leads?created_to=2026-03-02').expect(200)).body)).toEqual(['Monday lead']);
    expect(names((await root.get('/api/leads?created_from=2026-03-02&created_to=2026-03-03').expect(200)).body)).toEqual(['Monday lead', 'Tuesday lead']);
    expect((await root.get('/api/leads?created_from=March').expect(400)).body.errors[0].path).toBe('created_from');
  });

  it('keeps the comment of a lost move on its history row, and the timeline shows it', async () => {
    const anna = harness.as('anna');
    const lead = (await anna.post('/api/leads', { name: 'Oleg' }).expect(201)).body;
    const moved = await anna.post(`/api/leads/${lead.id}/move`, { stage: 'junk', reason: 'no_budget', comment: '  Asked us to call back next year  ' }).expect(200);
    expect(moved.body.stage).toBe('junk');
    const { timeline } = (await anna.get(`/api/leads/${lead.id}/timeline`).expect(200)).body;
    const lost = timeline.find((entry: { kind: string; stage?: string }) => entry.kind === 'stage' && entry.stage === 'junk');
    expect(lost).toMatchObject({ reason: 'no_budget', comment: 'Asked us to call back next year' });
    // A refused move keeps nothing, comment included.
    const other = (await anna.post('/api/leads', { name: 'Pavel' }).expect(201)).body;
    await anna.post(`/api/leads/${other.id}/move`, { stage: 'junk', comment: 'no reason given' }).expect(422);
    const untouched = (await anna.get(`/api/leads/${other.id}/timeline`).expect(200)).body.timeline;
    expect(untouched.filter((entry: { kind: string }) => entry.kind === 'stage')).toHaveLength(1);
    expect(untouched.some((entry: { comment?: string }) => entry.comment)).toBe(false);
  });

  it('gives the board the custom fields with their types, people by name and form sources by name', async () => {
    const config = (await harness.as('anna').get('/api/config/pipelines').expect(200)).body;
    expect(config.fields).toEqual([
      { id: 'product', label: 'Product', type: 'string' },
      { id: 'interest', label: 'interest', type: 'enum', values: ['goods', 'services'] },
      { id: 'budget', label: 'budget', type: 'number' },
    ]);
    expect(config.users).toContainEqual({ login: 'gena', name: 'Gena General' });
    expect(config.source_labels).toEqual(expect.any(Object));
  });

  it('shows a phone as people write it beside the stored E.164', async () => {
    const lead = (await harness.as('anna').post('/api/leads', { name: 'Ivan', phone: '8 (916) 123-45-67' }).expect(201)).body;
    expect(lead).toMatchObject({ phone: '+79161234567', phone_display: '+7 916 123 45 67' });
    const listed = (await harness.as('anna').get('/api/leads').expect(200)).body.items[0];
    expect(listed.phone_display).toBe('+7 916 123 45 67');
  });
});
