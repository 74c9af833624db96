import type { EventType } from '../../../config/event-types';
import type { CallStatus, EntityKind, MessageStatus, RunStatus, TaskChangeRow } from '../../core/rows';

/**
 * What a timeline sentence says, with every id already turned into the name people know it by
 * (stage names, people's names, robot titles) and every time already formatted. A locale
 * (ru.ts, en.ts) only chooses the words: it is a `Messages`, so a sentence missing from one
 * of them is a compile error.
 */

/** Who did it. */
export type Actor =
  | { kind: 'person'; name: string }
  | { kind: 'robot'; name: string }
  | { kind: 'trigger'; name: string }
  | { kind: 'form'; name: string }
  | { kind: 'hook'; name: string }
  | { kind: 'client'; channel: string }
  | { kind: 'system'; name: string };

export interface StageFacts {
  item: EntityKind;
  actor: Actor;
  /** Stage names. `from` is null when the item was created. */
  from: string | null;
  to: string;
  lost: { reason: string; refusedBy: 'we_refused' | 'client_refused' | null } | null;
}

/** Why a run was cancelled or skipped, read from what the engine wrote. */
export type RunWhy =
  | { kind: 'left_stage'; stage: string; to: string | null }
  | { kind: 'client_replied' }
  | { kind: 'goal_reached'; stage: string }
  | { kind: 'robot_removed' }
  | { kind: 'predecessor_cancelled'; robot: string }
  | { kind: 'item_gone' }
  | { kind: 'taken' }
  | { kind: 'condition_false' }
  | { kind: 'too_late'; lateMs: number }
  | { kind: 'wait_timed_out'; after: string }
  | { kind: 'other'; text: string };

/** What a finished (`done`) run did. */
export type RunDeed =
  | { kind: 'alerted'; recipients: string[]; channel: string }
  | { kind: 'messaged_client'; channel: string }
  | { kind: 'task'; title: string; assignee: string | null }
  | { kind: 'moved'; item: EntityKind; stage: string }
  | { kind: 'deal_created'; id: number; pipeline: string; responsible: string | null }
  | { kind: 'assigned'; responsible: string }
  | { kind: 'calling'; agent: string }
  | { kind: 'repeat_client'; recipients: string[] }
  | { kind: 'fields_set'; fields: string[] }
  | { kind: 'condition_met' }
  | { kind: 'wait_timed_out'; after: string }
  | { kind: 'webhook'; url: string; status: number | null }
  | { kind: 'other'; text: string | null };

export interface RunFacts {
  item: EntityKind;
  /** The robot's title, or its id made readable. */
  robot: string;
  /** 1, 2, … for an escalation level of a notify robot. */
  escalation: number | null;
  status: RunStatus;
  deed: RunDeed;
  why: RunWhy | null;
  /** How late it started, when a minute or more. */
  lateMs: number | null;
  /** When it is due (scheduled) or retried (failed), formatted. */
  dueText: string | null;
  /** The robot it waits for (`after_robot`), while it has no due time. */
  waitsFor: string | null;
  /** Who put it back in the queue. */
  retriedBy: Actor | null;
  attempts: number;
  error: string | null;
}

export interface MessageFacts {
  direction: 'in' | 'out';
  audience: 'client' | 'user';
  channel: string;
  /** Our person's name for an alert; null for the client. */
  recipient: string | null;
  subject: string | null;
  /** The first words of an inbound message. */
  excerpt: string | null;
  status: MessageStatus;
  error: string | null;
}

/** An event, with what its payload names already resolved; a field is null when it does not apply. */
export interface EventFacts {
  type: string;
  item: EntityKind;
  actor: Actor;
  channel: string | null;
  /** A form's or hook's name, a field's label, a task's title, a page, a link. */
  name: string | null;
  /** field_changed, responsible_changed, score_changed: before and after, as text. */
  from: string | null;
  to: string | null;
  /** A person the event names: who took the lead, who answered a call, whose task is overdue. */
  person: string | null;
  /** call: answered or missed (with the number of agents tried); call_progress: the call's status. */
  outcome: string | null;
  count: number | null;
  /** email_bounced: why; comment: its text. */
  reason: string | null;
  /** A call a person logged by hand (POST …/calls), not the auto-callback. */
  loggedCall?: { direction: 'outbound' | 'inbound'; result: 'answered' | 'no_answer' | 'busy' | 'voicemail'; seconds: number | null } | null;
}

export interface TaskFacts {
  title: string;
  assignee: string | null;
  dueText: string | null;
  status: 'open' | 'done';
}

export interface TaskChangeFacts {
  change: TaskChangeRow['change'];
  title: string;
  actor: Actor;
  /** Names of assignees, or formatted due times; null for none. */
  from: string | null;
  to: string | null;
}

export interface CallFacts {
  attempt: number;
  agent: string;
  status: CallStatus;
  ringSeconds: number | null;
  talkSeconds: number | null;
}

export interface Messages {
  stage(facts: StageFacts): string;
  run(facts: RunFacts): string;
  message(facts: MessageFacts): string;
  /** One sentence per event type the engine records; `other` for a type it does not know. */
  /** The event types of robots.yaml, and `merged` (duplicates merged into the item: the engine's own, no trigger listens to it). */
  events: Record<EventType | 'merged', (facts: EventFacts) => string> & { other(facts: EventFacts): string };
  task(facts: TaskFacts): string;
  taskChange(facts: TaskChangeFacts): string;
  call(facts: CallFacts): string;
  /** "3 мин", "10 h": how long, in the unit a person reads it in. */
  duration(ms: number): string;
}
