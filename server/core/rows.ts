import type { RunReasonCode, RunReasonParams } from './run-reasons';
import type { ConsentChannel, ConsentSource, ConsentStatus } from './consent';

/**
 * The rows as the engine and the robots see them: plain data, no ORM. `server/db/entities.ts`
 * maps each to its table.
 */
export type EntityKind = 'lead' | 'deal';
export type FieldValues = Record<string, unknown>;

export interface UserRow {
  login: string;
  name: string;
  role: string;
  team: string | null;
  /** `config` rows are rewritten from robots.yaml on every load; `cli` rows are kept. */
  origin: 'config' | 'cli';
  createdAt: number;
  /** scrypt, with its parameters (server/auth/passwords.ts); loaded only by sign-in (`select: false`). */
  passwordHash?: string | null;
}

/** A person signed in to the board (server/auth/sessions.ts). */
export interface SessionRow {
  id: number;
  /** SHA-256 of the id in the `robots_session` cookie: the table alone opens no session. */
  tokenHash: string;
  login: string;
  /** Cookie-authenticated writes carry it in X-CSRF-Token. */
  csrfToken: string;
  /** `password`, or `link` (a one-time sign-in link from an alert). */
  via: string;
  createdAt: number;
  lastSeenAt: number;
}

/** A one-time sign-in link that was opened: its nonce, so a second open is refused. */
export interface SignInLinkRow {
  id: number;
  nonce: string;
  login: string;
  usedAt: number;
}

