import { labelIn } from '../../config/primitives';
import { loadConfigText } from '../../config/loader';
import { stageOf } from '../../server/core/compiled-config';
import { buildContext } from '../../server/core/context';
import { asItem } from '../../server/core/items';
import { leadRow } from '../support/rows';

const CONFIG = `
locale: ru
users:
  - { login: anna, name: Анна Петрова, role: first_line }
fields:
  budget: { type: number, label: { ru: Бюджет, en: Budget } }
leads:
  name: { ru: Лиды, en: Leads }
  stages:
    - id: new
      name: { ru: Новый, en: New }
    - id: in_work
      name: В работе / In work
    - id: junk
      name: Некачественный
      semantic: lost
      reasons:
        - { id: no_budget, label: { ru: Нет бюджета, en: No budget }, refused_by: client_refused }
`;

describe('names in both languages', () => {
  const result = loadConfigText(CONFIG, 'robots.yaml', Date.parse('2026-03-02T09:00:00Z'));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  const config = result.config;

  it('takes {ru, en} or one string for stages, pipelines, fields and lost reasons, and shows each in the language asked', () => {
    const stage = (id: string) => stageOf(config, 'leads', id)!.name!;
    expect([labelIn(stage('new'), 'ru'), labelIn(stage('new'), 'en')]).toEqual(['Новый', 'New']);
    expect([labelIn(stage('in_work'), 'ru'), labelIn(stage('in_work'), 'en')]).toEqual(['В работе', 'In work']);
    expect([labelIn(stage('junk'), 'ru'), labelIn(stage('junk'), 'en')]).toEqual(['Некачественный', 'Некачественный']);
    expect(labelIn(config.source.fields.budget!.label!, 'en')).toBe('Budget');
    expect(labelIn(stageOf(config, 'leads', 'junk')!.reasons![0]!.label!, 'ru')).toBe('Нет бюджета');
  });

  it('gives templates the stage name in the config’s language', () => {
    const context = buildContext({
      config,
      item: asItem('lead', leadRow({ stage: 'new' })),
      contact: null,
      company: null,
      touchesSent: 0,
      repliesReceived: 0,
      now: Date.parse('2026-03-02T09:00:00Z'),
      publicUrl: 'http://localhost:3000',
    });
    expect((context as { stage: { name: string } }).stage.name).toBe('Новый');
  });

  it('refuses a half-written pair and says both forms a name may take', () => {
    const broken = loadConfigText(CONFIG.replace('name: { ru: Новый, en: New }', 'name: { ru: Новый }'), 'robots.yaml', Date.now());
    expect(broken.ok).toBe(false);
    expect(broken.ok ? [] : broken.issues).toEqual([expect.objectContaining({ line: 11, path: 'leads.stages[0].name', message: 'a name is one string, or the same words in both languages: {ru: Новый, en: New}' })]);
  });
});
