import type { CallStatus, EntityKind, MessageStatus } from '../../core/rows';
import type { Actor, EventFacts, Messages, RunDeed, RunFacts, RunWhy, StageFacts, TaskChangeFacts } from './messages';
import { dativeOf, genderOf, type Gender } from './russian-names';

/** The timeline in Russian: «Робот «SLA 30 минут» отправил уведомление Анне Петровой в Telegram». */

const ITEM: Record<EntityKind, { nom: string; acc: string; gen: string; gender: Gender }> = {
  lead: { nom: 'лид', acc: 'лид', gen: 'лида', gender: 'm' },
  deal: { nom: 'сделка', acc: 'сделку', gen: 'сделки', gender: 'f' },
};

const CHANNEL_IN: Record<string, string> = { outbox: '', telegram: 'в Telegram', email: 'по почте', sms: 'по SMS', voice: 'звонком' };
/** ` в Telegram`, with its leading space; nothing for the outbox (the status says the message stayed there). */
const channelIn = (channel: string) => {
  const words = channel ? (CHANNEL_IN[channel] ?? `(${channel})`) : '';
  return words ? ` ${words}` : '';
};

const MESSAGE_STATUS: Record<MessageStatus, string> = {
  queued: 'в очереди',
  sending: 'отправляется',
  recorded: 'сохранено в исходящих (канал не подключён)',
  sent: 'отправлено',
  delivered: 'доставлено',
  failed: 'не отправлено',
  unknown: 'неизвестно, ушло ли',
  skipped: 'не отправлено (пропущено)',
};

const CALL_STATUS: Record<CallStatus, string> = {
  initiated: 'набор номера',
  ringing: 'идёт вызов',
  answered: 'трубку сняли',
  'in-progress': 'идёт разговор',
  completed: 'завершён',
  busy: 'занято',
  'no-answer': 'нет ответа',
  failed: 'не удался',
  canceled: 'отменён',
};

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const quoted = (text: string) => `«${text}»`;
const verb = (gender: Gender, forms: { m: string; f: string }) => forms[gender];

/** A person or a robot does it («Анна Петрова перевела»); others make it happen («по триггеру …»). */
function subjectOf(actor: Actor): { text: string; gender: Gender } | null {
  if (actor.kind === 'person') return { text: actor.name, gender: genderOf(actor.name) };
  if (actor.kind === 'robot') return { text: `Робот ${quoted(actor.name)}`, gender: 'm' };
  if (actor.kind === 'client') return { text: 'Клиент', gender: 'm' };
  return null;
}

function byWhat(actor: Actor): string {
  switch (actor.kind) {
    case 'trigger':
      return ` по триггеру ${quoted(actor.name)}`;
    case 'form':
      return ` из формы ${quoted(actor.name)}`;
    case 'hook':
      return ` по вебхуку ${quoted(actor.name)}`;
    case 'system':
      return ` (${actor.name})`;
    default:
      return '';
  }
}

/** «Анна Петрова перевела лид …» or «Лид переведён … по триггеру …». */
function done(actor: Actor, item: EntityKind, active: { m: string; f: string }, passive: { m: string; f: string }, rest: string): string {
  const subject = subjectOf(actor);
  if (subject) return `${subject.text} ${verb(subject.gender, active)} ${ITEM[item].acc}${rest}`;
  return `${cap(ITEM[item].nom)} ${verb(ITEM[item].gender, passive)}${rest}${byWhat(actor)}`;
}

function personDid(actor: Actor, forms: { m: string; f: string }): string {
  const subject = subjectOf(actor) ?? { text: `Система${byWhat(actor)}`, gender: 'f' as const };
  return `${subject.text} ${verb(subject.gender, forms)}`;
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} мин`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} ч` : `${Math.round(hours / 24)} дн.`;
}

