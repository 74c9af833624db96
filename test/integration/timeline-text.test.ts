import { testDatabaseKinds } from '../support/databases';
import { MINUTE, startHarness, type Harness } from '../support/harness';

/** The timeline in plain sentences (`text`, `at_text`) in the config's `locale`: GET /api/leads/:id/timeline. */
function configIn(locale: 'ru' | 'en' | null): string {
  return `
timezone: Europe/Moscow
${locale ? `locale: ${locale}` : ''}
users:
  - { login: root, name: Администратор, role: admin }
  - { login: anna, name: Анна Петрова, role: first_line, team: first_line }
  - { login: georgy, name: Георгий Морозов, role: manager, team: first_line }
teams:
  first_line: { members: [anna], manager: georgy }
leads:
  team: first_line
  stages:
    - id: new
      name: Новый / New
      robots:
        - { id: first_contact_sla, title: SLA 30 минут / 30-minute SLA, type: notify, after: 30m, to: [manager], text: "Лид ждёт 30 минут" }
        - { id: hour_reminder, title: Напоминание через час / Reminder in an hour, type: notify, after: 1h, to: [manager], text: "Лид ждёт час" }
    - id: in_work
      name: В работе / In work
    - id: junk
      name: Некачественный / Junk
      semantic: lost
      reasons:
        - { id: no_budget, label: Нет бюджета / No budget, refused_by: client_refused }
`;
}

describe.each(testDatabaseKinds())('the timeline in plain sentences, on %s', (kind) => {
  let harness: Harness;
  afterEach(async () => {
    await harness.close();
  });

  /**
   * Anna creates a lead at 09:00; the 30-minute SLA alert runs 3 minutes late (the worker was
   * behind); at 09:40 she takes it in work, which cancels the hour reminder; then the client
   * refuses for lack of budget.
   */
  async function storyOfALead(locale: 'ru' | 'en' | null) {
    harness = await startHarness(kind, { configText: configIn(locale) });
    const leadId = (await harness.as('anna').post('/api/leads', { name: 'Иван Смирнов', phone: '+79161234567' }).expect(201)).body.id as number;
    harness.clock.advance(33 * MINUTE);
    await harness.runDue();
    harness.clock.advance(7 * MINUTE);
    await harness.as('anna').post(`/api/leads/${leadId}/move`, { stage: 'in_work' }).expect(200);
    harness.clock.advance(5 * MINUTE);
    await harness.as('anna').post(`/api/leads/${leadId}/move`, { stage: 'junk', reason: 'no_budget' }).expect(200);
    const answer = await harness.as('root').get(`/api/leads/${leadId}/timeline`).expect(200);
    return answer.body.timeline as Array<{ kind: string; text: string; at_text: string; summary: string }>;
  }

  it('in Russian (the default): names, not ids; who refused whom; how late; why cancelled; times in Moscow', async () => {
    const timeline = await storyOfALead(null);
    expect(timeline.map((entry) => [entry.at_text, entry.text])).toEqual([
      ['2 мар., 09:00', 'Анна Петрова создала лид на стадии «Новый»'],
      ['2 мар., 09:33', 'Робот «SLA 30 минут» отправил уведомление Георгию Морозову (с опозданием на 3 мин)'],
      ['2 мар., 09:33', 'Уведомление Георгию Морозову: сохранено в исходящих (канал не подключён)'],
      ['2 мар., 09:40', 'Анна Петрова перевела лид из «Новый» в «В работе»'],
      ['2 мар., 09:40', 'Робот «Напоминание через час» отменён: лид ушёл со стадии «Новый» в «В работе»'],
      ['2 мар., 09:45', 'Анна Петрова перевела лид из «В работе» в «Некачественный»: клиент отказался — «Нет бюджета»'],
    ]);
    // What tests and scripts read stays as it was.
    expect(timeline.map((entry) => entry.summary)).toEqual([
      'created in new by user:anna',
      'first_contact_sla (notify) done: notified georgy (outbox) (ran 3 min late)',
      'sent outbox to georgy: recorded',
      'new → in_work by user:anna',
      'hour_reminder (notify) cancelled: left stage "new" for "in_work"',
      'in_work → junk (no_budget, client_refused) by user:anna',
    ]);
    const pipelines = await harness.as('anna').get('/api/config/pipelines').expect(200);
    expect(pipelines.body.locale).toBe('ru');
  });

  it('in English with `locale: en`: the English half of the names, the same story', async () => {
    const timeline = await storyOfALead('en');
    expect(timeline.map((entry) => [entry.at_text, entry.text])).toEqual([
      ['Mar 2, 09:00', 'Lead created in “New” by Анна Петрова'],
      ['Mar 2, 09:33', 'The robot “30-minute SLA” sent an alert to Георгий Морозов (3 min late)'],
      ['Mar 2, 09:33', 'Alert to Георгий Морозов: kept in the outbox (no channel connected)'],
      ['Mar 2, 09:40', 'Lead moved from “New” to “In work” by Анна Петрова'],
      ['Mar 2, 09:40', 'The robot “Reminder in an hour” was cancelled: the lead left “New” for “In work”'],
      ['Mar 2, 09:45', 'Lead moved from “In work” to “Junk” by Анна Петрова: the client refused — “No budget”'],
    ]);
    const pipelines = await harness.as('anna').get('/api/config/pipelines').expect(200);
    expect(pipelines.body.locale).toBe('en');
  });
});
