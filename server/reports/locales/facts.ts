import { escalationLevelOf, stageOf, type CompiledConfig } from '../../core/compiled-config';
import type { Locale } from '../../../config/schema';
import type { CallRow, EntityKind, EventRow, MessageRow, RobotRunRow, StageEntryRow, TaskChangeRow, TaskRow } from '../../core/rows';
import { formatAt, localLabel, readableId } from '.';
import type { Actor, CallFacts, EventFacts, MessageFacts, RunDeed, RunFacts, RunWhy, StageFacts, TaskChangeFacts, TaskFacts } from './messages';

/**
 * From rows to what a sentence says: ids become the names people know (stage names, people's
 * names, robot titles, the locale's half of a `Новый / New` label), times are formatted. Pure:
 * the timeline loads the rows and the people, this only reads them.
 */

/** How the timeline names things; built once per request from the config and the users table. */
export interface Names {
  locale: Locale;
  person(login: string): string;
  stage(pipeline: string, stage: string): string;
  robot(robotId: string): string;
  trigger(triggerId: string): string;
  form(formId: string): string;
  pipeline(key: string): string;
  field(id: string): string;
  reason(pipeline: string, stage: string, reasonId: string): string;
  at(ms: number): string;
}

/** The standard fields' labels, for `field_changed` (custom fields have their own `label`). */
const STANDARD_FIELDS: Record<Locale, Record<string, string>> = {
  ru: { title: 'Название', name: 'Имя', phone: 'Телефон', email: 'Email', company_name: 'Компания', source: 'Источник', responsible: 'Ответственный', amount: 'Сумма' },
  en: { title: 'Title', name: 'Name', phone: 'Phone', email: 'Email', company_name: 'Company', source: 'Source', responsible: 'Responsible', amount: 'Amount' },
};

/** `people`: login → name from the users table (people added with the CLI too); the config's users win. */
export function namesOf(config: CompiledConfig, locale: Locale, people: ReadonlyMap<string, string> = new Map()): Names {
  const label = (text: string | undefined, id: string) => (text ? localLabel(text, locale) : readableId(id));
  const pipelineModel = (key: string) => (key === config.leads.key ? config.leads : config.deals.get(key));
  const robotTitle = (robotId: string): string => {
    const title = config.robots.get(robotId)?.robot.title;
    // A `remind` robot's title is its task's handlebars title, not a label.
    return title && !title.includes('{{') ? localLabel(title, locale) : readableId(robotId);
  };
  return {
    locale,
    person: (login) => {
      const name = config.users.get(login)?.name ?? people.get(login);
      return name ? localLabel(name, locale) : login;
    },
    stage: (pipeline, stage) => label(stageOf(config, pipeline, stage)?.name, stage),
    robot: (robotId) => {
      const level = escalationLevelOf(robotId);
      return robotTitle(level ? level.of : robotId);
    },
    trigger: (triggerId) => readableId(triggerId),
    form: (formId) => label(config.source.forms[formId]?.name, formId),
    pipeline: (key) => label(pipelineModel(key)?.name, key),
    field: (id) => (config.source.fields[id]?.label ? localLabel(config.source.fields[id].label as string, locale) : (STANDARD_FIELDS[locale][id] ?? readableId(id))),
    reason: (pipeline, stage, reasonId) => label(stageOf(config, pipeline, stage)?.reasons?.find((reason) => reason.id === reasonId)?.label, reasonId),
    at: (ms) => formatAt(ms, locale, config.source.timezone),
  };
}

/** `user:anna`, `robot:first_contact_sla`, `trigger:taken_in_work`, `form:contact`, `channel:telegram`, `simulate`. */
export function actorOf(actor: string | null, names: Names): Actor {
  const colon = actor?.indexOf(':') ?? -1;
  if (!actor || colon === -1) return { kind: 'system', name: actor ?? '?' };
  const kind = actor.slice(0, colon);
  const id = actor.slice(colon + 1);
  switch (kind) {
    case 'user':
      return { kind: 'person', name: names.person(id) };
    case 'robot':
      return { kind: 'robot', name: names.robot(id) };
    case 'trigger':
      return { kind: 'trigger', name: names.trigger(id) };
    case 'form':
      return { kind: 'form', name: names.form(id) };
    case 'hook':
      return { kind: 'hook', name: readableId(id) };
    case 'channel':
      return { kind: 'client', channel: id };
    default:
      return { kind: 'system', name: actor };
  }
}