function stage(facts: StageFacts): string {
  const lost = facts.lost
    ? facts.lost.refusedBy === 'client_refused'
      ? `: клиент отказался — ${quoted(facts.lost.reason)}`
      : facts.lost.refusedBy === 'we_refused'
        ? `: мы отказали клиенту — ${quoted(facts.lost.reason)}`
        : `: причина — ${quoted(facts.lost.reason)}`
    : '';
  if (facts.from === null) {
    return done(facts.actor, facts.item, { m: 'создал', f: 'создала' }, { m: 'создан', f: 'создана' }, ` на стадии ${quoted(facts.to)}${lost}`);
  }
  return done(facts.actor, facts.item, { m: 'перевёл', f: 'перевела' }, { m: 'переведён', f: 'переведена' }, ` из ${quoted(facts.from)} в ${quoted(facts.to)}${lost}`);
}

function deed(what: RunDeed): string {
  switch (what.kind) {
    case 'alerted':
      return `отправил уведомление ${what.recipients.map(dativeOf).join(', ')}${channelIn(what.channel)}`;
    case 'messaged_client':
      return what.channel === 'email' ? 'отправил клиенту письмо' : `отправил клиенту сообщение${channelIn(what.channel)}`;
    case 'task':
      return `поставил задачу ${quoted(what.title)} ${what.assignee ? dativeOf(what.assignee) : 'без исполнителя'}`;
    case 'moved':
      return `перевёл ${ITEM[what.item].acc} в ${quoted(what.stage)}`;
    case 'deal_created':
      return `создал сделку #${what.id} в воронке ${quoted(what.pipeline)}${what.responsible ? `, ответственный — ${what.responsible}` : ''}`;
    case 'assigned':
      return `назначил ответственного: ${what.responsible}`;
    case 'calling':
      return `начал обратный звонок: звонит ${dativeOf(what.agent)}`;
    case 'repeat_client':
      return `отметил повторного клиента${what.recipients.length ? ` и сообщил ${what.recipients.map(dativeOf).join(', ')}` : ''}`;
    case 'fields_set':
      return `заполнил ${what.fields.length === 1 ? 'поле' : 'поля'} ${what.fields.map(quoted).join(', ')}`;
    case 'condition_met':
      return 'дождался условия';
    case 'wait_timed_out':
      return `не дождался условия за ${what.after}, следующие роботы запускаются`;
    case 'webhook':
      return `отправил вебхук на ${what.url}${what.status === null ? '' : ` (ответ ${what.status})`}`;
    case 'other':
      return `выполнен${what.text ? `: ${what.text}` : ''}`;
  }
}

function why(facts: RunFacts, reason: RunWhy | null): string {
  const item = ITEM[facts.item];
  if (reason === null) return '';
  switch (reason.kind) {
    case 'left_stage':
      return `: ${item.nom} ${verb(item.gender, { m: 'ушёл', f: 'ушла' })} со стадии ${quoted(reason.stage)}${reason.to ? ` в ${quoted(reason.to)}` : ''}`;
    case 'client_replied':
      return ': клиент ответил';
    case 'goal_reached':
      return `: цель стадии ${quoted(reason.stage)} достигнута`;
    case 'robot_removed':
      return ': робота больше нет в конфигурации';
    case 'predecessor_cancelled':
      return `: отменён робот ${quoted(reason.robot)}, которого он ждал`;
    case 'item_gone':
      return `: ${item.gen} больше нет`;
    case 'taken':
      return `: ${item.nom} уже ${verb(item.gender, { m: 'взят', f: 'взята' })} в работу, эскалация не нужна`;
    case 'condition_false':
      return ': условие не выполнялось, когда подошло время';
    case 'too_late':
      return `: опоздал на ${duration(reason.lateMs)}`;
    case 'wait_timed_out':
      return `: не дождался условия за ${reason.after}, следующие роботы не запустятся`;
    case 'other':
      return `: ${reason.text}`;
  }
}

