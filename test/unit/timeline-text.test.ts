import { loadConfigText } from '../../config/loader';
import type { CompiledConfig } from '../../server/core/compiled-config';
import type { Locale } from '../../config/schema';
import type { CallRow, EventRow, MessageRow, RobotRunRow, StageEntryRow, TaskChangeRow, TaskRow } from '../../server/core/rows';
import { formatAt, localLabel, MESSAGES } from '../../server/reports/locales';
import { callFacts, eventFacts, messageFacts, namesOf, runFacts, stageFacts, taskChangeFacts, taskFacts, type Names } from '../../server/reports/locales/facts';
import { dativeOf, genderOf } from '../../server/reports/locales/russian-names';
import type { EventType } from '../../config/event-types';

/** The timeline's plain sentences (server/reports/locales): every kind of entry, in Russian and English. */

const CONFIG = `
timezone: Europe/Moscow
users:
  - { login: anna, name: Анна Петрова, role: first_line, team: first_line }
  - { login: georgy, name: Георгий Морозов (руководитель продаж), role: manager, team: first_line }
  - { login: semyon, name: Семён Козлов, role: sales, team: services }
teams:
  first_line: { members: [anna], manager: georgy }
  services: { members: [semyon], manager: georgy }
fields:
  product: { type: string, label: Продукт / Product }
forms:
  contact: { name: Заявка с сайта / Contact form, fields: { name: name, phone: phone } }
templates:
  sla: { channel: telegram, text: "lead waits" }
leads:
  team: first_line
  stages:
    - id: new
      name: Новый / New
      robots:
        - { id: first_contact_sla, title: SLA 30 минут / 30-minute SLA, type: notify, after: 30m, to: [manager], template: sla, escalate: [{ after: 30m, to: [manager] }] }
        - { id: touch_1_call, type: remind, title: "Позвонить {{lead.name}}", due_in: 2h }
        - { id: welcome, type: send_message, text: "hi", channel: email }
    - id: in_work
      name: В работе / In work
      robots:
        - { id: to_converted, title: Лид сконвертирован / Lead converted, type: change_status, to: converted }
    - id: converted
      name: Сконвертирован / Converted
      semantic: won
    - id: junk
      name: Некачественный / Junk
      semantic: lost
      reasons:
        - { id: no_budget, label: Нет бюджета / No budget, refused_by: client_refused }
        - { id: spam, label: Спам / Spam, refused_by: we_refused }
deals:
  services:
    name: Услуги / Services
    team: services
    stages:
      - id: new
        name: Новая / New
`;

function compile(text: string): CompiledConfig {
  const result = loadConfigText(text, 'robots.yaml');
  if (!result.ok) throw new Error(`test config does not load:\n${JSON.stringify(result.issues, null, 2)}`);
  return result.config;
}

const config = compile(CONFIG);
const AT = Date.parse('2026-11-23T15:05:00Z'); // 18:05 in Moscow
const people = new Map([
  ['robo_admin', 'Служебный Аккаунт'],
  ['olya', 'Ольга Смирнова'],
]);
const namesIn = (locale: Locale): Names => namesOf(config, locale, people);

function entry(overrides: Partial<StageEntryRow> = {}): StageEntryRow {
  return { id: 1, entityType: 'lead', entityId: 1, pipeline: 'leads', stage: 'new', fromStage: null, enteredAt: AT, leftAt: null, actor: 'user:anna', reason: null, refusedBy: null, causalDepth: 0, ...overrides };
}

function run(overrides: Partial<RobotRunRow> = {}): RobotRunRow {
  return {
    id: 1,
    entryId: 1,
    entityType: 'lead',
    entityId: 1,
    pipeline: 'leads',
    stage: 'new',
    robotId: 'first_contact_sla',
    robotType: 'notify',
    position: 0,
    status: 'done',
    dueAt: AT,
    waitsFor: null,
    attempts: 1,
    causalDepth: 0,
    detail: null,
    lastError: null,
    lockedBy: null,
    leaseUntil: null,
    startedAt: AT,
    finishedAt: AT,
    createdAt: AT - 30 * 60_000,
    ...overrides,
  };
}

function message(overrides: Partial<MessageRow> = {}): MessageRow {
  return {
    id: 1,
    idempotencyKey: 'k',
    runId: 1,
    entityType: 'lead',
    entityId: 1,
    direction: 'out',
    channel: 'telegram',
    audience: 'user',
    recipient: '100',
    recipientLogin: 'georgy',
    template: 'sla',
    subject: null,
    body: 'lead waits',
    meta: {},
    status: 'recorded',
    providerId: null,
    error: null,
    createdAt: AT,
    sentAt: AT,
    ...overrides,
  };
}

