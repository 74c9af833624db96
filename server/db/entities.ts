import { EntitySchema } from 'typeorm';
import { epochMs, integerId, json, optionalInteger, text } from './columns';

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
  lastError: string | null;
  lockedBy: string | null;
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

export interface WebhookReceiptRow {
  id: number;
  source: string;
  signature: string;
  createdAt: number;
}

export interface OptOutRow {
  id: number;
  channel: string;
  address: string;
  reason: string | null;
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
}

export const UserEntity = new EntitySchema<UserRow>({
  name: 'User',
  tableName: 'users',
  columns: {
    login: { type: 'varchar', primary: true },
    name: { type: 'varchar' },
    role: { type: 'varchar' },
    team: text(),
    origin: { type: 'varchar' },
    createdAt: { ...epochMs(), name: 'created_at' },
  },
});

export const ApiTokenEntity = new EntitySchema<ApiTokenRow>({
  name: 'ApiToken',
  tableName: 'api_tokens',
  columns: {
    id: integerId,
    login: { type: 'varchar' },
    tokenHash: { type: 'varchar', name: 'token_hash', unique: true },
    label: text(),
    createdAt: { ...epochMs(), name: 'created_at' },
    lastUsedAt: { ...epochMs(true), name: 'last_used_at' },
  },
});

const itemColumns = {
  id: integerId,
  title: text(),
  name: text(),
  phone: text(),
  email: text(),
  companyName: { ...text(), name: 'company_name' },
  stage: { type: 'varchar' as const },
  stageEntryId: { ...optionalInteger, name: 'stage_entry_id' },
  enteredStageAt: { ...epochMs(), name: 'entered_stage_at' },
  source: text(),
  responsible: text(),
  fields: json(),
  contactId: { ...optionalInteger, name: 'contact_id' },
  companyId: { ...optionalInteger, name: 'company_id' },
  lostReason: { ...text(), name: 'lost_reason' },
  refusedBy: { ...text(), name: 'refused_by' },
  score: { type: 'integer' as const, default: 0 },
  tags: { ...json(), default: '[]' },
  scoredAt: { ...epochMs(true), name: 'scored_at' },
  createdAt: { ...epochMs(), name: 'created_at' },
  updatedAt: { ...epochMs(), name: 'updated_at' },
};

export const LeadEntity = new EntitySchema<LeadRow>({
  name: 'Lead',
  tableName: 'leads',
  columns: {
    ...itemColumns,
    repeatClient: { type: 'boolean', name: 'repeat_client', default: false },
    dealId: { ...optionalInteger, name: 'deal_id' },
  },
});

export const DealEntity = new EntitySchema<DealRow>({
  name: 'Deal',
  tableName: 'deals',
  columns: {
    ...itemColumns,
    pipeline: { type: 'varchar' },
    leadId: { ...optionalInteger, name: 'lead_id' },
    amount: { type: 'double precision', nullable: true },
  },
});

export const ContactEntity = new EntitySchema<ContactRow>({
  name: 'Contact',
  tableName: 'contacts',
  columns: {
    id: integerId,
    name: text(),
    phone: text(),
    email: text(),
    companyId: { ...optionalInteger, name: 'company_id' },
    createdAt: { ...epochMs(), name: 'created_at' },
  },
});

export const CompanyEntity = new EntitySchema<CompanyRow>({
  name: 'Company',
  tableName: 'companies',
  columns: {
    id: integerId,
    name: { type: 'varchar' },
    nameKey: { type: 'varchar', name: 'name_key' },
    createdAt: { ...epochMs(), name: 'created_at' },
  },
});

export const StageEntryEntity = new EntitySchema<StageEntryRow>({
  name: 'StageEntry',
  tableName: 'stage_entries',
  columns: {
    id: integerId,
    entityType: { type: 'varchar', name: 'entity_type' },
    entityId: { type: 'integer', name: 'entity_id' },
    pipeline: { type: 'varchar' },
    stage: { type: 'varchar' },
    fromStage: { ...text(), name: 'from_stage' },
    enteredAt: { ...epochMs(), name: 'entered_at' },
    leftAt: { ...epochMs(true), name: 'left_at' },
    actor: { type: 'varchar' },
    reason: text(),
    refusedBy: { ...text(), name: 'refused_by' },
    causalDepth: { type: 'integer', name: 'causal_depth', default: 0 },
  },
});

