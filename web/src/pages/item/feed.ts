import type { PipelinesResponse } from '../../api/types';
import { hasWord, type I18n } from '../../i18n';
import { fieldSpec } from '../../components/item-fields';
import { personName } from '../../components/zone';
import { formatWhen } from '../tasks/buckets';
import type { TimelineEntry } from './types';

/** What the feed needs to speak: the reader's words, the config's names and zone, the clock. */
export interface FeedContext {
  i18n: Pick<I18n, 't' | 'word' | 'locale'>;
  config: PipelinesResponse;
  zone: string;
  now: number;
  /** The item's pipeline: stage ids are read in it. */
  pipeline: string;
  /** Task titles by id, from the feed's own `task_created` entries (a change entry names only its task's id). */
  taskTitles: ReadonlyMap<number, string>;
}

/**
 * A sentence in parts: plain words of the page, and what people wrote or named (a comment, a
 * task's title, a person's or a robot's name), which the page marks as theirs (`data-user-content`).
 */
export type Sentence = Array<string | { theirs: string }>;

type Value = string | number | { theirs: string };

const MARK = '\u0001';

/** `t(key)` with some params that are people's words: they come back as their own parts. */
function say(context: FeedContext, key: string, params: Record<string, Value> = {}): Sentence {
  if (!hasWord(key)) return [key];
  const theirs: string[] = [];
  const plain: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'object') {
      plain[name] = `${MARK}${theirs.length}${MARK}`;
      theirs.push(value.theirs);
    } else plain[name] = value;
  }
  const text = context.i18n.t(key, plain);
  return text
    .split(new RegExp(`${MARK}(\\d+)${MARK}`))
    .map((part, index) => (index % 2 === 1 ? { theirs: theirs[Number(part)] ?? '' } : part))
    .filter((part) => part !== '');
}

/** The sentence as one string (for labels and tests). */
export function plainText(sentence: Sentence): string {
  return sentence.map((part) => (typeof part === 'string' ? part : part.theirs)).join('');
}

/** A word of the dictionary for a key made from the server's data (a new code may have none yet). */
function known(context: FeedContext, key: string): string | null {
  return hasWord(key) ? context.i18n.t(key) : null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value : null);

function stageName(context: FeedContext, id: unknown): string {
  const stageId = String(id ?? '');
  const pipelines = [context.config.leads, ...context.config.deals];
  const own = pipelines.find((pipeline) => pipeline.key === context.pipeline) ?? context.config.leads;
  const stage = own.stages.find((candidate) => candidate.id === stageId) ?? pipelines.flatMap((pipeline) => pipeline.stages).find((candidate) => candidate.id === stageId);
  return context.i18n.word(stage?.name, stageId);
}

function pipelineName(context: FeedContext, key: unknown): string {
  const pipeline = [context.config.leads, ...context.config.deals].find((candidate) => candidate.key === key);
  return context.i18n.word(pipeline?.name, String(key ?? ''));
}

function reasonLabel(context: FeedContext, stage: unknown, reason: string): string {
  for (const pipeline of [context.config.leads, ...context.config.deals]) {
    const found = pipeline.stages.find((candidate) => candidate.id === stage)?.reasons?.find((candidate) => candidate.id === reason);
    if (found) return context.i18n.word(found.label, reason);
  }
  return reason.replace(/_/g, ' ');
}

const readable = (id: string) => id.replace(/[_.]+/g, ' ').trim();

function person(context: FeedContext, login: unknown): { theirs: string } | null {
  const value = text(login);
  return value ? { theirs: personName(context.config, value) } : null;
}

function people(context: FeedContext, logins: unknown): { theirs: string } | null {
  if (!Array.isArray(logins) || logins.length === 0) return null;
  return { theirs: logins.map((login) => personName(context.config, String(login))).join(', ') };
}

function when(context: FeedContext, iso: unknown): string {
  const value = text(iso);
  if (!value) return '';
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(ms) ? '' : formatWhen(new Date(ms).toISOString(), context.i18n.locale, context.zone, context.now);
}

