import { EntitySchema } from 'typeorm';
import { epochMs, integerId, json, optionalInteger, text } from './columns';
import type {
  ApiTokenRow,
  CallRow,
  CompanyRow,
  ContactRow,
  DealRow,
  EventRow,
  LeadRow,
  MessageRow,
  ConsentRow,
  RobotRunRow,
  ItemVariantRow,
  TeamTurnRow,
  LeaseRow,
  SignInFailureRow,
  StageEntryRow,
  ConfigVersionRow,
  TaskRow,
  UserRow,
  WebhookReceiptRow,
} from '../core/rows';
import type { NotificationRow, TaskChangeRow } from '../core/rows';
import type { SessionRow, SignInLinkRow } from '../core/rows';

export * from '../core/rows';

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
    // Never part of a user as the API sees them: only sign-in asks for it.
    passwordHash: { ...text(), name: 'password_hash', select: false },
  },
});

export const SessionEntity = new EntitySchema<SessionRow>({
  name: 'Session',
  tableName: 'sessions',
  columns: {
    id: integerId,
    tokenHash: { type: 'varchar', name: 'token_hash', unique: true },
    login: { type: 'varchar' },
    csrfToken: { type: 'varchar', name: 'csrf_token' },
    via: { type: 'varchar' },
    createdAt: { ...epochMs(), name: 'created_at' },
    lastSeenAt: { ...epochMs(), name: 'last_seen_at' },
  },
});

export const SignInLinkEntity = new EntitySchema<SignInLinkRow>({
  name: 'SignInLink',
  tableName: 'sign_in_links',
  columns: {
    id: integerId,
    nonce: { type: 'varchar', unique: true },
    login: { type: 'varchar' },
    usedAt: { ...epochMs(), name: 'used_at' },
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
  // Read only by search's WHERE; not loaded with the row.
  searchText: { ...text(), name: 'search_text', select: false },
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
    comment: text(),
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
    reasonCode: { ...text(), name: 'reason_code' },
    reasonParams: { ...json(true), name: 'reason_params' },
    lastError: { ...text(), name: 'last_error' },
    lockedBy: { ...text(), name: 'locked_by' },
    leaseUntil: { ...epochMs(true), name: 'lease_until' },
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

export const SignInFailureEntity = new EntitySchema<SignInFailureRow>({
  name: 'SignInFailure',
  tableName: 'sign_in_failures',
  columns: {
    id: integerId,
    scope: { type: 'varchar' },
    key: { type: 'varchar' },
    at: epochMs(),
  },
  indices: [{ name: 'ix_sign_in_failures_key', columns: ['scope', 'key', 'at'] }],
});

export const ConfigVersionEntity = new EntitySchema<ConfigVersionRow>({
  name: 'ConfigVersion',
  tableName: 'config_versions',
  columns: {
    id: integerId,
    author: { type: 'varchar' },
    createdAt: { ...epochMs(), name: 'created_at' },
    yaml: { type: 'text' },
    hash: { type: 'varchar' },
    planSummary: { type: 'text', nullable: true, name: 'plan_summary' },
    rollbackOf: { type: 'integer', nullable: true, name: 'rollback_of' },
  },
  indices: [{ name: 'ix_config_versions_created', columns: ['createdAt'] }],
});

export const ItemVariantEntity = new EntitySchema<ItemVariantRow>({
  name: 'ItemVariant',
  tableName: 'item_variants',
  columns: {
    id: integerId,
    entityType: { type: 'varchar', name: 'entity_type' },
    entityId: { type: 'integer', name: 'entity_id' },
    split: { type: 'varchar' },
    variant: { type: 'varchar' },
    createdAt: { ...epochMs(), name: 'created_at' },
  },
  indices: [
    { name: 'ux_item_variants_item_split', columns: ['entityType', 'entityId', 'split'], unique: true },
    { name: 'ix_item_variants_split', columns: ['split', 'variant'] },
  ],
});

export const TeamTurnEntity = new EntitySchema<TeamTurnRow>({
  name: 'TeamTurn',
  tableName: 'team_turns',
  columns: {
    id: integerId,
    rotation: { type: 'varchar' },
    lastLogin: { ...text(), name: 'last_login' },
    updatedAt: { ...epochMs(), name: 'updated_at' },
  },
  indices: [{ name: 'ux_team_turns_rotation', columns: ['rotation'], unique: true }],
});

export const LeaseEntity = new EntitySchema<LeaseRow>({
  name: 'Lease',
  tableName: 'leases',
  columns: {
    id: integerId,
    name: { type: 'varchar' },
    holder: { type: 'varchar' },
    heldUntil: { ...epochMs(), name: 'held_until' },
  },
  indices: [{ name: 'ux_leases_name', columns: ['name'], unique: true }],
});

export const ConsentEntity = new EntitySchema<ConsentRow>({
  name: 'Consent',
  tableName: 'consents',
  columns: {
    id: integerId,
    channel: { type: 'varchar' },
    address: text(),
    contactId: { ...optionalInteger, name: 'contact_id' },
    status: { type: 'varchar' },
    source: { type: 'varchar' },
    note: text(),
    actor: text(),
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
    completedAt: { ...epochMs(true), name: 'completed_at' },
    completedBy: { ...text(), name: 'completed_by' },
    createdBy: { ...text(), name: 'created_by' },
  },
});

export const NotificationEntity = new EntitySchema<NotificationRow>({
  name: 'Notification',
  tableName: 'notifications',
  columns: {
    id: integerId,
    login: { type: 'varchar' },
    entityType: { ...text(), name: 'entity_type' },
    entityId: { ...optionalInteger, name: 'entity_id' },
    kind: { type: 'varchar' },
    text: { type: 'text' },
    key: { type: 'varchar', unique: true },
    createdAt: { ...epochMs(), name: 'created_at' },
    readAt: { ...epochMs(true), name: 'read_at' },
  },
});

export const TaskChangeEntity = new EntitySchema<TaskChangeRow>({
  name: 'TaskChange',
  tableName: 'task_changes',
  columns: {
    id: integerId,
    taskId: { type: 'integer', name: 'task_id' },
    entityType: { type: 'varchar', name: 'entity_type' },
    entityId: { type: 'integer', name: 'entity_id' },
    change: { type: 'varchar' },
    fromValue: { ...text(), name: 'from_value' },
    toValue: { ...text(), name: 'to_value' },
    actor: { type: 'varchar' },
    createdAt: { ...epochMs(), name: 'created_at' },
  },
});

export const allEntities = [
  UserEntity,
  ApiTokenEntity,
  SessionEntity,
  SignInLinkEntity,
  LeadEntity,
  DealEntity,
  ContactEntity,
  CompanyEntity,
  StageEntryEntity,
  RobotRunEntity,
  MessageEntity,
  EventEntity,
  TaskEntity,
  TaskChangeEntity,
  WebhookReceiptEntity,
  SignInFailureEntity,
  ItemVariantEntity,
  TeamTurnEntity,
  LeaseEntity,
  ConsentEntity,
  CallEntity,
  NotificationEntity,
  ConfigVersionEntity,
];