function task(overrides: Partial<TaskRow> = {}): TaskRow {
  return { id: 7, entityType: 'lead', entityId: 1, assignee: 'anna', title: 'Позвонить Ивану', dueAt: AT, status: 'open', runId: 2, overdueAt: null, createdAt: AT, ...overrides };
}

function event(type: string, payload: Record<string, unknown>, actor: string | null = 'tracking'): EventRow {
  return { id: 1, type, entityType: 'lead', entityId: 1, actor, payload, outcome: null, triggerId: null, createdAt: AT };
}

function call(overrides: Partial<CallRow> = {}): CallRow {
  return {
    id: 1,
    entityType: 'lead',
    entityId: 1,
    runId: 3,
    agentLogin: 'semyon',
    agentPhone: '+79000000301',
    clientPhone: '+79161234567',
    direction: 'outbound',
    attempt: 1,
    providerSid: null,
    status: 'completed',
    startedAt: AT,
    answeredAt: AT + 5000,
    endedAt: AT + 47_000,
    durationSeconds: 42,
    ...overrides,
  };
}

const NOTHING = { messages: [], tasks: [], calls: [] };
const stageText = (locale: Locale, row: StageEntryRow) => MESSAGES[locale].stage(stageFacts(row, namesIn(locale)));
const runText = (locale: Locale, row: RobotRunRow, made: { messages: MessageRow[]; tasks: TaskRow[]; calls: CallRow[] } = NOTHING) => MESSAGES[locale].run(runFacts(row, made, config, namesIn(locale)));
const eventText = (locale: Locale, row: EventRow) => MESSAGES[locale].events[row.type as EventType](eventFacts(row, namesIn(locale)));

describe('names people read', () => {
  it.each([
    ['Анна Петрова', 'f', 'Анне Петровой'],
    ['Семён Козлов', 'm', 'Семёну Козлову'],
    ['Георгий Морозов (руководитель продаж)', 'm', 'Георгию Морозову (руководитель продаж)'],
    ['Мария Волконская', 'f', 'Марии Волконской'],
    ['Игорь Вяземский', 'm', 'Игорю Вяземскому'],
    ['Никита Черных', 'm', 'Никите Черных'],
    ['Любовь Шевчук', 'f', 'Любови Шевчук'],
    ['Ольга Ивановна Смирнова', 'f', 'Ольге Ивановне Смирновой'],
    ['Администратор', 'm', 'Администратору'],
    ['Anna SDR', 'f', 'Anna SDR'],
  ])('%s is %s, and the alert goes to «%s»', (name, gender, dative) => {
    expect(genderOf(name)).toBe(gender);
    expect(dativeOf(name)).toBe(dative);
  });

  it('a name written in both languages shows the half of the locale; other names as written', () => {
    expect(localLabel('Новый / New', 'ru')).toBe('Новый');
    expect(localLabel('Новый / New', 'en')).toBe('New');
    expect(localLabel('Передать — услуги / Hand over — services', 'en')).toBe('Hand over — services');
    expect(localLabel('SLA 30 минут', 'en')).toBe('SLA 30 минут');
    expect(localLabel('a / b / c', 'ru')).toBe('a / b / c');
  });

  it('times are written for the locale in the config time zone', () => {
    expect(formatAt(AT, 'ru', 'Europe/Moscow')).toBe('23 нояб., 18:05');
    expect(formatAt(AT, 'en', 'Europe/Moscow')).toBe('Nov 23, 18:05');
  });
});

