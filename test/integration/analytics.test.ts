import { startHarness, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';
import { seedFunnel } from '../support/funnel-dataset';

describe.each(testDatabaseKinds())('the funnel report on %s', (kind) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness(kind);
    await seedFunnel(harness);
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
        expect.objectContaining({ stage: 'junk', reason: 'no_budget', refused_by: 'client_refused', count: 1 }),
        expect.objectContaining({ stage: 'junk', reason: 'not_target', refused_by: 'we_refused', count: 1 }),
      ]),
    );
    expect(report.refused_by).toEqual({ we_refused: 1, client_refused: 1 });
    expect(report.by_source).toEqual([
      { source: 'site', name: 'site', items: 4, won: 1, lost: 2, open: 1, decided: 3, win_rate: 33.3 },
      { source: 'partner', name: 'partner', items: 2, won: 1, lost: 0, open: 1, decided: 1, win_rate: 100 },
    ]);
    expect(report.by_manager.find((row: { responsible: string }) => row.responsible === 'anna')).toMatchObject({ items: 4, won: 1, lost: 2 });

    const deals = (await harness.as('olya').get('/api/analytics/funnel?pipeline=services').expect(200)).body;
    expect(deals.stages[0]).toMatchObject({ stage: 'new', entered: 1, current: 1 });
  });

  it('keeps entries as a second figure beside distinct items', async () => {
    const report = (await harness.as('olya').get('/api/analytics/funnel?pipeline=leads').expect(200)).body;
    const stage = (id: string) => report.stages.find((row: { stage: string }) => row.stage === id);
    expect(stage('new')).toMatchObject({ entered: 6, entries: 6, conversion_to_next_by_entries: 100 });
  });

  it('puts names beside the ids: the pipeline, stages, reasons, managers; win rate counts decided items only, open apart', async () => {
    const report = (await harness.as('olya').get('/api/analytics/funnel?pipeline=leads').expect(200)).body;
    expect(report.pipeline_name).toBeTruthy();
    const stage = (id: string) => report.stages.find((row: { stage: string }) => row.stage === id);
    expect(stage('in_work').name).toBe('In work');
    expect(stage('in_work').moved_to_names).toEqual({ handoff_general: 'Hand over — general', handoff_services: 'Hand over — services', junk: 'junk' });
    // A stage or reason without a name or label is shown by its id.
    expect(report.lost_reasons.find((row: { reason: string }) => row.reason === 'no_budget')).toMatchObject({ stage_name: 'junk', reason_label: 'no_budget' });
    expect(report.by_manager.find((row: { responsible: string }) => row.responsible === 'anna').name).toBe('Anna SDR');
    // 2 won, 2 lost, 2 still open: 50 %, not 2 of 2 "closed" counted as every lead.
    expect(report.totals).toEqual({ items: 6, won: 2, lost: 2, open: 2, decided: 4, win_rate: 50 });
  });

  it('is for managers, ops and admins, and names unknown pipelines', async () => {
    const refused = await harness.as('anna').get('/api/analytics/funnel').expect(403);
    expect(refused.body).toMatchObject({ code: 'forbidden.operation', operation: 'analytics.read', detail: 'the first_line role may not see the analytics' });
    await harness.as('gena').get('/api/analytics/funnel').expect(403);
    await harness.as('gm').get('/api/analytics/funnel').expect(200);
    const unknown = await harness.as('root').get('/api/analytics/funnel?pipeline=nope').expect(400);
    expect(unknown.body.detail).toContain('unknown pipeline "nope"');
  });
});

describe.each(testDatabaseKinds())('conversion counts items, not entries, on %s', (kind) => {
  let harness: Harness;
  beforeAll(async () => {
    // Monday 2 March 2026, 01:30 in Moscow: still Sunday 1 March in UTC.
    harness = await startHarness(kind, { start: '2026-03-02T01:30:00+03:00' });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('a lead bounced between two stages counts once; entries stay the second figure; days are the config time zone’s', async () => {
    const lead = async (name: string, phone: string) => (await harness.as('root').post('/api/leads', { name, phone, responsible: 'anna' }).expect(201)).body.id as number;
    const move = (id: number, stage: string) => harness.as('root').post(`/api/leads/${id}/move`, { stage }).expect(200);
    const bouncing = await lead('Bouncing', '+79163000001');
    await lead('Staying', '+79163000002');
    await move(bouncing, 'in_work');
    await move(bouncing, 'new');
    await move(bouncing, 'in_work');
    const report = (await harness.as('root').get('/api/analytics/funnel?pipeline=leads&from=2026-03-02&to=2026-03-03').expect(200)).body;
    const stage = (id: string) => report.stages.find((row: { stage: string }) => row.stage === id);
    // Two leads entered "new", one of them went on: 50 %, not 2 of 3 entries.
    expect(stage('new')).toMatchObject({ entered: 2, entries: 3, moved_to: { in_work: 1 }, conversion_to_next: 50, conversion_to_next_by_entries: 66.7 });
    expect(stage('in_work')).toMatchObject({ entered: 1, entries: 2, moved_to: { new: 1 } });
    // The same day in UTC (1 March) holds none of it.
    const utcDay = (await harness.as('root').get('/api/analytics/funnel?pipeline=leads&from=2026-03-01&to=2026-03-01').expect(200)).body;
    expect(utcDay.stages[0]).toMatchObject({ stage: 'new', entered: 0, entries: 0 });
    // The end day is included: today to today is today.
    const today = (await harness.as('root').get('/api/analytics/funnel?pipeline=leads&from=2026-03-02&to=2026-03-02').expect(200)).body;
    expect(today.stages[0]).toMatchObject({ stage: 'new', entered: 2, entries: 3 });
    expect(today.totals).toMatchObject({ items: 2 });
    const backwards = await harness.as('root').get('/api/analytics/funnel?pipeline=leads&from=2026-03-03&to=2026-03-02').expect(400);
    expect(backwards.body.code).toBe('validation');
  });
});