export const RobotRunEntity = new EntitySchema<RobotRunRow>({
  name: 'RobotRun',
  tableName: 'robot_runs',
  columns: {
    id: integerId,
    entryId: { type: 'integer', name: 'entry_id' },
    entityType: { type: 'varchar', name: 'entity_type' },
    entityId: { type: 'integer', name: 'entity_id' },
    pipeline: { type: 'varchar' },
    stage: { type: 'varchar' },
    robotId: { type: 'varchar', name: 'robot_id' },
    robotType: { type: 'varchar', name: 'robot_type' },
    position: { type: 'integer', default: 0 },
    status: { type: 'varchar' },
    dueAt: { ...epochMs(true), name: 'due_at' },
    waitsFor: { ...text(), name: 'waits_for' },
    attempts: { type: 'integer', default: 0 },
    causalDepth: { type: 'integer', name: 'causal_depth', default: 0 },
    detail: text(),
    lastError: { ...text(), name: 'last_error' },
    lockedBy: { ...text(), name: 'locked_by' },
    startedAt: { ...epochMs(true), name: 'started_at' },
    finishedAt: { ...epochMs(true), name: 'finished_at' },
    createdAt: { ...epochMs(), name: 'created_at' },
  },
});

export const MessageEntity = new EntitySchema<MessageRow>({
  name: 'Message',
  tableName: 'messages',
  columns: {
    id: integerId,
    idempotencyKey: { type: 'varchar', name: 'idempotency_key', unique: true },
    runId: { ...optionalInteger, name: 'run_id' },
    entityType: { ...text(), name: 'entity_type' },
    entityId: { ...optionalInteger, name: 'entity_id' },
    direction: { type: 'varchar', default: 'out' },
    channel: { type: 'varchar' },
    audience: { type: 'varchar' },
    recipient: { type: 'varchar' },
    recipientLogin: { ...text(), name: 'recipient_login' },
    template: text(),
    subject: text(),
    body: { type: 'text' },
    meta: json(),
    status: { type: 'varchar' },
    providerId: { ...text(), name: 'provider_id' },
    error: text(),
    createdAt: { ...epochMs(), name: 'created_at' },
    sentAt: { ...epochMs(true), name: 'sent_at' },
  },
});

export const EventEntity = new EntitySchema<EventRow>({
  name: 'Event',
  tableName: 'events',
  columns: {
    id: integerId,
    type: { type: 'varchar' },
    entityType: { ...text(), name: 'entity_type' },
    entityId: { ...optionalInteger, name: 'entity_id' },
    actor: text(),
    payload: json(),
    outcome: text(),
    triggerId: { ...text(), name: 'trigger_id' },
    createdAt: { ...epochMs(), name: 'created_at' },
  },
});

export const WebhookReceiptEntity = new EntitySchema<WebhookReceiptRow>({
  name: 'WebhookReceipt',
  tableName: 'webhook_receipts',
  columns: {
    id: integerId,
    source: { type: 'varchar' },
    signature: { type: 'varchar' },
    createdAt: { ...epochMs(), name: 'created_at' },
  },
});

export const OptOutEntity = new EntitySchema<OptOutRow>({
  name: 'OptOut',
  tableName: 'opt_outs',
  columns: {
    id: integerId,
    channel: { type: 'varchar' },
    address: { type: 'varchar' },
    reason: text(),
    createdAt: { ...epochMs(), name: 'created_at' },
  },
});

export const CallEntity = new EntitySchema<CallRow>({
  name: 'Call',
  tableName: 'calls',
  columns: {
    id: integerId,
    entityType: { type: 'varchar', name: 'entity_type' },
    entityId: { type: 'integer', name: 'entity_id' },
    runId: { ...optionalInteger, name: 'run_id' },
    agentLogin: { ...text(), name: 'agent_login' },
    agentPhone: { ...text(), name: 'agent_phone' },
    clientPhone: { ...text(), name: 'client_phone' },
    direction: { type: 'varchar', default: 'outbound' },
    attempt: { type: 'integer', default: 1 },
    providerSid: { ...text(), name: 'provider_sid' },
    status: { type: 'varchar' },
    startedAt: { ...epochMs(), name: 'started_at' },
    answeredAt: { ...epochMs(true), name: 'answered_at' },
    endedAt: { ...epochMs(true), name: 'ended_at' },
    durationSeconds: { ...optionalInteger, name: 'duration_seconds' },
  },
});

export const TaskEntity = new EntitySchema<TaskRow>({
  name: 'Task',
  tableName: 'tasks',
  columns: {
    id: integerId,
    entityType: { type: 'varchar', name: 'entity_type' },
    entityId: { type: 'integer', name: 'entity_id' },
    assignee: text(),
    title: { type: 'varchar' },
    dueAt: { ...epochMs(true), name: 'due_at' },
    status: { type: 'varchar', default: 'open' },
    runId: { ...optionalInteger, name: 'run_id' },
    overdueAt: { ...epochMs(true), name: 'overdue_at' },
    createdAt: { ...epochMs(), name: 'created_at' },
  },
});

export const allEntities = [
  UserEntity,
  ApiTokenEntity,
  LeadEntity,
  DealEntity,
  ContactEntity,
  CompanyEntity,
  StageEntryEntity,
  RobotRunEntity,
  MessageEntity,
  EventEntity,
  TaskEntity,
  WebhookReceiptEntity,
  OptOutEntity,
  CallEntity,
];