const REFUSALS = new Set(['we_refused', 'client_refused']);

export function stageFacts(entry: StageEntryRow, names: Names): StageFacts {
  return {
    item: entry.entityType,
    actor: actorOf(entry.actor, names),
    from: entry.fromStage === null ? null : names.stage(entry.pipeline, entry.fromStage),
    to: names.stage(entry.pipeline, entry.stage),
    lost: entry.reason
      ? {
          reason: names.reason(entry.pipeline, entry.stage, entry.reason),
          refusedBy: entry.refusedBy !== null && REFUSALS.has(entry.refusedBy) ? (entry.refusedBy as 'we_refused' | 'client_refused') : null,
        }
      : null,
  };
}

/** What the engine writes when it cancels or skips a run (transition.ts, runner.ts, queue.ts, ingest.ts, robots). */
export function runWhyOf(run: RobotRunRow, names: Names): RunWhy | null {
  const detail = run.detail;
  if (!detail) return null;
  let match: RegExpExecArray | null;
  if ((match = /^left stage "([^"]+)"(?: for "([^"]+)")?$/.exec(detail))) {
    return { kind: 'left_stage', stage: names.stage(run.pipeline, group(match, 1)), to: match[2] ? names.stage(run.pipeline, match[2]) : null };
  }
  if (detail === 'client replied') return { kind: 'client_replied' };
  if ((match = /^the goal of "([^"]+)" was reached/.exec(detail))) return { kind: 'goal_reached', stage: names.stage(run.pipeline, group(match, 1)) };
  if (detail === 'robot no longer in the config') return { kind: 'robot_removed' };
  if ((match = /^(\S+) was cancelled$/.exec(detail))) return { kind: 'predecessor_cancelled', robot: names.robot(group(match, 1)) };
  if (detail === 'the item no longer exists') return { kind: 'item_gone' };
  if (detail.startsWith('taken: ')) return { kind: 'taken' };
  if (detail === 'condition was false when the robot was due') return { kind: 'condition_false' };
  if (/^skipped: .+ late \(skip_if_late /.test(detail)) return { kind: 'too_late', lateMs: lateMsOf(run) ?? 0 };
  if ((match = /^timed out after (\S+); the robots after it do not run$/.exec(detail))) return { kind: 'wait_timed_out', after: group(match, 1) };
  return { kind: 'other', text: detail };
}