function channelWord(context: FeedContext, channel: unknown): string {
  const value = text(channel);
  if (!value) return '';
  return known(context, `channel.${value}`) ?? value;
}

/** Who did it: a person (by name), a robot, or nobody said. */
function byWhom(context: FeedContext, entry: TimelineEntry): Value | null {
  const by = text(entry.by) ?? text(entry.author) ?? text(entry.actor);
  if (!by) return null;
  const kind = text(entry.by_kind);
  if (kind === 'person' || by.startsWith('user:') || (!kind && !by.includes(':') && by !== 'robot')) return { theirs: personName(context.config, by.replace(/^user:/, '')) };
  const id = by.includes(':') ? by.slice(by.indexOf(':') + 1) : by;
  if (kind === 'robot' || by.startsWith('robot:') || by === 'robot') return id === 'robot' ? null : { theirs: readable(id) };
  return { theirs: readable(id) };
}

function by(context: FeedContext, entry: TimelineEntry): Sentence {
  const who = byWhom(context, entry);
  return who ? say(context, 'feed.by', { who }) : [];
}

/** What a robot run's reason code says, its params turned into names and times. */
function runWhat(context: FeedContext, code: string, params: Record<string, unknown>): Sentence {
  const key = `feed.code.${code}`;
  const values: Record<string, Value> = {};
  const param = (name: string) => params[name];
  switch (code) {
    case 'cancelled.left_stage':
      values.stage = stageName(context, param('stage'));
      values.to = text(param('to')) ? plainText(say(context, 'feed.to', { to: stageName(context, param('to')) })) : '';
      break;
    case 'cancelled.goal_reached':
    case 'done.moved':
    case 'done.already_there':
      values.stage = stageName(context, param('stage'));
      break;
    case 'done.sent':
      values.channel = text(param('channel')) ? plainText(say(context, 'feed.viaChannel', { channel: channelWord(context, param('channel')) })) : '';
      values.recipients = '';
      break;
    case 'skipped.no_address':
    case 'skipped.opted_out':
      values.channel = text(param('channel')) ? plainText(say(context, 'feed.viaChannel', { channel: channelWord(context, param('channel')) })) : '';
      break;
    case 'done.task_created':
      values.title = { theirs: String(param('title') ?? '') };
      values.assignee = '';
      break;
    case 'done.deal_created':
    case 'done.deal_exists':
      values.deal_id = String(param('deal_id') ?? '');
      values.pipeline = pipelineName(context, param('pipeline'));
      break;
    case 'done.assigned':
      values.to = person(context, param('to')) ?? '—';
      break;
    case 'done.calling':
      values.agent = person(context, param('agent')) ?? '—';
      break;
    case 'done.fields_set': {
      const fields = Array.isArray(param('fields')) ? (param('fields') as unknown[]) : [];
      values.fields = fields.map((field) => fieldSpec(String(field), context.config, context.i18n).label).join(', ');
      break;
    }
    case 'done.webhook':
      values.status = String(param('status') ?? '—');
      break;
    case 'skipped.too_late':
      values.late = `${Math.max(1, Math.round(Number(param('late_ms') ?? 0) / 60_000))} ${context.i18n.locale === 'ru' ? 'мин' : 'min'}`;
      break;
    case 'failed.channel_error':
      values.retry_at = when(context, param('retry_at')) || '—';
      break;
    case 'failed.gave_up':
      values.attempts = Number(param('attempts') ?? 0);
      break;
    case 'failed.move_refused': {
      const missing = Array.isArray(param('missing_fields')) ? (param('missing_fields') as unknown[]) : [];
      values.missing = missing.length ? plainText(say(context, 'feed.missing', { fields: missing.map((field) => fieldSpec(String(field), context.config, context.i18n).label).join(', ') })) : '';
      break;
    }
    case 'scheduled.due':
      values.due_at = when(context, param('due_at')) ? plainText(say(context, 'feed.at', { when: when(context, param('due_at')) })) : '';
      break;
    case 'scheduled.deferred':
      values.until = when(context, param('until')) || '—';
      break;
    case 'done.variant_chosen':
      values.variant = { theirs: String(param('variant') ?? '') };
      break;
    case 'cancelled.field_cleared':
    case 'scheduled.field_moved':
      values.field = { theirs: String(param('field') ?? '') };
      break;
  }
  const sentence = say(context, key, values);
  // Names given to the sentence's holes after it is built: a recipient list and an assignee are people's names.
  if (code === 'done.sent') {
    const recipients = people(context, param('recipients'));
    if (recipients) sentence.push(...say(context, 'feed.toWhom', { who: recipients }));
  }
  if (code === 'done.task_created') {
    const assignee = person(context, param('assignee'));
    if (assignee) sentence.push(...say(context, 'feed.forWhom', { who: assignee }));
  }
  return sentence;
}