describe('stage entries', () => {
  it.each<[Locale, Partial<StageEntryRow>, string]>([
    ['ru', {}, 'Анна Петрова создала лид на стадии «Новый»'],
    ['en', {}, 'Lead created in “New” by Анна Петрова'],
    ['ru', { actor: 'user:semyon', fromStage: 'new', stage: 'in_work' }, 'Семён Козлов перевёл лид из «Новый» в «В работе»'],
    ['ru', { actor: 'robot:to_converted', fromStage: 'in_work', stage: 'converted' }, 'Робот «Лид сконвертирован» перевёл лид из «В работе» в «Сконвертирован»'],
    ['en', { actor: 'robot:to_converted', fromStage: 'in_work', stage: 'converted' }, 'Lead moved from “In work” to “Converted” by the robot “Lead converted”'],
    ['ru', { actor: 'trigger:taken_in_work', fromStage: 'new', stage: 'in_work' }, 'Лид переведён из «Новый» в «В работе» по триггеру «taken in work»'],
    ['en', { actor: 'trigger:taken_in_work', fromStage: 'new', stage: 'in_work' }, 'Lead moved from “New” to “In work” by the trigger “taken in work”'],
    ['ru', { actor: 'form:contact' }, 'Лид создан на стадии «Новый» из формы «Заявка с сайта»'],
    ['en', { actor: 'user:olya' }, 'Lead created in “New” by Ольга Смирнова'],
    ['ru', { fromStage: 'new', stage: 'junk', reason: 'no_budget', refusedBy: 'client_refused' }, 'Анна Петрова перевела лид из «Новый» в «Некачественный»: клиент отказался — «Нет бюджета»'],
    ['ru', { fromStage: 'new', stage: 'junk', reason: 'spam', refusedBy: 'we_refused' }, 'Анна Петрова перевела лид из «Новый» в «Некачественный»: мы отказали клиенту — «Спам»'],
    ['en', { fromStage: 'new', stage: 'junk', reason: 'spam', refusedBy: 'we_refused' }, 'Lead moved from “New” to “Junk” by Анна Петрова: we refused the client — “Spam”'],
    ['en', { fromStage: 'new', stage: 'junk', reason: 'no_budget', refusedBy: 'client_refused' }, 'Lead moved from “New” to “Junk” by Анна Петрова: the client refused — “No budget”'],
    ['ru', { entityType: 'deal', pipeline: 'services', actor: 'robot:create_services_deal' }, 'Робот «create services deal» создал сделку на стадии «Новая»'],
    ['ru', { entityType: 'deal', pipeline: 'services', actor: 'simulate' }, 'Сделка создана на стадии «Новая» (simulate)'],
  ])('%s %j: %s', (locale, overrides, text) => {
    expect(stageText(locale, entry(overrides))).toBe(text);
  });
});