function run(facts: RunFacts): string {
  const robot = `Робот ${quoted(facts.robot)}${facts.escalation === null ? '' : ` (эскалация ${facts.escalation})`}`;
  switch (facts.status) {
    case 'done': {
      if (facts.deed.kind === 'other' && facts.deed.text === null) return `${robot} выполнен${facts.lateMs ? ` с опозданием на ${duration(facts.lateMs)}` : ''}`;
      return `${robot} ${deed(facts.deed)}${facts.lateMs ? ` (с опозданием на ${duration(facts.lateMs)})` : ''}`;
    }
    case 'cancelled':
      return `${robot} отменён${why(facts, facts.why)}`;
    case 'skipped':
      return `${robot} пропущен${why(facts, facts.why)}`;
    case 'scheduled':
      if (facts.waitsFor !== null && facts.dueText === null) return `${robot} ждёт, пока отработает робот ${quoted(facts.waitsFor)}`;
      if (facts.retriedBy) return `${robot} снова поставлен в очередь (${personDid(facts.retriedBy, { m: 'повторил', f: 'повторила' })})`;
      return `${robot} запланирован${facts.dueText ? ` на ${facts.dueText}` : ''}${facts.why ? ` (${why(facts, facts.why).slice(2)})` : ''}`;
    case 'running':
      return `${robot} выполняется`;
    case 'failed':
      return `${robot}: попытка ${facts.attempts} не удалась${facts.dueText ? `, повтор ${facts.dueText}` : ''}${facts.error ? `: ${facts.error}` : ''}`;
    case 'dead':
      return `${robot} остановлен${facts.error ? `: ${facts.error}` : ''} (попыток: ${facts.attempts})`;
    case 'unknown':
      return `${robot}: неизвестно, ушло ли сообщение — проверьте и повторите вручную${facts.error ? ` (${facts.error})` : ''}`;
  }
}

function person(facts: EventFacts): string {
  return facts.person ?? 'Сотрудник';
}

const LOGGED_RESULT_RU = { answered: 'разговор состоялся', no_answer: 'не ответили', busy: 'занято', voicemail: 'автоответчик' } as const;

function loggedCallRu(facts: EventFacts): string {
  const call = facts.loggedCall!;
  const who = person(facts);
  const what = call.direction === 'inbound' ? 'входящий звонок' : 'звонок клиенту';
  const seconds = call.seconds === null ? '' : `, ${Math.round(call.seconds / 60) || 1} мин`;
  return `${who} ${verb(genderOf(who), { m: 'записал', f: 'записала' })} ${what}: ${LOGGED_RESULT_RU[call.result]}${call.result === 'answered' ? seconds : ''}`;
}

const events: Messages['events'] = {
  form_submitted: (facts) => `Клиент отправил форму${facts.name ? ` ${quoted(facts.name)}` : ''}`,
  webhook: (facts) => `Пришли данные по вебхуку${facts.name ? ` ${quoted(facts.name)}` : ''}`,
  message_inbound: (facts) => `Ответ клиента${channelIn(facts.channel ?? '')}`,
  call: (facts) =>
    facts.loggedCall
      ? loggedCallRu(facts)
      : facts.outcome === 'answered'
        ? `${person(facts)} ${verb(genderOf(person(facts)), { m: 'ответил', f: 'ответила' })} на обратный звонок`
        : `Обратный звонок не состоялся: никто не ответил${facts.count ? ` (попыток: ${facts.count})` : ''}`,
  email_opened: () => 'Клиент открыл письмо',
  link_clicked: (facts) => `Клиент перешёл по ссылке${facts.name ? ` ${facts.name}` : ''}`,
  page_visit: (facts) => `Клиент открыл страницу${facts.name ? ` ${quoted(facts.name)}` : ' сайта'}`,
  field_changed: (facts) => {
    const change = `поле ${quoted(facts.name ?? '?')}: ${facts.from ?? '—'} → ${facts.to ?? '—'}`;
    const subject = subjectOf(facts.actor);
    return subject ? `${subject.text} ${verb(subject.gender, { m: 'изменил', f: 'изменила' })} ${change}` : `Изменено ${change}${byWhat(facts.actor)}`;
  },
  responsible_changed: (facts) => (facts.from ? `Ответственный сменился: ${facts.from} → ${facts.to ?? '—'}${byWhat(facts.actor)}` : `Назначен ответственный: ${facts.to ?? '—'}${byWhat(facts.actor)}`),
  task_overdue: (facts) => `Задача ${quoted(facts.name ?? '?')} просрочена${facts.person ? ` (${facts.person})` : ''}`,
  score_changed: (facts) => `Оценка ${ITEM[facts.item].gen}: ${facts.from ?? '?'} → ${facts.to ?? '?'}${facts.outcome === 'decay' ? ' (без активности)' : ''}`,
  opt_out: (facts) => `Клиент отписался от сообщений${channelIn(facts.channel ?? '')}`,
  email_bounced: (facts) => `Письмо клиенту не доставлено${facts.reason ? `: ${facts.reason}` : ''}`,
  telegram_linked: () => 'Клиент подключился к Telegram-боту',
  taken: (facts) => `${person(facts)} ${verb(genderOf(person(facts)), { m: 'взял', f: 'взяла' })} ${ITEM[facts.item].acc} в работу из Telegram`,
  call_progress: (facts) => `Звонок ${facts.person ? dativeOf(facts.person) : 'сотруднику'}: ${CALL_STATUS[facts.outcome as CallStatus] ?? facts.outcome ?? '?'}`,
  comment: (facts) => `${person(facts)} ${verb(genderOf(person(facts)), { m: 'оставил', f: 'оставила' })} комментарий: ${quoted(facts.reason ?? '')}`,
  merged: (facts) => `${person(facts)} ${verb(genderOf(person(facts)), { m: 'присоединил', f: 'присоединила' })} к карточке ${facts.count === 1 ? 'дубль' : 'дубли'} № ${facts.name ?? ''}`,
  other: (facts) => `Событие ${facts.type}`,
};

