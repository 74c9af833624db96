import type { PipelinesResponse } from '../../api/types';
import { hasWord, type I18n } from '../../i18n';
import { personName } from '../../components/zone';
import { formatWhen } from '../tasks/buckets';
import type { TimelineEntry } from './types';

/** What the feed needs to speak: the reader's words, the config's names and zone, the clock. */
export interface FeedContext {
  i18n: Pick<I18n, 't' | 'word' | 'locale'>;
  config: PipelinesResponse;
  zone: string;
  now: number;
  pipeline: string;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value : null);

function stageName(context: FeedContext, id: unknown): string {
  const stageId = String(id ?? '');
  const pipeline = context.pipeline === context.config.leads.key ? context.config.leads : (context.config.deals.find((candidate) => candidate.key === context.pipeline) ?? context.config.leads);
  return context.i18n.word(pipeline.stages.find((stage) => stage.id === stageId)?.name, stageId);
}

function reasonLabel(context: FeedContext, stage: unknown, reason: string): string {
  const pipelines = [context.config.leads, ...context.config.deals];
  for (const pipeline of pipelines) {
    const found = pipeline.stages.find((candidate) => candidate.id === stage)?.reasons?.find((candidate) => candidate.id === reason);
    if (found) return context.i18n.word(found.label, reason);
  }
  return reason.replace(/_/g, ' ');
}

/** `user:anna` → Anna's name; `robot:sla` → the robot; anything else as it is made readable. */
export function actorName(context: FeedContext, actor: unknown): string | null {
  const value = text(actor);
  if (!value) return null;
  const colon = value.indexOf(':');
  if (colon === -1) return personName(context.config, value);
  const kind = value.slice(0, colon);
  const id = value.slice(colon + 1);
  if (kind === 'user') return personName(context.config, id);
  if (kind === 'robot') return context.i18n.t('feed.byRobot', { name: id.replace(/[_.]+/g, ' ') });
  return id.replace(/[_.]+/g, ' ');
}

function by(context: FeedContext, actor: unknown): string {
  const who = actorName(context, actor);
  return who ? context.i18n.t('feed.by', { who }) : '';
}

function when(context: FeedContext, iso: unknown): string {
  const value = text(iso);
  return value ? formatWhen(value, context.i18n.locale === 'ru' ? 'ru' : 'en', context.zone, context.now) : '';
}

/** A word of the dictionary if it has one for `key`, else null (codes come from the server and may be new). */
function known(context: FeedContext, key: string, params: Record<string, string | number> = {}): string | null {
  return hasWord(key) ? context.i18n.t(key, params) : null;
}

function paramsOf(entry: TimelineEntry): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(entry.params ?? {})) if (value !== null && value !== undefined) params[key] = value;
  return params;
}

/**
 * The sentence of one entry in the reader's language. A reason `code` is translated with the
 * dictionary; the server's own sentence (`text`) is used only when it is in the reader's
 * language; otherwise the sentence is built here from the entry's facts. The engine's English
 * (`summary`) is never the sentence: it is what "more" shows to ops.
 */
export function sentenceOf(entry: TimelineEntry, context: FeedContext, configLocale: string): string {
  const { t } = context.i18n;
  const sameLanguage = configLocale === context.i18n.locale;
  const type = entry.type ?? entry.kind;
  if (entry.kind === 'comment' || type === 'comment') {
    const body = text(entry.body) ?? text(entry.comment) ?? text(entry.note);
    if (body === null) return sameLanguage && text(entry.text) ? (entry.text as string) : t('feed.kind.comment');
    const who = actorName(context, entry.author ?? entry.actor);
    return who ? t('feed.comment', { who, text: body }) : t('feed.commentAnon', { text: body });
  }
  if (entry.kind === 'run') {
    const robot = text(entry.robot_name) ?? text(entry.robot_title) ?? String(entry.robot ?? '').replace(/[_.]+/g, ' ');
    const status = known(context, `runStatus.${String(entry.status)}`) ?? String(entry.status ?? '');
    const params = paramsOf(entry);
    if (typeof params.stage === 'string') params.stage = stageName(context, params.stage);
    if (typeof params.to === 'string') params.to = stageName(context, params.to);
    const why = entry.code ? known(context, `feed.code.${entry.code}`, params) : null;
    if (why) return t('feed.runWhy', { robot, status, why });
    if (sameLanguage && text(entry.text)) return entry.text as string;
    return t('feed.run', { robot, status });
  }
  if (sameLanguage && text(entry.text)) return entry.text as string;
  switch (entry.kind) {
    case 'stage': {
      const to = stageName(context, entry.stage);
      const base = entry.from_stage ? t('feed.movedStage', { to, from: stageName(context, entry.from_stage), by: by(context, entry.actor) }) : t('feed.created', { to, by: by(context, entry.actor) });
      const reason = text(entry.reason);
      return reason ? `${base}${t('feed.lostBecause', { reason: reasonLabel(context, entry.stage, reason) })}` : base;
    }
    case 'task': {
      const title = text(entry.title) ?? text(entry.task_title) ?? '';
      switch (entry.change) {
        case 'done':
          return t('feed.taskDone', { title, by: by(context, entry.actor) });
        case 'reopened':
          return t('feed.taskReopened', { title, by: by(context, entry.actor) });
        case 'assigned':
          return t('feed.taskAssigned', { title, to: personName(context.config, text(entry.to)) || t('feed.taskNobody'), by: by(context, entry.actor) });
        case 'due_changed': {
          const due = text(entry.to);
          return t('feed.taskDueChanged', { title, when: due && /^\d+$/.test(due) ? when(context, new Date(Number(due)).toISOString()) : when(context, due), by: by(context, entry.actor) });
        }
        default: {
          const due = when(context, entry.due_at);
          return t('feed.taskNew', { title, who: personName(context.config, text(entry.assignee)) || t('feed.taskNobody'), due: due ? t('feed.taskDue', { when: due }) : '' });
        }
      }
    }
    case 'call': {
      const seconds = typeof entry.duration_seconds === 'number' ? entry.duration_seconds : null;
      const outcome = known(context, `compose.${String(entry.outcome ?? entry.status)}`) ?? String(entry.outcome ?? entry.status ?? '');
      const direction = known(context, `compose.${String(entry.direction ?? 'outbound')}`) ?? '';
      const note = text(entry.note);
      const base = t('feed.callLogged', {
        who: actorName(context, entry.actor ?? entry.agent) ?? t('feed.kind.call'),
        direction,
        outcome,
        duration: seconds ? t('feed.callDuration', { minutes: Math.floor(seconds / 60), seconds: seconds % 60 }) : '',
      });
      return note ? `${base}${t('feed.callNote', { note })}` : base;
    }
    case 'message':
      return entry.direction === 'in' ? t('feed.messageIn', { channel: String(entry.channel ?? '') }) : t('feed.message', { channel: String(entry.channel ?? ''), status: known(context, `runStatus.${String(entry.status)}`) ?? String(entry.status ?? '') });
    case 'event':
      return t('feed.event', { type: String(entry.type ?? '').replace(/_/g, ' ') });
    default:
      return t('feed.something');
  }
}

/** The engine's details of an entry, for ops and admins: everything but what the sentence already says. */
export function rawDetails(entry: TimelineEntry): string {
  const { text: _sentence, at_text: _atText, ...rest } = entry;
  return JSON.stringify(rest, null, 2);
}