describe('robot runs', () => {
  const alert = message();
  it.each<[Locale, Partial<RobotRunRow>, string]>([
    ['ru', { status: 'cancelled', detail: 'left stage "new" for "in_work"' }, 'Робот «SLA 30 минут» отменён: лид ушёл со стадии «Новый» в «В работе»'],
    ['en', { status: 'cancelled', detail: 'left stage "new" for "in_work"' }, 'The robot “30-minute SLA” was cancelled: the lead left “New” for “In work”'],
    ['ru', { status: 'cancelled', detail: 'left stage "new"' }, 'Робот «SLA 30 минут» отменён: лид ушёл со стадии «Новый»'],
    ['ru', { status: 'cancelled', entityType: 'deal', pipeline: 'services', detail: 'left stage "new"' }, 'Робот «SLA 30 минут» отменён: сделка ушла со стадии «Новая»'],
    ['ru', { status: 'cancelled', detail: 'client replied' }, 'Робот «SLA 30 минут» отменён: клиент ответил'],
    ['en', { status: 'cancelled', detail: 'the goal of "new" was reached (stop_when)' }, 'The robot “30-minute SLA” was cancelled: the goal of “New” was reached'],
    ['ru', { status: 'cancelled', detail: 'robot no longer in the config' }, 'Робот «SLA 30 минут» отменён: робота больше нет в конфигурации'],
    [
      'ru',
      { status: 'cancelled', robotId: 'first_contact_sla.escalate_1', detail: 'taken: the condition of first_contact_sla no longer holds, escalation 1 not sent' },
      'Робот «SLA 30 минут» (эскалация 1) отменён: лид уже взят в работу, эскалация не нужна',
    ],
    ['ru', { status: 'skipped', detail: 'condition was false when the robot was due' }, 'Робот «SLA 30 минут» пропущен: условие не выполнялось, когда подошло время'],
    ['en', { status: 'skipped', startedAt: AT + 3 * 3600_000, detail: 'skipped: 3 h late (skip_if_late 2h)' }, 'The robot “30-minute SLA” was skipped: 3 h late'],
    ['ru', { status: 'scheduled', startedAt: null, finishedAt: null }, 'Робот «SLA 30 минут» запланирован на 23 нояб., 18:05'],
    ['en', { status: 'scheduled', startedAt: null, finishedAt: null }, 'The robot “30-minute SLA” is due Nov 23, 18:05'],
    ['ru', { status: 'scheduled', dueAt: null, waitsFor: 'first_contact_sla', robotId: 'first_contact_sla.escalate_1' }, 'Робот «SLA 30 минут» (эскалация 1) ждёт, пока отработает робот «SLA 30 минут»'],
    ['ru', { status: 'scheduled', detail: 'retried by user:anna' }, 'Робот «SLA 30 минут» снова поставлен в очередь (Анна Петрова повторила)'],
    ['en', { status: 'scheduled', detail: 'retried by user:anna' }, 'The robot “30-minute SLA” is queued again by Анна Петрова'],
    ['ru', { status: 'failed', attempts: 2, dueAt: AT, lastError: 'telegram 502' }, 'Робот «SLA 30 минут»: попытка 2 не удалась, повтор 23 нояб., 18:05: telegram 502'],
    ['en', { status: 'dead', attempts: 5, lastError: 'chat not found' }, 'The robot “30-minute SLA” gave up: chat not found (attempts: 5)'],
    ['ru', { status: 'unknown', lastError: 'timeout' }, 'Робот «SLA 30 минут»: неизвестно, ушло ли сообщение — проверьте и повторите вручную (timeout)'],
    ['ru', { status: 'running' }, 'Робот «SLA 30 минут» выполняется'],
  ])('%s %j: %s', (locale, overrides, text) => {
    expect(runText(locale, run(overrides))).toBe(text);
  });

  it('a done alert names whom it told, in the dative in Russian, and how late it ran', () => {
    expect(runText('ru', run({ detail: 'notified georgy (telegram)' }), { messages: [alert], tasks: [], calls: [] })).toBe('Робот «SLA 30 минут» отправил уведомление Георгию Морозову (руководитель продаж) в Telegram');
    const late = run({ startedAt: AT + 3 * 60_000, detail: 'notified anna (telegram)' });
    const toAnna = message({ recipientLogin: 'anna' });
    expect(runText('ru', late, { messages: [toAnna], tasks: [], calls: [] })).toBe('Робот «SLA 30 минут» отправил уведомление Анне Петровой в Telegram (с опозданием на 3 мин)');
    expect(runText('en', late, { messages: [toAnna], tasks: [], calls: [] })).toBe('The robot “30-minute SLA” sent an alert to Анна Петрова on Telegram (3 min late)');
    expect(runText('ru', run({ startedAt: AT + 3 * 60_000, robotType: 'webhook', detail: null }))).toBe('Робот «SLA 30 минут» выполнен с опозданием на 3 мин');
  });

  it('a done run says what it made: a task, a client touch, a move, a deal, a callback', () => {
    const remind = run({ id: 2, robotId: 'touch_1_call', robotType: 'remind' });
    expect(runText('ru', remind, { messages: [], tasks: [task()], calls: [] })).toBe('Робот «touch 1 call» поставил задачу «Позвонить Ивану» Анне Петровой');
    expect(runText('en', remind, { messages: [], tasks: [task({ assignee: null })], calls: [] })).toBe('The robot “touch 1 call” set the task “Позвонить Ивану” with nobody to do it');
    const touch = message({ audience: 'client', channel: 'email', recipientLogin: null, recipient: 'ivan@example.ru' });
    expect(runText('ru', run({ robotId: 'welcome', robotType: 'send_message' }), { messages: [touch], tasks: [], calls: [] })).toBe('Робот «welcome» отправил клиенту письмо');
    const move = run({ robotId: 'to_converted', robotType: 'change_status', detail: 'moved lead #1 to "converted"' });
    expect(runText('ru', move)).toBe('Робот «Лид сконвертирован» перевёл лид в «Сконвертирован»');
    expect(runText('en', move)).toBe('The robot “Lead converted” moved the lead to “Converted”');
    const deal = run({ robotId: 'create_services_deal', robotType: 'create_on_basis', detail: 'created deal #4 in "services", responsible semyon; contact #2 created' });
    expect(runText('ru', deal)).toBe('Робот «create services deal» создал сделку #4 в воронке «Услуги», ответственный — Семён Козлов');
    expect(runText('en', deal)).toBe('The robot “create services deal” created deal #4 in “Services”, responsible Семён Козлов');
    const callback = run({ robotId: 'callback', robotType: 'auto_callback', id: 3 });
    expect(runText('ru', callback, { messages: [], tasks: [], calls: [call()] })).toBe('Робот «callback» начал обратный звонок: звонит Семёну Козлову');
    const fields = run({ robotId: 'fill', robotType: 'set_fields', detail: 'set product="CRM", source="web"' });
    expect(runText('ru', fields)).toBe('Робот «fill» заполнил поля «Продукт», «Источник»');
    expect(runText('en', run({ robotId: 'hold', robotType: 'wait_for', status: 'cancelled', detail: 'timed out after 3d; the robots after it do not run' }))).toBe(
      'The robot “hold” was cancelled: the condition did not hold within 3d; the robots after it do not run',
    );
  });

  it('a detail the sentences do not know is shown as the engine wrote it, not dropped', () => {
    expect(runText('ru', run({ status: 'cancelled', detail: 'something new' }))).toBe('Робот «SLA 30 минут» отменён: something new');
    expect(runText('en', run({ robotType: 'webhook', detail: 'POST https://crm.example/hook → 200' }))).toBe('The robot “30-minute SLA” posted to https://crm.example/hook (answer 200)');
  });
});

