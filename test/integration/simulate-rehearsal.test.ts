import path from 'node:path';
import { loadConfigOrThrow, loadConfigText } from '../../config/loader';
import type { CompiledConfig } from '../../server/core/compiled-config';
import { simulate } from '../../server/simulate';

/** YAML written line by line. */
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

function config(text: string): CompiledConfig {
  const result = loadConfigText(text, 'robots.yaml');
  if (!result.ok) throw new Error(result.issues.map((issue) => `${issue.line}:${issue.col} ${issue.message}`).join('\n'));
  return result.config;
}

const COOLING = config(
  yaml(
    'timezone: Europe/Moscow',
    'scoring:',
    '  decay_per_day: 5',
    '  rules:',
    '    - { event: page_visit, points: 20 }',
    'leads:',
    '  stages:',
    '    - id: nurture',
    '      triggers:',
    '        - { id: cooled, type: score_dropped, below: 10 }',
    '    - id: warm',
    '      triggers:',
    '        - { id: warmed, type: score_reached, threshold: 20 }',
  ),
);

describe('simulate: score decay', () => {
  it('a lead at 20 points loses 5 a quiet day, and its score_dropped trigger moves it on the third day, not at the horizon', async () => {
    const result = await simulate(COOLING, {
      start: '2026-03-02T10:00:00+03:00',
      horizon: '10d',
      item: { name: 'Мария Кузнецова', phone: '8 916 555-12-34', stage: 'nurture' },
      events: [{ at: '+0m', event: { type: 'page_visit', payload: { page: '/pricing' } } }],
    });
    // 20 → 15 → 10 → 5 → 0, a quiet day each; the first score_changed is the visit's own.
    const scored = result.timeline.filter((entry) => entry.kind === 'event' && entry.summary.startsWith('score_changed:')).map((entry) => entry.offset);
    expect(scored).toEqual(['+0m', '+1d', '+2d', '+3d', '+4d']);
    const moves = result.timeline.filter((entry) => entry.kind === 'stage').map((entry) => `${entry.offset} ${entry.summary}`);
    expect(moves).toEqual([expect.stringMatching(/^\+0m created in nurture/), expect.stringMatching(/^\+0m nurture → warm by trigger:warmed/), expect.stringMatching(/^\+3d warm → nurture by trigger:cooled/)]);
  });
});

describe('simulate: the auto-callback chain with scripted answers', () => {
  const example = loadConfigOrThrow(path.join(__dirname, '..', '..', 'robots.example.yaml'));
  const hotLead = (callAnswers: unknown[]) => ({
    start: '2026-03-02T10:00:00+03:00',
    horizon: '1h',
    item: { name: 'Мария Соколова', phone: '8 (916) 555-12-34', source: 'website' },
    events: [{ at: '+5m', event: { type: 'form_submitted', payload: { form: 'callback' } } }],
    call_answers: callAnswers,
  });
  const lines = (result: Awaited<ReturnType<typeof simulate>>) => result.timeline.map((entry) => `${entry.offset} ${entry.kind} ${entry.summary}`);

  it('nobody answers: the next agent is rung after the ring timeout, then the manager is alerted and gets a task', async () => {
    const result = lines(await simulate(example, hotLead([{ status: 'no-answer' }, { status: 'busy', after: '3s' }])));
    expect(result).toEqual(
      expect.arrayContaining([
        '+5m call call 1 to anna: no-answer, rang 20 s',
        '+5m20s event call_progress: calling boris (+79000000102), attempt 2',
        '+5m20s call call 2 to boris: busy, rang 3 s',
        expect.stringMatching(/^\+5m23s message sent telegram to georgy: recorded/),
        '+5m23s task task for georgy: Call back Мария Соколова (+79165551234): nobody answered the auto-callback',
      ]),
    );
  });

  it('the second agent picks up: bridged, talked, and nobody else is rung or alerted', async () => {
    const result = lines(
      await simulate(
        example,
        hotLead([
          { status: 'no-answer', after: '10s' },
          { status: 'answered', after: '4s', talk: '3m' },
        ]),
      ),
    );
    expect(result).toEqual(expect.arrayContaining(['+5m call call 1 to anna: no-answer, rang 10 s', '+5m10s call call 2 to boris: completed, rang 4 s, talked 180 s']));
    expect(result.filter((entry) => / task /.test(entry) || /Nobody answered/.test(entry))).toEqual([]);
  });
});
