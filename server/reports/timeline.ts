import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { stageOf, type CompiledConfig } from '../core/compiled-config';
import { CallEntity, EventEntity, MessageEntity, StageEntryEntity, TaskChangeEntity, TaskEntity, UserEntity } from '../db/entities';
import type { RunQueue } from '../pipeline/queue';
import { lateness } from '../core/lateness';
import type { CallRow, EventRow, MessageRow, RobotRunRow, TaskChangeRow, TaskRow } from '../core/rows';
import { defaultReasonCode, type RunReasonCode, type RunReasonParams } from '../core/run-reasons';
import type { Item } from '../core/items';
import type { EventType } from '../../config/event-types';
import type { ReadSource } from '../reads/source';
import { MESSAGES } from './locales';
import { callFacts, eventFacts, lateMsOf, messageFacts, namesOf, runFacts, stageFacts, taskChangeFacts, taskFacts } from './locales/facts';

/** What an entry is, for a program (the web app picks its icon and its translation by it). */
export const TIMELINE_TYPES = ['stage_change', 'robot_run', 'message', 'call', 'comment', 'task_created', 'task_done', 'task_reopened', 'task_reassigned', 'task_rescheduled', 'task_renamed', 'event'] as const;
export type TimelineType = (typeof TIMELINE_TYPES)[number];

const TASK_CHANGE_TYPES: Record<TaskChangeRow['change'], TimelineType> = {
  done: 'task_done',
  reopened: 'task_reopened',
  assigned: 'task_reassigned',
  due_changed: 'task_rescheduled',
  renamed: 'task_renamed',
};

/** `user:anna` → `anna`; a robot, trigger or form stays as written. */
const byOf = (actor: string | null) => (actor?.startsWith('user:') ? actor.slice(5) : actor);
const byKindOf = (actor: string | null) => (actor === null || !actor.includes(':') ? 'system' : actor.startsWith('user:') ? 'person' : actor.slice(0, actor.indexOf(':')));

/** An entry before its time is written out for people. */
interface TimelineFacts {
  at: string;
  /** The old coarse grouping (the board's timeline panel shows it). */
  kind: 'stage' | 'run' | 'message' | 'event' | 'task' | 'call' | 'comment';
  type: TimelineType;
  summary: string;
  /** The same in a plain sentence, in the config's `locale`, with names, not ids. */
  text: string;
  [detail: string]: unknown;
}

export interface TimelineEntry extends TimelineFacts {
  /** `at` in the config's time zone, for the locale: `23 нояб., 18:05`. */
  at_text: string;
}