/**
 * The sentence of one entry, in the reader's language, built from the entry's machine facts
 * (`type`, a run's reason `code` and `params`) with this page's dictionary. The server's own
 * sentence (`text`, in the config's language) is only a last resort for an entry the dictionary
 * cannot say and only when it is in the reader's language; the engine's English (`summary`) is
 * never the sentence: "more" shows it to ops.
 */
export function sentenceOf(entry: TimelineEntry, context: FeedContext, configLocale: string): Sentence {
  const sameLanguage = configLocale === context.i18n.locale;
  const fallback = (): Sentence => (sameLanguage && text(entry.text) ? [entry.text as string] : say(context, 'feed.something'));
  const taskTitle = (): Value => ({ theirs: text(entry.title) ?? context.taskTitles.get(Number(entry.task_id)) ?? `#${String(entry.task_id ?? '')}` });
  switch (entry.type) {
    case 'stage_change': {
      const to = stageName(context, entry.to ?? entry.stage);
      const from = entry.from ?? entry.from_stage;
      const sentence = from ? say(context, 'feed.movedStage', { to, from: stageName(context, from), by: '' }) : say(context, 'feed.created', { to, by: '' });
      sentence.push(...by(context, entry));
      const reason = text(entry.lost_reason) ?? text(entry.reason);
      if (reason) sentence.push(...say(context, 'feed.lostBecause', { reason: reasonLabel(context, entry.to ?? entry.stage, reason) }));
      if (text(entry.comment)) sentence.push(...say(context, 'feed.moveComment', { text: { theirs: entry.comment as string } }));
      return sentence;
    }
    case 'robot_run': {
      // A `remind` robot's title is its task's template, not a name.
      const title = text(entry.robot_title);
      const robot = { theirs: title && !title.includes('{{') ? context.i18n.word(title) : readable(String(entry.robot ?? '')) };
      const code = text(entry.code);
      if (code && hasWord(`feed.code.${code}`))
        return say(context, 'feed.runCode', { robot, what: '\u0002' }).flatMap((part) =>
          part === '\u0002' ? runWhat(context, code, entry.params ?? {}) : typeof part === 'string' && part.includes('\u0002') ? splitAround(part, runWhat(context, code, entry.params ?? {})) : [part],
        );
      const status = known(context, `runStatus.${String(entry.status)}`) ?? String(entry.status ?? '');
      return say(context, 'feed.run', { robot, status });
    }
    case 'comment': {
      const body = text(entry.comment) ?? text(entry.body) ?? '';
      const who = byWhom(context, entry);
      return who ? say(context, 'feed.comment', { who, text: { theirs: body } }) : say(context, 'feed.commentAnon', { text: { theirs: body } });
    }
    case 'call': {
      const seconds = typeof entry.duration_seconds === 'number' ? entry.duration_seconds : null;
      const outcomeKey = `compose.${String(entry.outcome ?? '')}`;
      const statusKey = `callStatus.${String(entry.status ?? '')}`;
      const outcome = known(context, outcomeKey) ?? known(context, statusKey) ?? '';
      const directionKey = `compose.${String(entry.direction ?? 'outbound')}`;
      const sentence =
        entry.source === 'callback'
          ? say(context, 'feed.callback', { who: person(context, entry.agent) ?? '—', outcome })
          : say(context, 'feed.callLogged', {
              who: byWhom(context, entry) ?? context.i18n.t('feed.kind.call'),
              direction: known(context, directionKey) ?? '',
              outcome,
              duration: seconds ? context.i18n.t('feed.callDuration', { minutes: Math.floor(seconds / 60), seconds: seconds % 60 }) : '',
            });
      if (text(entry.note)) sentence.push(...say(context, 'feed.callNote', { note: { theirs: entry.note as string } }));
      return sentence;
    }
    case 'task_created': {
      const due = when(context, entry.due_at);
      return say(context, 'feed.taskNew', { title: taskTitle(), who: person(context, entry.assignee) ?? context.i18n.t('feed.taskNobody'), due: due ? context.i18n.t('feed.taskDue', { when: due }) : '' });
    }
    case 'task_done':
      return [...say(context, 'feed.taskDone', { title: taskTitle(), by: '' }), ...by(context, entry)];
    case 'task_reopened':
      return [...say(context, 'feed.taskReopened', { title: taskTitle(), by: '' }), ...by(context, entry)];
    case 'task_reassigned':
      return [...say(context, 'feed.taskAssigned', { title: taskTitle(), to: person(context, entry.to) ?? context.i18n.t('feed.taskNobody'), by: '' }), ...by(context, entry)];
    case 'task_rescheduled':
      return [...say(context, 'feed.taskDueChanged', { title: taskTitle(), when: when(context, entry.to) || '—', by: '' }), ...by(context, entry)];
    case 'task_renamed':
      return [...say(context, 'feed.taskRenamed', { from: { theirs: String(entry.from ?? '') }, to: { theirs: String(entry.to ?? '') }, by: '' }), ...by(context, entry)];
    case 'message': {
      const status = String(entry.delivery_status ?? entry.status ?? '');
      const statusWord = known(context, `runStatus.${status}`) ?? status;
      if (entry.direction === 'in') return say(context, 'feed.messageIn', { channel: channelWord(context, entry.channel) });
      const recipient = person(context, entry.recipient_login);
      return recipient
        ? say(context, 'feed.alert', { channel: channelWord(context, entry.channel), status: statusWord, who: recipient })
        : say(context, 'feed.message', { channel: channelWord(context, entry.channel), status: statusWord });
    }
    default: {
      const eventType = text(entry.event_type);
      const payload = (entry.payload ?? {}) as Record<string, unknown>;
      if (eventType === 'field_changed' && text(payload.field)) {
        const shown = (value: unknown) => ({ theirs: value === null || value === undefined || value === '' ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value) });
        return [...say(context, 'feed.fieldChanged', { field: fieldSpec(String(payload.field), context.config, context.i18n).label, from: shown(payload.from), to: shown(payload.to) }), ...by(context, entry)];
      }
      if (eventType === 'responsible_changed') {
        return [...say(context, 'feed.responsibleChanged', { to: person(context, payload.to) ?? '—' }), ...by(context, entry)];
      }
      const eventWords = eventType ? known(context, `event.${eventType}`) : null;
      if (eventWords) return [eventWords];
      return fallback();
    }
  }
}

function splitAround(part: string, inner: Sentence): Sentence {
  const [before = '', after = ''] = part.split('\u0002');
  return [before, ...inner, after].filter((piece) => piece !== '');
}

/** The machine kind of an entry for its icon and its label: the new `type`, else the old `kind`. */
export function entryKind(entry: TimelineEntry): 'stage' | 'run' | 'message' | 'comment' | 'call' | 'task' | 'event' {
  switch (entry.type) {
    case 'stage_change':
      return 'stage';
    case 'robot_run':
      return 'run';
    case 'message':
    case 'comment':
    case 'call':
      return entry.type;
    default:
      return typeof entry.type === 'string' && entry.type.startsWith('task_') ? 'task' : 'event';
  }
}

/** The engine's details of an entry, for ops and admins: everything but what the sentence already says. */
export function rawDetails(entry: TimelineEntry): string {
  const { text: _sentence, at_text: _atText, summary: _summary, ...rest } = entry;
  return JSON.stringify(rest, null, 2);
}