/** What a done run did, from the messages, tasks and calls it made, else from its detail. */
export function runDeedOf(run: RobotRunRow, made: { messages: MessageRow[]; tasks: TaskRow[]; calls: CallRow[] }, config: CompiledConfig, names: Names): RunDeed {
  const detail = run.detail ?? '';
  const task = made.tasks[0];
  if (task) return { kind: 'task', title: task.title, assignee: task.assignee === null ? null : names.person(task.assignee) };
  const call = made.calls[0];
  if (call) return { kind: 'calling', agent: call.agentLogin ? names.person(call.agentLogin) : (call.agentPhone ?? '?') };
  const alerts = made.messages.filter((message) => message.audience === 'user' && message.direction === 'out');
  const recipients = alerts.map((message) => (message.recipientLogin ? names.person(message.recipientLogin) : message.recipient));
  if (run.robotType === 'notify_repeat_client') return { kind: 'repeat_client', recipients };
  const [firstAlert] = alerts;
  if (firstAlert) return { kind: 'alerted', recipients, channel: firstAlert.channel };
  const touch = made.messages.find((message) => message.audience === 'client' && message.direction === 'out');
  if (touch) return { kind: 'messaged_client', channel: touch.channel };
  let match: RegExpExecArray | null;
  if ((match = /^moved (lead|deal) #\d+ to "([^"]+)"$/.exec(detail))) {
    const kind: EntityKind = group(match, 1) === 'lead' ? 'lead' : 'deal';
    const stage = group(match, 2);
    return { kind: 'moved', item: kind, stage: kind === run.entityType ? names.stage(run.pipeline, stage) : stageInAny(config, kind, stage, names) };
  }
  if ((match = /^created deal #(\d+) in "([^"]+)", (?:responsible ([^;,\s]+)|no responsible)/.exec(detail))) {
    return { kind: 'deal_created', id: Number(group(match, 1)), pipeline: names.pipeline(group(match, 2)), responsible: match[3] ? names.person(match[3]) : null };
  }
  if ((match = /^responsible .+ → (\S+)$/.exec(detail))) return { kind: 'assigned', responsible: names.person(group(match, 1)) };
  if (detail.startsWith('set ')) return { kind: 'fields_set', fields: [...detail.matchAll(/(?:^set |, )([A-Za-z_][A-Za-z0-9_]*)=/g)].map((field) => names.field(group(field, 1))) };
  if (detail === 'the condition holds') return { kind: 'condition_met' };
  if ((match = /^timed out after (\S+); the robots after it run anyway$/.exec(detail))) return { kind: 'wait_timed_out', after: group(match, 1) };
  if ((match = /^POST (\S+) → (\d+)$/.exec(detail))) return { kind: 'webhook', url: group(match, 1), status: Number(group(match, 2)) };
  return { kind: 'other', text: run.detail };
}

/** A group the pattern always fills (not an optional one): its text. */
function group(match: RegExpMatchArray, index: number): string {
  const text = match[index];
  if (text === undefined) throw new Error(`no group ${index} in the match of "${match[0]}"`);
  return text;
}

/** A stage of the other kind (a lead's robot moving its deal): the first pipeline that has it. */
function stageInAny(config: CompiledConfig, kind: EntityKind, stage: string, names: Names): string {
  const pipelines = kind === 'lead' ? [config.leads] : [...config.deals.values()];
  const pipeline = pipelines.find((candidate) => candidate.stages.some((spec) => spec.id === stage));
  return pipeline ? names.stage(pipeline.key, stage) : readableId(stage);
}

/** A run that started a minute or more after it was due: how late. */
export function lateMsOf(run: RobotRunRow): number | null {
  if (run.startedAt === null || run.dueAt === null || run.status === 'scheduled' || run.status === 'cancelled') return null;
  const late = run.startedAt - run.dueAt;
  return late >= 60_000 ? late : null;
}

export function runFacts(run: RobotRunRow, made: { messages: MessageRow[]; tasks: TaskRow[]; calls: CallRow[] }, config: CompiledConfig, names: Names): RunFacts {
  const retried = run.status === 'scheduled' && run.detail ? /^retried by (.+)$/.exec(run.detail) : null;
  const pending = run.status === 'scheduled' || run.status === 'failed';
  return {
    item: run.entityType,
    robot: names.robot(run.robotId),
    escalation: escalationLevelOf(run.robotId)?.level ?? null,
    status: run.status,
    deed: run.status === 'done' ? runDeedOf(run, made, config, names) : { kind: 'other', text: null },
    why: retried || run.status === 'done' || run.status === 'failed' || run.status === 'dead' || run.status === 'unknown' ? null : runWhyOf(run, names),
    lateMs: run.status === 'done' ? lateMsOf(run) : null,
    dueText: pending && run.dueAt !== null ? names.at(run.dueAt) : null,
    waitsFor: run.waitsFor === null ? null : names.robot(run.waitsFor),
    retriedBy: retried ? actorOf(group(retried, 1), names) : null,
    attempts: run.attempts,
    error: run.lastError,
  };
}

export function messageFacts(message: MessageRow, names: Names): MessageFacts {
  const excerpt = message.direction === 'in' ? message.body.replace(/\s+/g, ' ').trim() : '';
  return {
    direction: message.direction,
    audience: message.audience,
    channel: message.channel,
    recipient: message.audience === 'user' ? (message.recipientLogin ? names.person(message.recipientLogin) : message.recipient) : null,
    subject: message.subject,
    excerpt: excerpt ? (excerpt.length > 80 ? `${excerpt.slice(0, 79)}…` : excerpt) : null,
    status: message.status,
    error: message.error,
  };
}

const text = (value: unknown): string | null => (value === null || value === undefined || value === '' ? null : String(value));

const LOGGED_RESULTS = ['answered', 'no_answer', 'busy', 'voicemail'] as const;

export function eventFacts(event: EventRow, names: Names): EventFacts {
  const payload = event.payload;
  const login = (value: unknown) => (typeof value === 'string' && value ? names.person(value) : null);
  const facts: EventFacts = {
    type: event.type,
    item: event.entityType ?? 'lead',
    actor: actorOf(event.actor, names),
    channel: text(payload.channel),
    name: null,
    from: null,
    to: null,
    person: null,
    outcome: null,
    count: null,
    reason: null,
  };
  switch (event.type) {
    case 'form_submitted':
      return { ...facts, name: typeof payload.form === 'string' ? names.form(payload.form) : null };
    case 'webhook':
      return { ...facts, name: event.actor?.startsWith('hook:') ? readableId(event.actor.slice(5)) : null };
    case 'link_clicked':
      return { ...facts, name: text(payload.url) };
    case 'page_visit':
      return { ...facts, name: text(payload.page) };
    case 'field_changed':
      return { ...facts, name: typeof payload.field === 'string' ? names.field(payload.field) : null, from: text(payload.from), to: text(payload.to) };
    case 'responsible_changed':
      return { ...facts, from: login(payload.from), to: login(payload.to) };
    case 'task_overdue':
      return { ...facts, name: text(payload.title), person: login(payload.assignee) };
    case 'score_changed':
      return { ...facts, from: text(payload.from), to: text(payload.to), outcome: text(payload.reason) };
    case 'email_bounced':
      return { ...facts, reason: text(payload.reason) };
    case 'taken':
      return { ...facts, person: login(payload.by) };
    case 'call':
      return {
        ...facts,
        person: login(payload.agent),
        outcome: text(payload.outcome),
        count: typeof payload.attempts === 'number' ? payload.attempts : null,
        loggedCall:
          payload.logged === true
            ? {
                direction: payload.direction === 'inbound' ? 'inbound' : 'outbound',
                result: LOGGED_RESULTS.find((result) => result === payload.result) ?? 'answered',
                seconds: typeof payload.duration_seconds === 'number' ? payload.duration_seconds : null,
              }
            : null,
      };
    case 'comment':
      return { ...facts, person: facts.actor.kind === 'person' ? facts.actor.name : null, reason: text(payload.text) };
    case 'merged': {
      const merged = Array.isArray(payload.merged) ? payload.merged.map(String) : [];
      return { ...facts, person: facts.actor.kind === 'person' ? facts.actor.name : null, name: merged.join(', '), count: merged.length };
    }
    case 'call_progress':
      return { ...facts, person: login(payload.agent), outcome: text(payload.status) };
    default:
      return facts;
  }
}

export function taskFacts(task: TaskRow, names: Names): TaskFacts {
  return { title: task.title, assignee: task.assignee === null ? null : names.person(task.assignee), dueText: task.dueAt === null ? null : names.at(task.dueAt), status: task.status };
}

export function taskChangeFacts(change: Pick<TaskChangeRow, 'change' | 'fromValue' | 'toValue' | 'actor'>, title: string, names: Names): TaskChangeFacts {
  const value = (raw: string | null) => {
    if (raw === null) return null;
    if (change.change === 'renamed') return raw;
    return change.change === 'due_changed' ? names.at(Number(raw)) : names.person(raw);
  };
  return { change: change.change, title, actor: actorOf(change.actor, names), from: value(change.fromValue), to: value(change.toValue) };
}

export function callFacts(call: CallRow, names: Names, ringSeconds: number | null): CallFacts {
  return { attempt: call.attempt, agent: call.agentLogin ? names.person(call.agentLogin) : (call.agentPhone ?? '?'), status: call.status, ringSeconds, talkSeconds: call.durationSeconds };
}
