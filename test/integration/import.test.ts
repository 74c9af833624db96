import iconv from 'iconv-lite';
import { testDatabaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

/** Leads from a CRM's CSV export: what went in, what was a duplicate, which row was refused and why. */
const CONFIG = `
timezone: Europe/Moscow
locale: ru
default_region: RU
users:
  - { login: root, name: Корнеев Admin, role: admin }
  - { login: olya, name: Ольга Опс, role: ops }
  - { login: gena, name: Геннадий Орлов, role: sales, team: general }
teams:
  general: { members: [gena], manager: root }
fields:
  city: { type: string, label: Город }
  budget: { type: number, label: { ru: Бюджет, en: Budget } }
leads:
  stages:
    - id: new
      robots:
        - { id: first_call, type: create_task, title: "Позвонить {{item.name}}", due_in: 1h, assignee: root }
    - id: in_work
`;

/** As Bitrix24 exports leads and Excel on a Russian Windows saves them: Windows-1251, `;`, the name in parts, two phone columns. */
const BITRIX_ROWS = [
  'Фамилия;Имя;Отчество;Рабочий телефон;Мобильный телефон;Рабочий e-mail;Компания;Источник;Город;Бюджет;Комментарий',
  'Иванов;Иван;Иванович;8 916 123-45-67;;ivan@ivanov.ru;ООО «Ромашка»;Сайт;Москва;150 000;звонить после 18',
  'Петрова;Анна;;;+7 (903) 765-43-21;;;Звонок;Казань;;',
  'Сидоров;Пётр;;12-34;;;;;;;номер с ошибкой',
  ';;;;;;;Сайт;;;пустая строка',
  'Кузнецова;Мария;;+7 (916) 555-00-11;;Maria@Kuznetsova.RU;АО «Вектор»;Авито;Тверь;много;',
  'Иванов;Иван;;+7 916 123 45 67;;;ООО «Ромашка»;Повтор;;;дубль первой строки',
];
const bitrixFile = () => iconv.encode(`${BITRIX_ROWS.join('\r\n')}\r\n`, 'win1251');

describe.each(testDatabaseKinds())('importing leads from CSV, on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterEach(async () => {
    await harness.close();
  });

  const importCsv = (body: Buffer, query = '', as = 'olya') => harness.as(as).upload(`/api/import${query}`, body, 'text/csv');
  const leads = async () => (await harness.as('root').get('/api/leads?limit=100&sort=created_at').expect(200)).body.items as Array<Record<string, unknown>>;

  it('a Windows-1251 Bitrix24 export goes in: names put together, phones in E.164, a bad row and a blank one reported, the file’s own duplicate skipped, no robot fired', async () => {
    const answer = await importCsv(bitrixFile()).expect(201);
    expect(answer.body).toMatchObject({ encoding: 'windows-1251', delimiter: ';', rows: 6, created: 2, updated: 0, skipped: 1, failed: 3, run_robots: false });
    expect(answer.body.columns).toMatchObject({ phone: ['Рабочий телефон', 'Мобильный телефон'], email: ['Рабочий e-mail'], company_name: ['Компания'], city: ['Город'], budget: ['Бюджет'] });
    expect(answer.body.ignored_columns).toEqual(['Комментарий']);
    expect(answer.body.errors).toEqual([
      { row: 4, column: 'Рабочий телефон', message: '"12-34" is not a phone number (default region RU)' },
      { row: 5, column: null, message: 'a lead needs at least a name, a phone or an email' },
      { row: 6, column: 'Бюджет', message: 'expected a number' },
    ]);
    const imported = await leads();
    expect(imported.map((lead) => [lead.name, lead.phone, lead.email, lead.company_name, lead.stage])).toEqual([
      ['Иванов Иван Иванович', '+79161234567', 'ivan@ivanov.ru', 'ООО «Ромашка»', 'new'],
      ['Петрова Анна', '+79037654321', null, null, 'new'],
    ]);
    expect(imported[0]!.fields).toEqual({ city: 'Москва', budget: 150000 });
    // Imported leads enter their first stage quietly: its robot made no task.
    await harness.runDue();
    expect((await harness.as('root').get('/api/tasks?assignee=me').expect(200)).body.total).toBe(0);
    // Written through records: search finds them by any part of the name.
    const found = (
      await harness
        .as('root')
        .get(`/api/leads?q=${encodeURIComponent('петрова')}`)
        .expect(200)
    ).body.items;
    expect(found.map((lead: { name: string }) => lead.name)).toEqual(['Петрова Анна']);
  });

  it('a duplicate by phone or email updates the lead with the row’s filled cells when asked, and is left alone otherwise', async () => {
    const known = (await harness.as('root').post('/api/leads', { name: 'Иван И.', phone: '+7 916 123-45-67' }).expect(201)).body.id as number;
    const csv = Buffer.from('\uFEFFФИО,Телефон,E-mail,Компания\r\nИванов Иван Иванович,8 (916) 123-45-67,ivan@ivanov.ru,ООО «Ромашка»\r\n', 'utf8');
    const skipped = await importCsv(csv).expect(201);
    expect(skipped.body).toMatchObject({ encoding: 'utf-8', delimiter: ',', created: 0, skipped: 1, updated: 0 });
    expect((await harness.as('root').get(`/api/leads/${known}`).expect(200)).body).toMatchObject({ name: 'Иван И.', email: null });
    const updated = await importCsv(csv, '?duplicates=update').expect(201);
    expect(updated.body).toMatchObject({ created: 0, updated: 1 });
    expect((await harness.as('root').get(`/api/leads/${known}`).expect(200)).body).toMatchObject({ name: 'Иванов Иван Иванович', email: 'ivan@ivanov.ru', company_name: 'ООО «Ромашка»', stage: 'new' });
    expect(await leads()).toHaveLength(1);
  });

  it('with run_robots the first stage’s robots fire for each new lead; a dry run counts and writes nothing', async () => {
    const csv = Buffer.from('Имя;Телефон\r\nОльга Смирнова;89031112233\r\nДмитрий Козлов;+7 903 444-55-66\r\n', 'utf8');
    const dry = await importCsv(csv, '?dry_run=1').expect(200);
    expect(dry.body).toMatchObject({ dry_run: true, created: 2, failed: 0 });
    expect(await leads()).toHaveLength(0);
    await importCsv(csv, '?run_robots=true').expect(201);
    await harness.runDue();
    const tasks = (await harness.as('root').get('/api/tasks?assignee=me').expect(200)).body;
    expect(tasks.total).toBe(2);
  });

  it('columns named by map; sales may not import; a file with no name, phone or email column is refused whole', async () => {
    const csv = Buffer.from('Клиент сказал;Номер\r\nЕлена Волкова;8 916 000-11-22\r\n', 'utf8');
    const mapped = await importCsv(csv, `?map=${encodeURIComponent('name=Клиент сказал,phone=Номер')}`).expect(201);
    expect(mapped.body).toMatchObject({ created: 1, columns: { name: ['Клиент сказал'], phone: ['Номер'] } });
    await importCsv(csv, '', 'gena').expect(403);
    const refused = await importCsv(Buffer.from('Колонка;Другая\r\nа;б\r\n', 'utf8')).expect(400);
    expect(refused.body.detail).toContain('no column gives a name, a phone or an email');
    const unknownField = await importCsv(csv, `?map=${encodeURIComponent('nmae=Клиент сказал')}`).expect(400);
    expect(unknownField.body.detail).toContain('unknown field "nmae"');
  });
});
