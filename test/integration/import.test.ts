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

  describe('consent columns', () => {
    const CONSENT_MAP = `?map=${encodeURIComponent('consent_email=Согласие на рассылку,consent_sms=Согласие на SMS,consent_at=Дата согласия')}`;
    /** The client as a contact (converted once), whose standing the register answers for. */
    const contactOf = (phone: string, email: string | null) =>
      harness.runtime.store.transaction(async (manager) => (await harness.runtime.records.findOrCreateContact(manager, { name: 'Клиент', phone, email, companyId: null })).contact.id);
    const consentOf = async (contactId: number) => {
      const channels = (await harness.as('root').get(`/api/contacts/${contactId}/consent`).expect(200)).body.channels as Array<{ channel: string; status: string | null; source: string | null; at: string | null }>;
      return Object.fromEntries(channels.map((entry) => [entry.channel, [entry.status, entry.source, entry.at]]));
    };
    const csvOf = (...rows: string[]) => Buffer.from(`ФИО;Телефон;E-mail;Согласие на рассылку;Согласие на SMS;Дата согласия\r\n${rows.join('\r\n')}\r\n`, 'utf8');

    it('да/нет per channel go to the register with source import and the import’s time; a bad cell refuses its row and the rest go in', async () => {
      const importedAt = new Date(harness.clock.now()).toISOString();
      const answer = await importCsv(
        csvOf(
          'Иванов Иван;8 916 123-45-67;ivan@ivanov.ru;да;нет;03.11.2025',
          'Петрова Анна;+7 903 765-43-21;;yes;1;',
          'Сидоров Пётр;8 926 111-22-33;petr@sidorov.ru;может быть;;',
          'Кузнецова Мария;8 916 555-00-11;maria@kuznetsova.ru;0;true;30.02.2025',
          'Волков Олег;8 903 222-33-44;oleg@volkov.ru;;;',
        ),
        CONSENT_MAP,
      ).expect(201);
      expect(answer.body).toMatchObject({ created: 2, failed: 3, consents: { recorded: 2, unchanged: 0, kept: 0 } });
      expect(answer.body.columns).toMatchObject({ consent_email: ['Согласие на рассылку'], consent_sms: ['Согласие на SMS'], consent_at: ['Дата согласия'] });
      expect(answer.body.errors).toEqual([
        { row: 3, column: 'Согласие на рассылку', message: 'a consent to email needs the row’s email' },
        { row: 4, column: 'Согласие на рассылку', message: '"может быть" is not a consent: write да or нет (yes/no, 1/0, true/false)' },
        { row: 5, column: 'Дата согласия', message: '"30.02.2025" is not a date: write 03.11.2025 or 2025-11-03' },
      ]);
      expect((await leads()).map((lead) => lead.name)).toEqual(['Иванов Иван', 'Волков Олег']);
      expect(await consentOf(await contactOf('+79161234567', 'ivan@ivanov.ru'))).toMatchObject({ email: ['opt_in', 'import', importedAt], sms: ['opt_out', 'import', importedAt], call: [null, null, null] });
      // The same file again: nothing new to say.
      const again = await importCsv(csvOf('Иванов Иван;8 916 123-45-67;ivan@ivanov.ru;да;нет;03.11.2025'), CONSENT_MAP).expect(201);
      expect(again.body).toMatchObject({ created: 0, skipped: 1, consents: { recorded: 0, unchanged: 2, kept: 0 } });
    });

    it('an old yes does not undo a STOP the client sent since; a yes dated after it does', async () => {
      const contact = await contactOf('+79161234567', 'ivan@ivanov.ru');
      await harness.runtime.messaging.optOut('sms', '+79161234567', 'СТОП');
      harness.clock.advance(24 * 60 * 60 * 1000);
      const undated = await importCsv(csvOf('Иванов Иван;8 916 123-45-67;;;да;'), CONSENT_MAP).expect(201);
      expect(undated.body).toMatchObject({ created: 1, consents: { recorded: 0, kept: 1 } });
      const old = await importCsv(csvOf('Иванов Иван;8 916 123-45-67;;;да;01.03.2026'), CONSENT_MAP).expect(201);
      expect(old.body.consents).toEqual({ recorded: 0, unchanged: 0, kept: 1 });
      expect((await consentOf(contact)).sms).toEqual(['opt_out', 'sms_stop', expect.any(String)]);
      const later = await importCsv(csvOf('Иванов Иван;8 916 123-45-67;;;да;2026-03-02T15:00'), CONSENT_MAP).expect(201);
      expect(later.body.consents).toEqual({ recorded: 1, unchanged: 0, kept: 0 });
      expect((await consentOf(contact)).sms).toEqual(['opt_in', 'import', new Date(harness.clock.now()).toISOString()]);
    });

    it('a dry run counts the consents and records none; a date after the import and a Telegram consent are refused', async () => {
      const contact = await contactOf('+79161234567', 'ivan@ivanov.ru');
      const dry = await importCsv(csvOf('Иванов Иван;8 916 123-45-67;ivan@ivanov.ru;да;да;'), `${CONSENT_MAP}&dry_run=1`).expect(200);
      expect(dry.body).toMatchObject({ dry_run: true, created: 1, consents: { recorded: 2 } });
      expect((await consentOf(contact)).email).toEqual([null, null, null]);
      const future = await importCsv(csvOf('Иванов Иван;8 916 123-45-67;ivan@ivanov.ru;да;;01.01.2027'), CONSENT_MAP).expect(201);
      expect(future.body.errors).toEqual([{ row: 2, column: 'Дата согласия', message: '01.01.2027 is after the import: a consent is given before it is recorded' }]);
      const telegram = await importCsv(csvOf('Иванов Иван;8 916 123-45-67;;;;'), `?map=${encodeURIComponent('consent_telegram=Согласие на SMS')}`).expect(400);
      expect(telegram.body.detail).toContain('consent_telegram: a CSV has no Telegram chat');
    });
  });
});