function taskChange(facts: TaskChangeFacts): string {
  const task = `задачу ${quoted(facts.title)}`;
  switch (facts.change) {
    case 'renamed':
      return `${personDid(facts.actor, { m: 'переименовал', f: 'переименовала' })} задачу ${quoted(facts.from ?? '')} в ${quoted(facts.to ?? '')}`;
    case 'done':
      return `${personDid(facts.actor, { m: 'выполнил', f: 'выполнила' })} ${task}`;
    case 'reopened':
      return `${personDid(facts.actor, { m: 'снова открыл', f: 'снова открыла' })} ${task}`;
    case 'assigned':
      return facts.from === null
        ? `${personDid(facts.actor, { m: 'назначил', f: 'назначила' })} ${task} ${dativeOf(facts.to ?? '?')}`
        : `${personDid(facts.actor, { m: 'передал', f: 'передала' })} ${task} ${dativeOf(facts.to ?? '?')} (раньше: ${facts.from})`;
    case 'due_changed':
      return facts.to === null
        ? `${personDid(facts.actor, { m: 'убрал', f: 'убрала' })} срок задачи ${quoted(facts.title)}`
        : `${personDid(facts.actor, { m: 'перенёс', f: 'перенесла' })} срок задачи ${quoted(facts.title)} на ${facts.to}${facts.from ? ` (был ${facts.from})` : ''}`;
  }
}

export const ru: Messages = {
  stage,
  run,
  message: (facts) => {
    if (facts.direction === 'in') return `${facts.channel === 'email' ? 'Письмо' : 'Сообщение'} от клиента${channelIn(facts.channel)}${facts.excerpt ? `: ${quoted(facts.excerpt)}` : ''}`;
    const status = `${MESSAGE_STATUS[facts.status]}${facts.status === 'failed' && facts.error ? ` (${facts.error})` : ''}`;
    if (facts.audience === 'user') return `Уведомление${facts.recipient ? ` ${dativeOf(facts.recipient)}` : ''}${channelIn(facts.channel)}: ${status}`;
    if (facts.channel === 'email') return `Письмо клиенту${facts.subject ? ` ${quoted(facts.subject)}` : ''}: ${status}`;
    return `Сообщение клиенту${channelIn(facts.channel)}: ${status}`;
  },
  events,
  task: (facts) =>
    `${facts.assignee ? `${dativeOf(facts.assignee)} поставлена` : 'Поставлена'} задача ${quoted(facts.title)}${facts.assignee ? '' : ' без исполнителя'}${facts.dueText ? `, срок — ${facts.dueText}` : ''}${facts.status === 'done' ? ' (выполнена)' : ''}`,
  taskChange,
  call: (facts) =>
    `Звонок ${facts.attempt} ${dativeOf(facts.agent)}: ${CALL_STATUS[facts.status]}${facts.ringSeconds === null ? '' : `, гудки ${facts.ringSeconds} с`}${facts.talkSeconds === null ? '' : `, разговор ${facts.talkSeconds} с`}`,
  duration,
};