export interface ApiTokenRow {
  id: number;
  login: string;
  tokenHash: string;
  label: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface ItemRowBase {
  id: number;
  title: string | null;
  name: string | null;
  phone: string | null;
  email: string | null;
  companyName: string | null;
  stage: string;
  stageEntryId: number | null;
  enteredStageAt: number;
  source: string | null;
  responsible: string | null;
  fields: FieldValues;
  contactId: number | null;
  companyId: number | null;
  lostReason: string | null;
  refusedBy: string | null;
  score: number;
  /** Tags from scoring rules (e.g. `price_interest`, `mega_hot`). */
  tags: string[];
  /** When the score last changed: decay counts from here. */
  scoredAt: number | null;
  createdAt: number;
  updatedAt: number;
  /**
   * The item's searched words folded for comparison (server/core/search-text.ts), written by
   * server/records/item-rows.ts with every change of a searched column; never shown.
   */
  searchText?: string | null;
}

export interface LeadRow extends ItemRowBase {
  repeatClient: boolean;
  dealId: number | null;
}

export interface DealRow extends ItemRowBase {
  pipeline: string;
  leadId: number | null;
  amount: number | null;
}

export interface ContactRow {
  id: number;
  name: string | null;
  phone: string | null;
  email: string | null;
  companyId: number | null;
  createdAt: number;
}

export interface CompanyRow {
  id: number;
  name: string;
  /** Lower-cased, trimmed name: the dedup key so one company is never created twice. */
  nameKey: string;
  createdAt: number;
}

export interface StageEntryRow {
  id: number;
  entityType: EntityKind;
  entityId: number;
  pipeline: string;
  stage: string;
  fromStage: string | null;
  enteredAt: number;
  leftAt: number | null;
  actor: string;
  reason: string | null;
  refusedBy: string | null;
  causalDepth: number;
  /** What the person who moved it wrote (POST …/move `comment`); robots write none. */
  comment?: string | null;
}

export const RUN_STATUSES = ['scheduled', 'running', 'done', 'skipped', 'cancelled', 'failed', 'dead', 'unknown'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RobotRunRow {
  id: number;
  entryId: number;
  entityType: EntityKind;
  entityId: number;
  pipeline: string;
  stage: string;
  robotId: string;
  robotType: string;
  position: number;
  status: RunStatus;
  /** Null while it waits for the robot named in `after_robot`. */
  dueAt: number | null;
  waitsFor: string | null;
  attempts: number;
  causalDepth: number;
  detail: string | null;
  /** Why it ended so, as a code the web app translates (core/run-reasons.ts); null on runs from before codes. */
  reasonCode?: RunReasonCode | null;
  reasonParams?: RunReasonParams | null;
  lastError: string | null;
  lockedBy: string | null;
  /** While `running`: the worker holds the run until then, renewing it as it works. */
  leaseUntil: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  createdAt: number;
}

export type MessageStatus = 'queued' | 'sending' | 'recorded' | 'sent' | 'delivered' | 'failed' | 'unknown' | 'skipped';

export interface MessageRow {
  id: number;
  idempotencyKey: string;
  runId: number | null;
  entityType: EntityKind | null;
  entityId: number | null;
  direction: 'out' | 'in';
  channel: string;
  /** `client` for touches to the lead/contact, `user` for alerts to our staff. */
  audience: 'client' | 'user';
  recipient: string;
  recipientLogin: string | null;
  template: string | null;
  subject: string | null;
  body: string;
  meta: Record<string, unknown>;
  status: MessageStatus;
  providerId: string | null;
  error: string | null;
  createdAt: number;
  sentAt: number | null;
}

export interface EventRow {
  id: number;
  type: string;
  entityType: EntityKind | null;
  entityId: number | null;
  actor: string | null;
  payload: Record<string, unknown>;
  outcome: string | null;
  triggerId: string | null;
  createdAt: number;
}

/** A wrong password, counted against its login and its address (server/auth/sign-in-guard.ts). */
export interface SignInFailureRow {
  id: number;
  scope: 'account' | 'address';
  key: string;
  at: number;
}

/** The variant of an A/B split (a `split` robot, by its id) an item got; chosen once. */
/** Whose turn it was last in one round robin (`team:pipeline`). */
export interface TeamTurnRow {
  id: number;
  rotation: string;
  lastLogin: string | null;
  updatedAt: number;
}

/** Work one process of an install does at a time: who holds it, and until when at the latest. */
export interface LeaseRow {
  id: number;
  name: string;
  holder: string;
  heldUntil: number;
}

export interface ItemVariantRow {
  id: number;
  entityType: EntityKind;
  entityId: number;
  split: string;
  variant: string;
  createdAt: number;
}

/** One config the server ran (server/config-ops/versions.ts): applied in the studio or by the CLI, or found changed on disk (`file`). */
export interface ConfigVersionRow {
  id: number;
  author: string;
  createdAt: number;
  yaml: string;
  /** sha256 of the file's bytes, hex. */
  hash: string;
  /** What the reload that applied it did, in words (null for a change found on disk). */
  planSummary: string | null;
  /** Set when this version put back an earlier one. */
  rollbackOf: number | null;
}

export interface WebhookReceiptRow {
  id: number;
  source: string;
  signature: string;
  createdAt: number;
}

/** One word of a client on one channel (server/messaging/consents.ts): the latest row per channel and address is what holds. */
export interface ConsentRow {
  id: number;
  channel: ConsentChannel;
  /** The email, the E.164 phone or the Telegram chat it was given for; null when only the contact is known. */
  address: string | null;
  contactId: number | null;
  status: ConsentStatus;
  source: ConsentSource;
  note: string | null;
  /** Who recorded it by hand (`user:anna`), or the channel a STOP came on. */
  actor: string | null;
  createdAt: number;
}

export type CallStatus = 'initiated' | 'ringing' | 'answered' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';

export interface CallRow {
  id: number;
  entityType: EntityKind;
  entityId: number;
  runId: number | null;
  agentLogin: string | null;
  agentPhone: string | null;
  clientPhone: string | null;
  direction: 'outbound' | 'inbound';
  attempt: number;
  providerSid: string | null;
  status: CallStatus;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  durationSeconds: number | null;
}

export interface TaskRow {
  id: number;
  entityType: EntityKind;
  entityId: number;
  assignee: string | null;
  title: string;
  dueAt: number | null;
  status: 'open' | 'done';
  runId: number | null;
  overdueAt: number | null;
  createdAt: number;
  /** Who marked it done, and when; absent on insert (a new task is open), null once reopened. */
  completedAt?: number | null;
  completedBy?: string | null;
  /** The person who created it (POST /api/tasks); null for a robot's task. */
  createdBy?: string | null;
}

export const TASK_CHANGES = ['done', 'reopened', 'assigned', 'due_changed', 'renamed'] as const;

/** One change a person made to a task (PATCH /api/tasks/:id), as the item's timeline tells it. */
export interface TaskChangeRow {
  id: number;
  taskId: number;
  entityType: EntityKind;
  entityId: number;
  change: (typeof TASK_CHANGES)[number];
  /** The assignee or due time (epoch ms as text) before and after; null for done/reopened. */
  fromValue: string | null;
  toValue: string | null;
  /** `user:<login>`, as stage entries name their actor. */
  actor: string;
  createdAt: number;
}

/** A task to write for a person; `runId` makes a retried robot run find the task it made the first time. */
export interface NewTask {
  item: { kind: EntityKind; id: number };
  assignee: string | null;
  title: string;
  dueAt: number | null;
  runId: number | null;
  /** A person's login when a person (not a robot) creates it. */
  createdBy?: string | null;
}

export const NOTIFICATION_KINDS = ['alert', 'escalation', 'task', 'repeat_client'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** What was sent to a person, as their in-app list shows it; one per `key` (the message's idempotency key). */
export interface NotificationRow {
  id: number;
  login: string;
  entityType: EntityKind | null;
  entityId: number | null;
  kind: NotificationKind;
  text: string;
  key: string;
  createdAt: number;
  readAt: number | null;
}