/** A run that started a minute or more after it was due says so ("ran 3 min late"). */
function lateNote(run: RobotRunRow): string {
  const late = lateMsOf(run);
  return late === null ? '' : ` (ran ${lateness(late)} late)`;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A person's change to a task in one plain sentence: Task “Call the client” done by anna. */
export function taskChangeSentence(change: Pick<TaskChangeRow, 'change' | 'fromValue' | 'toValue' | 'actor'>, title: string, timezone: string): string {
  const by = change.actor.replace(/^user:/, '');
  const due = (value: string | null) => (value === null ? 'no due time' : DateTime.fromMillis(Number(value), { zone: timezone }).toFormat('dd.LL HH:mm'));
  const task = `Task “${title}”`;
  switch (change.change) {
    case 'done':
      return `${task} done by ${by}`;
    case 'reopened':
      return `${task} reopened by ${by}`;
    case 'assigned':
      return change.fromValue === null ? `${task} assigned to ${change.toValue} by ${by}` : `${task} reassigned from ${change.fromValue} to ${change.toValue} by ${by}`;
    case 'due_changed':
      return `${task} now due ${due(change.toValue)} (was ${due(change.fromValue)}), changed by ${by}`;
    case 'renamed':
      return `Task “${change.fromValue}” renamed to “${change.toValue}” by ${by}`;
  }
}

/** The timeline of an item as the API answers it: read through `source` (the store). */
export function timelineOf(source: ReadSource, queue: Pick<RunQueue, 'ofItem'>, config: CompiledConfig, item: Item) {
  return buildTimeline(source.manager, queue, config, item);
}

/**
 * Everything that happened to an item, oldest first: stage moves, robot runs with their status
 * and reason, messages, events and tasks. What users read to see why a robot did (not) fire.
 */
export async function buildTimeline(manager: EntityManager, queue: Pick<RunQueue, 'ofItem'>, config: CompiledConfig, item: Item) {
  const where = { entityType: item.kind, entityId: item.row.id };
  const [entries, runs, messages, events, tasks, calls, taskChanges, addedPeople] = await Promise.all([
    manager.find(StageEntryEntity, { where, order: { id: 'ASC' } }),
    queue.ofItem(manager, { kind: item.kind, id: item.row.id }),
    manager.find(MessageEntity, { where, order: { id: 'ASC' } }),
    manager.find(EventEntity, { where, order: { id: 'ASC' } }),
    manager.find(TaskEntity, { where, order: { id: 'ASC' } }),
    manager.find(CallEntity, { where, order: { id: 'ASC' } }),
    manager.find(TaskChangeEntity, { where, order: { id: 'ASC' } }),
    // People added with the CLI or the API are not in the config: their names come from the table.
    manager.find(UserEntity, { where: { origin: 'cli' }, select: ['login', 'name'] }),
  ]);
  const taskTitles = new Map(tasks.map((task) => [task.id, task.title]));
  const locale = config.source.locale;
  const words = MESSAGES[locale];
  const names = namesOf(config, locale, new Map(addedPeople.map((person) => [person.login, person.name])));
  const made = madeByRun(messages, tasks, calls);
  const unsorted: TimelineFacts[] = [
    ...entries.map((entry) => ({
      at: iso(entry.enteredAt) as string,
      kind: 'stage' as const,
      type: 'stage_change' as const,
      from: entry.fromStage,
      to: entry.stage,
      by: byOf(entry.actor),
      by_kind: byKindOf(entry.actor),
      lost_reason: stageOf(config, entry.pipeline, entry.stage)?.semantic === 'lost' ? entry.reason : null,
      summary: `${entry.fromStage ? `${entry.fromStage} → ` : 'created in '}${entry.stage}${entry.reason ? ` (${entry.reason}${entry.refusedBy ? `, ${entry.refusedBy}` : ''})` : ''} by ${entry.actor}`,
      text: words.stage(stageFacts(entry, names)),
      entry_id: entry.id,
      stage: entry.stage,
      stage_name: stageOf(config, entry.pipeline, entry.stage)?.name ?? entry.stage,
      from_stage: entry.fromStage,
      actor: entry.actor,
      reason: entry.reason,
      refused_by: entry.refusedBy,
      // The mover's own words (POST …/move {comment}), beside the reason.
      ...(entry.comment ? { comment: entry.comment } : {}),
      left_at: iso(entry.leftAt),
      causal_depth: entry.causalDepth,
    })),
    ...runs.map((run) => ({
      at: iso(run.finishedAt ?? run.startedAt ?? run.createdAt) as string,
      kind: 'run' as const,
      type: 'robot_run' as const,
      ...runReasonOf(run, made.get(run.id) ?? NOTHING_MADE),
      summary: `${run.robotId} (${run.robotType}) ${run.status}${run.detail ? `: ${run.detail}` : ''}${lateNote(run)}`,
      text: words.run(runFacts(run, made.get(run.id) ?? NOTHING_MADE, config, names)),
      late_ms: run.startedAt !== null && run.dueAt !== null ? Math.max(0, run.startedAt - run.dueAt) : null,
      run_id: run.id,
      entry_id: run.entryId,
      robot: run.robotId,
      // The robot's `title` as the config writes it (`Проверка / Check` too): the web page says it in its reader's language.
      robot_title: config.robots.get(run.robotId)?.robot.title ?? null,
      robot_type: run.robotType,
      status: run.status,
      detail: run.detail,
      due_at: iso(run.dueAt),
      attempts: run.attempts,
      last_error: run.lastError,
    })),
    ...messages.map((message) => ({
      at: iso(message.sentAt ?? message.createdAt) as string,
      kind: 'message' as const,
      type: 'message' as const,
      delivery_status: message.status,
      summary: `${message.direction === 'in' ? 'received' : 'sent'} ${message.channel} ${message.direction === 'in' ? 'from' : 'to'} ${message.recipientLogin ?? message.recipient}: ${message.status}`,
      text: words.message(messageFacts(message, names)),
      message_id: message.id,
      channel: message.channel,
      direction: message.direction,
      audience: message.audience,
      recipient: message.recipient,
      recipient_login: message.recipientLogin,
      subject: message.subject,
      body: message.body,
      status: message.status,
      error: message.error,
    })),
    ...events.map((event) => ({
      at: iso(event.createdAt) as string,
      ...eventKindOf(event),
      summary: `${event.type}${event.outcome ? `: ${event.outcome}` : ''}`,
      text: (Object.hasOwn(words.events, event.type) ? words.events[event.type as EventType] : words.events.other)(eventFacts(event, names)),
      event_id: event.id,
      event_type: event.type,
      actor: event.actor,
      by: byOf(event.actor),
      payload: event.payload,
    })),
    ...tasks.map((task) => ({
      at: iso(task.createdAt) as string,
      kind: 'task' as const,
      type: 'task_created' as const,
      created_by: task.createdBy ?? null,
      by: task.createdBy ?? (task.runId !== null ? 'robot' : null),
      summary: `task for ${task.assignee ?? 'nobody'}: ${task.title}`,
      text: words.task(taskFacts(task, names)),
      task_id: task.id,
      assignee: task.assignee,
      title: task.title,
      due_at: iso(task.dueAt),
      status: task.status,
      completed_at: iso(task.completedAt ?? null),
      completed_by: task.completedBy ?? null,
    })),
    ...taskChanges.map((change) => ({
      at: iso(change.createdAt) as string,
      kind: 'task' as const,
      type: TASK_CHANGE_TYPES[change.change],
      by: byOf(change.actor),
      summary: taskChangeSentence(change, taskTitles.get(change.taskId) ?? `#${change.taskId}`, config.source.timezone),
      text: words.taskChange(taskChangeFacts(change, taskTitles.get(change.taskId) ?? `#${change.taskId}`, names)),
      task_id: change.taskId,
      change: change.change,
      actor: change.actor,
      from: change.fromValue,
      to: change.toValue,
    })),
    ...calls.map((call) => {
      const rang = call.answeredAt ?? call.endedAt;
      const ringSeconds = rang === null ? null : Math.round((rang - call.startedAt) / 1000);
      return {
        at: iso(call.startedAt) as string,
        kind: 'call' as const,
        type: 'call' as const,
        source: 'callback' as const,
        direction: call.direction,
        summary: `call ${call.attempt} to ${call.agentLogin ?? call.agentPhone}: ${call.status}${ringSeconds === null ? '' : `, rang ${ringSeconds} s`}${call.durationSeconds === null ? '' : `, talked ${call.durationSeconds} s`}`,
        text: words.call(callFacts(call, names, ringSeconds)),
        call_id: call.id,
        agent: call.agentLogin,
        attempt: call.attempt,
        status: call.status,
        ring_seconds: ringSeconds,
        duration_seconds: call.durationSeconds,
        answered_at: iso(call.answeredAt),
        ended_at: iso(call.endedAt),
      };
    }),
  ];
  const timeline: TimelineEntry[] = unsorted.sort((a, b) => a.at.localeCompare(b.at)).map((entry) => ({ ...entry, at_text: names.at(Date.parse(entry.at)) }));
  return { timeline, entries: timeline.filter((e) => e.kind === 'stage'), runs: timeline.filter((e) => e.kind === 'run'), messages: timeline.filter((e) => e.kind === 'message') };
}

const NOTHING_MADE = { messages: [], tasks: [], calls: [] };

/** Comments and hand-logged calls are events in the table, entries of their own on the timeline. */
function eventKindOf(event: EventRow) {
  const payload = event.payload;
  if (event.type === 'comment') return { kind: 'comment' as const, type: 'comment' as const, comment_id: event.id, author: byOf(event.actor), comment: String(payload.text ?? '') };
  if (event.type === 'call' && payload.logged === true) {
    return {
      kind: 'call' as const,
      type: 'call' as const,
      source: 'logged' as const,
      direction: payload.direction,
      outcome: payload.result,
      duration_seconds: typeof payload.duration_seconds === 'number' ? payload.duration_seconds : null,
      note: typeof payload.note === 'string' ? payload.note : null,
    };
  }
  return { kind: 'event' as const, type: 'event' as const };
}

/**
 * A run's reason code and params: as the engine wrote them, or — for a run from before codes, or
 * one still waiting — read from its status and what it did.
 */
export function runReasonOf(run: RobotRunRow, made: { messages: MessageRow[]; tasks: TaskRow[]; calls: CallRow[] }): { code: RunReasonCode; params: RunReasonParams } {
  if (run.status === 'running') return { code: 'running.started', params: {} };
  if (run.status === 'scheduled' && !run.reasonCode) {
    return run.waitsFor !== null && run.dueAt === null ? { code: 'scheduled.waiting', params: { robot: run.waitsFor } } : { code: 'scheduled.due', params: { due_at: iso(run.dueAt) } };
  }
  if (run.reasonCode) return { code: run.reasonCode, params: run.reasonParams ?? {} };
  return { code: legacyCode(run, made), params: {} };
}

/** Runs written before codes: the code their English detail (or what they made) stands for. */
function legacyCode(run: RobotRunRow, made: { messages: MessageRow[]; tasks: TaskRow[]; calls: CallRow[] }): RunReasonCode {
  const detail = run.detail ?? '';
  if (run.status === 'done') {
    if (made.tasks.length > 0) return 'done.task_created';
    if (made.calls.length > 0) return 'done.calling';
    if (run.robotType === 'notify_repeat_client' || run.robotType === 'mark_repeat_client') return 'done.repeat_client';
    if (made.messages.length > 0) return 'done.sent';
    if (/^moved (lead|deal) #\d+ to /.test(detail)) return 'done.moved';
    if (detail.startsWith('created deal #')) return 'done.deal_created';
    if (detail.startsWith('responsible ')) return 'done.assigned';
    if (detail.startsWith('set ')) return 'done.fields_set';
    return 'done.ok';
  }
  if (/^left stage "/.test(detail)) return 'cancelled.left_stage';
  if (detail === 'client replied') return 'cancelled.client_replied';
  if (detail.startsWith('the goal of ')) return 'cancelled.goal_reached';
  if (detail === 'robot no longer in the config') return 'cancelled.robot_removed';
  if (/ was cancelled$/.test(detail)) return 'cancelled.predecessor_cancelled';
  if (detail.startsWith('taken: ')) return 'cancelled.taken';
  if (detail === 'the item no longer exists') return 'cancelled.item_gone';
  if (detail.startsWith('not a repeat client')) return 'skipped.not_repeat_client';
  if (detail === 'condition was false when the robot was due') return 'skipped.condition_false';
  if (/^skipped: .+ late \(skip_if_late /.test(detail)) return 'skipped.too_late';
  return defaultReasonCode(run.status);
}

/** The messages, tasks and calls each run made: what a done run's sentence says it did. */
function madeByRun(messages: MessageRow[], tasks: TaskRow[], calls: CallRow[]) {
  const made = new Map<number, { messages: MessageRow[]; tasks: TaskRow[]; calls: CallRow[] }>();
  const of = (runId: number) => {
    let bucket = made.get(runId);
    if (!bucket) made.set(runId, (bucket = { messages: [], tasks: [], calls: [] }));
    return bucket;
  };
  for (const message of messages) if (message.runId !== null) of(message.runId).messages.push(message);
  for (const task of tasks) if (task.runId !== null) of(task.runId).tasks.push(task);
  for (const call of calls) if (call.runId !== null) of(call.runId).calls.push(call);
  return made;
}