describe('messages', () => {
  it.each<[Locale, Partial<MessageRow>, string]>([
    ['ru', {}, 'Уведомление Георгию Морозову (руководитель продаж) в Telegram: сохранено в исходящих (канал не подключён)'],
    ['en', { status: 'delivered', recipientLogin: 'anna' }, 'Alert to Анна Петрова on Telegram: delivered'],
    ['ru', { audience: 'client', channel: 'email', subject: 'Спасибо за обращение', status: 'sent', recipientLogin: null }, 'Письмо клиенту «Спасибо за обращение»: отправлено'],
    ['ru', { audience: 'client', channel: 'sms', status: 'failed', error: 'bad number', recipientLogin: null }, 'Сообщение клиенту по SMS: не отправлено (bad number)'],
    ['en', { audience: 'client', channel: 'telegram', status: 'delivered', recipientLogin: null }, 'Message to the client on Telegram: delivered'],
    ['ru', { direction: 'in', audience: 'client', body: 'Да,\n интересно', status: 'delivered', recipientLogin: null }, 'Сообщение от клиента в Telegram: «Да, интересно»'],
    ['en', { direction: 'in', audience: 'client', channel: 'email', body: 'Yes please', recipientLogin: null }, 'An email from the client by email: “Yes please”'],
  ])('%s %j: %s', (locale, overrides, text) => {
    expect(MESSAGES[locale].message(messageFacts(message(overrides), namesIn(locale)))).toBe(text);
  });
});

describe('events', () => {
  it.each<[Locale, EventRow, string]>([
    ['ru', event('email_opened', { message_id: 3 }), 'Клиент открыл письмо'],
    ['en', event('email_opened', { message_id: 3 }), 'The client opened the email'],
    ['ru', event('message_inbound', { channel: 'telegram', text: 'да' }, 'channel:telegram'), 'Ответ клиента в Telegram'],
    ['en', event('message_inbound', { channel: 'telegram', text: 'yes' }, 'channel:telegram'), 'The client replied on Telegram'],
    ['ru', event('form_submitted', { form: 'contact' }, 'form:contact'), 'Клиент отправил форму «Заявка с сайта»'],
    ['en', event('form_submitted', { form: 'contact' }, 'form:contact'), 'The client sent the form “Contact form”'],
    ['ru', event('link_clicked', { url: 'https://x.ru/pricing' }), 'Клиент перешёл по ссылке https://x.ru/pricing'],
    ['ru', event('page_visit', { page: 'pricing' }), 'Клиент открыл страницу «pricing»'],
    ['ru', event('field_changed', { field: 'product', from: null, to: 'CRM' }, 'user:anna'), 'Анна Петрова изменила поле «Продукт»: — → CRM'],
    ['en', event('field_changed', { field: 'phone', from: '+7 1', to: '+7 2' }, 'user:semyon'), '“Phone” changed: +7 1 → +7 2 by Семён Козлов'],
    ['ru', event('responsible_changed', { field: 'responsible', from: null, to: 'semyon' }, 'user:georgy'), 'Назначен ответственный: Семён Козлов'],
    ['en', event('responsible_changed', { field: 'responsible', from: 'anna', to: 'semyon' }, 'robot:assign'), 'Responsible changed: Анна Петрова → Семён Козлов by the robot “assign”'],
    ['ru', event('task_overdue', { task_id: 7, title: 'Позвонить', assignee: 'anna' }, 'scheduler'), 'Задача «Позвонить» просрочена (Анна Петрова)'],
    ['ru', event('score_changed', { from: 30, to: 29, reason: 'decay' }, 'scoring'), 'Оценка лида: 30 → 29 (без активности)'],
    ['en', event('score_changed', { from: 10, to: 20, reason: 'link_clicked' }, 'scoring'), 'Score of the lead: 10 → 20'],
    ['ru', event('opt_out', { channel: 'sms' }, 'channel:sms'), 'Клиент отписался от сообщений по SMS'],
    ['en', event('email_bounced', { reason: 'mailbox full' }, 'channel:email'), 'An email to the client bounced: mailbox full'],
    ['ru', event('telegram_linked', { chat_id: '1' }, 'channel:telegram'), 'Клиент подключился к Telegram-боту'],
    ['ru', event('taken', { by: 'anna', via: 'telegram' }, 'user:anna'), 'Анна Петрова взяла лид в работу из Telegram'],
    ['ru', event('call', { outcome: 'answered', agent: 'semyon' }, 'channel:voice'), 'Семён Козлов ответил на обратный звонок'],
    ['en', event('call', { outcome: 'missed', attempts: 2 }, 'channel:voice'), 'The callback failed: nobody answered (attempts: 2)'],
    ['ru', event('call_progress', { agent: 'semyon', status: 'busy' }, 'channel:voice'), 'Звонок Семёну Козлову: занято'],
    ['ru', event('webhook', { phone: '+7' }, 'hook:marketing'), 'Пришли данные по вебхуку «marketing»'],
  ])('%s %s', (locale, row, text) => {
    expect(eventText(locale, row)).toBe(text);
  });
});

