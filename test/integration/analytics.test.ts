import { startHarness, DAY, HOUR, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';

describe.each(testDatabaseKinds())('the funnel report on %s', (kind) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness(kind);
    const lead = async (body: object) => (await harness.as('root').post('/api/leads', body).expect(201)).body.id as number;
    const move = (id: number, body: object) => harness.as('root').post(`/api/leads/${id}/move`, body).expect(200);
    // Four from the site, two from a partner; two handed over, one refused each way, two left in work.
    const site = [];
    for (let index = 0; index < 4; index += 1) site.push(await lead({ name: `Site ${index}`, phone: `+7916100000${index}`, source: 'site', responsible: 'anna', fields: { product: 'p' } }));
    const partner = [await lead({ name: 'Partner 0', phone: '+79162000000', source: 'partner', responsible: 'boris', fields: { product: 'p' } }), await lead({ name: 'Partner 1', phone: '+79162000001', source: 'partner', responsible: 'boris' })];
    for (const id of [...site, ...partner]) await move(id, { stage: 'in_work' });
    await harness.advance(2 * HOUR);
    await move(site[0], { stage: 'handoff_general' });
    await move(partner[0], { stage: 'handoff_services' });
    await harness.runDue();
    await move(site[1], { stage: 'junk', reason: 'no_budget' });
    await move(site[2], { stage: 'junk', reason: 'not_target' });
    await harness.advance(2 * DAY);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('shows conversion stage to stage, time in stage, stuck items, lost reasons and results per source and manager', async () => {
    const report = (await harness.as('olya').get('/api/analytics/funnel?pipeline=leads').expect(200)).body;
    const stage = (id: string) => report.stages.find((row: { stage: string }) => row.stage === id);
    expect(stage('new')).toMatchObject({ entered: 6, current: 0, moved_to: { in_work: 6 }, conversion_to_next: 100 });
    expect(stage('in_work')).toMatchObject({ entered: 6, current: 2, stuck: 2, moved_to: { handoff_general: 1, handoff_services: 1, junk: 2 }, conversion_forward: 66.7 });
    expect(stage('in_work').hours_in_stage.median).toBe(2);
    expect(stage('converted')).toMatchObject({ entered: 2, current: 2, semantic: 'won' });
    expect(report.lost_reasons).toEqual(
      expect.arrayContaining([
        { stage: 'junk', reason: 'no_budget', refused_by: 'client_refused', count: 1 },
        { stage: 'junk', reason: 'not_target', refused_by: 'we_refused', count: 1 },
      ]),
    );
    expect(report.refused_by).toEqual({ we_refused: 1, client_refused: 1 });
    expect(report.by_source).toEqual([
      { source: 'site', items: 4, won: 1, lost: 2, open: 1, win_rate: 33.3 },
      { source: 'partner', items: 2, won: 1, lost: 0, open: 1, win_rate: 100 },
    ]);
    expect(report.by_manager.find((row: { responsible: string }) => row.responsible === 'anna')).toMatchObject({ items: 4, won: 1, lost: 2 });

    const deals = (await harness.as('olya').get('/api/analytics/funnel?pipeline=services').expect(200)).body;
    expect(deals.stages[0]).toMatchObject({ stage: 'new', entered: 1, current: 1 });
  });

  it('is for managers, ops and admins, and names unknown pipelines', async () => {
    await harness.as('anna').get('/api/analytics/funnel').expect(403);
    await harness.as('gena').get('/api/analytics/funnel').expect(403);
    await harness.as('gm').get('/api/analytics/funnel').expect(200);
    const unknown = await harness.as('root').get('/api/analytics/funnel?pipeline=nope').expect(400);
    expect(unknown.body.detail).toContain('unknown pipeline "nope"');
  });
});
