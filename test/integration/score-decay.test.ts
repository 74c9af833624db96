import { testDatabaseKinds } from '../support/databases';
import { DAY, HOUR, startHarness, type Harness } from '../support/harness';
import { applyScoreDecay, decayedScore } from '../../server/sweeps/score-decay';

const CONFIG = `
timezone: Europe/Moscow
users:
  - { login: root, name: Root, role: admin }
scoring:
  decay_per_day: 5
  rules:
    - { event: webhook, points: 60 }
leads:
  stages:
    - id: new
    - id: nurture
      triggers:
        - { id: gone_cold, type: score_dropped, below: 20, condition: { in: [{ var: stage.id }, [warm, hot]] } }
    - id: warm
      triggers:
        - { id: warm_by_score, type: score_reached, threshold: 30 }
        - { id: cooled_down, type: score_dropped, below: 50, condition: { "==": [{ var: stage.id }, hot] } }
    - id: hot
      triggers:
        - { id: hot_by_score, type: score_reached, threshold: 60 }
    - id: won
      semantic: won
`;

describe('decay, pure', () => {
  const t0 = Date.parse('2026-03-02T09:00:00Z');
  it('counts whole quiet days only, keeps the part of a day not yet counted, never goes below zero', () => {
    expect(decayedScore(60, t0, t0 + 23 * HOUR, 5)).toBeNull();
    expect(decayedScore(60, t0, t0 + 3 * DAY + 5 * HOUR, 5)).toEqual({ to: 45, scoredAt: t0 + 3 * DAY });
    expect(decayedScore(8, t0, t0 + 10 * DAY, 5)).toEqual({ to: 0, scoredAt: t0 + 10 * DAY });
    expect(decayedScore(60, t0, t0 + DAY, 0.5)).toBeNull(); // half a point is not yet a point
    expect(decayedScore(60, t0, t0 + 2 * DAY, 0.5)).toEqual({ to: 59, scoredAt: t0 + 2 * DAY });
    expect(decayedScore(0, t0, t0 + 9 * DAY, 5)).toBeNull();
  });
});

describe.each(testDatabaseKinds())('scores cool down on the clock on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterEach(async () => {
    await harness.close();
  });

  const lead = async (id: number) => (await harness.as('root').get(`/api/leads/${id}`).expect(200)).body as { stage: string; score: number };

  it('a hot lead left quiet cools to warm, then back to nurture; the card shows the current score', async () => {
    const { id } = (await harness.as('root').post('/api/leads', { name: 'Quiet', phone: '+79165550001' }).expect(201)).body;
    await harness.runtime.inbound.ingest({ type: 'webhook', item: { kind: 'lead', id }, actor: 'hook:crm', payload: { hook: 'crm' } });
    expect(await lead(id)).toMatchObject({ stage: 'hot', score: 60 });

    await harness.advance(2 * DAY + HOUR);
    expect(await lead(id)).toMatchObject({ stage: 'hot', score: 50 });
    await harness.advance(DAY);
    expect(await lead(id)).toMatchObject({ stage: 'warm', score: 45 });
    await harness.advance(6 * DAY);
    expect(await lead(id)).toMatchObject({ stage: 'nurture', score: 15 });

    const timeline = (await harness.as('root').get(`/api/leads/${id}/timeline`).expect(200)).body.timeline as Array<{ kind: string; actor?: string; stage?: string }>;
    expect(timeline.filter((entry) => entry.kind === 'stage').map((entry) => `${entry.stage} by ${entry.actor}`)).toEqual([
      'new by user:root',
      'hot by trigger:hot_by_score',
      'warm by trigger:cooled_down',
      'nurture by trigger:gone_cold',
    ]);
  });

  it('two workers sweeping at once decay an item once', async () => {
    const { id } = (await harness.as('root').post('/api/leads', { name: 'Twice', phone: '+79165550002' }).expect(201)).body;
    await harness.runtime.inbound.ingest({ type: 'webhook', item: { kind: 'lead', id }, actor: 'hook:crm', payload: { hook: 'crm' } });
    harness.clock.set(harness.clock.now() + 2 * DAY + HOUR);
    const changed = await Promise.all([applyScoreDecay(harness.runtime), applyScoreDecay(harness.runtime)]);
    expect(changed.reduce((sum, count) => sum + count, 0)).toBe(1);
    expect((await lead(id)).score).toBe(50);
    const events = (await harness.as('root').get(`/api/events?item=lead:${id}`).expect(200)).body.events as Array<{ type: string; payload: { reason?: string } }>;
    expect(events.filter((event) => event.type === 'score_changed' && event.payload.reason === 'decay')).toHaveLength(1);
  });
});
