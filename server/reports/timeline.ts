import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { stageOf, type CompiledConfig } from '../core/compiled-config';
import { CallEntity, EventEntity, MessageEntity, StageEntryEntity, TaskChangeEntity, TaskEntity, UserEntity } from '../db/entities';
import type { RunQueue } from '../pipeline/queue';
import { lateness } from '../core/lateness';
import type { CallRow, MessageRow, RobotRunRow, TaskChangeRow, TaskRow } from '../core/rows';
import type { Item } from '../core/items';
import type { EventType } from '../../config/event-types';
import type { ReadSource } from '../reads/source';
import { MESSAGES } from './locales';
import { callFacts, eventFacts, lateMsOf, messageFacts, namesOf, runFacts, stageFacts, taskChangeFacts, taskFacts } from './locales/facts';

/** An entry before its time is written out for people. */
interface TimelineFacts {
  at: string;
  kind: 'stage' | 'run' | 'message' | 'event' | 'task' | 'call';
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
      summary: `${run.robotId} (${run.robotType}) ${run.status}${run.detail ? `: ${run.detail}` : ''}${lateNote(run)}`,
      text: words.run(runFacts(run, made.get(run.id) ?? NOTHING_MADE, config, names)),
      late_ms: run.startedAt !== null && run.dueAt !== null ? Math.max(0, run.startedAt - run.dueAt) : null,
      run_id: run.id,
      entry_id: run.entryId,
      robot: run.robotId,
      type: run.robotType,
      status: run.status,
      detail: run.detail,
      due_at: iso(run.dueAt),
      attempts: run.attempts,
      last_error: run.lastError,
    })),
    ...messages.map((message) => ({
      at: iso(message.sentAt ?? message.createdAt) as string,
      kind: 'message' as const,
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
      kind: 'event' as const,
      summary: `${event.type}${event.outcome ? `: ${event.outcome}` : ''}`,
      text: (Object.hasOwn(words.events, event.type) ? words.events[event.type as EventType] : words.events.other)(eventFacts(event, names)),
      event_id: event.id,
      type: event.type,
      actor: event.actor,
      payload: event.payload,
    })),
    ...tasks.map((task) => ({
      at: iso(task.createdAt) as string,
      kind: 'task' as const,
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