describe('tasks and calls', () => {
  it('a new task names its assignee and due time', () => {
    expect(MESSAGES.ru.task(taskFacts(task(), namesIn('ru')))).toBe('Анне Петровой поставлена задача «Позвонить Ивану», срок — 23 нояб., 18:05');
    expect(MESSAGES.en.task(taskFacts(task({ status: 'done' }), namesIn('en')))).toBe('Task “Позвонить Ивану” for Анна Петрова, due Nov 23, 18:05 (done)');
  });

  it.each<[Locale, Pick<TaskChangeRow, 'change' | 'fromValue' | 'toValue' | 'actor'>, string]>([
    ['ru', { change: 'done', fromValue: null, toValue: null, actor: 'user:anna' }, 'Анна Петрова выполнила задачу «Позвонить Ивану»'],
    ['en', { change: 'done', fromValue: null, toValue: null, actor: 'user:anna' }, 'Task “Позвонить Ивану” done by Анна Петрова'],
    ['ru', { change: 'reopened', fromValue: null, toValue: null, actor: 'user:semyon' }, 'Семён Козлов снова открыл задачу «Позвонить Ивану»'],
    ['ru', { change: 'assigned', fromValue: 'anna', toValue: 'semyon', actor: 'user:georgy' }, 'Георгий Морозов (руководитель продаж) передал задачу «Позвонить Ивану» Семёну Козлову (раньше: Анна Петрова)'],
    ['en', { change: 'assigned', fromValue: null, toValue: 'semyon', actor: 'user:robo_admin' }, 'Task “Позвонить Ивану” assigned to Семён Козлов by Служебный Аккаунт'],
    ['ru', { change: 'due_changed', fromValue: String(AT), toValue: String(AT + 86_400_000), actor: 'user:anna' }, 'Анна Петрова перенесла срок задачи «Позвонить Ивану» на 24 нояб., 18:05 (был 23 нояб., 18:05)'],
    ['en', { change: 'due_changed', fromValue: String(AT), toValue: null, actor: 'user:anna' }, 'Task “Позвонить Ивану”: due time removed by Анна Петрова'],
  ])('%s %j: %s', (locale, change, text) => {
    expect(MESSAGES[locale].taskChange(taskChangeFacts(change, 'Позвонить Ивану', namesIn(locale)))).toBe(text);
  });

  it('a call says whom, how it went, how long it rang and how long they talked', () => {
    expect(MESSAGES.ru.call(callFacts(call(), namesIn('ru'), 5))).toBe('Звонок 1 Семёну Козлову: завершён, гудки 5 с, разговор 42 с');
    expect(MESSAGES.en.call(callFacts(call({ status: 'no-answer', durationSeconds: null }), namesIn('en'), 20))).toBe('Call 1 to Семён Козлов: no answer, rang 20 s');
  });

  it('an event type the sentences do not know still reads as an event', () => {
    expect(MESSAGES.en.events.other(eventFacts(event('something_new', {}), namesIn('en')))).toBe('Event something_new');
  });
});
