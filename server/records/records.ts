import { keepVariant } from './variants';
import type { EntityManager } from 'typeorm';
import type { Clock } from '../core/clock';
import { LEAD_PIPELINE, pipelineOf } from '../core/compiled-config';
import { isPhoneWritten, normalizeEmail, normalizePhone } from '../core/contact-keys';
import { InvalidRequestError, NotFoundError } from '../core/errors';
import { fieldProblems, type ItemPatch, type NewItemInput } from '../core/inputs';
import type { Item, ItemRef } from '../core/items';
import type { ScoreChange } from '../core/scoring';
import type { LiveConfig } from '../core/live-config';
import type { CompanyRow, ContactRow, DealRow, EntityKind, EventRow, LeadRow, NewTask, TaskRow } from '../core/rows';
import { IsNull, LessThanOrEqual } from 'typeorm';
import { DealEntity, EventEntity, TaskEntity, UserEntity } from '../db/entities';
import { insertOne } from '../db/hot-path';
import type { Store } from '../db/store';
import type { WhenNobodyOnDuty } from '../../config/primitives';
import { findContact, findEarlierLead, leadsByAddresses, findOrCreateCompany, findOrCreateContact } from './contacts';
import type { ItemChange, ItemChanges } from './item-changes';
import { decayScoreIfUnchanged, insertItemRow, insertItemRows, loadItem, updateItemRow, type ItemColumns } from './item-rows';
import { mergeRows, type Merged, type MergeRequest } from './merge';
import { pickResponsible } from './responsible-pick';
import { changeTask, type TaskPatch } from './task-updates';
import { insertNotification, taskNotification, type NotificationFeed } from './notifications';

export interface RecordsDeps {
  store: Store;
  clock: Clock;
  config: LiveConfig;
  /** Told after commit, for live boards. */
  itemChanges: ItemChanges;
  /** Told of a person's new notification (a task given to them), after commit. */
  notices: Pick<NotificationFeed, 'publish'>;
}

/** A new item checked and shaped, not yet written (Records.prepareItem). */
export interface PreparedItem {
  kind: EntityKind;
  row: LeadRow & DealRow;
}

/** One field a patch really changed, by the name users write in YAML. */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface NewEvent {
  type: string;
  entity?: ItemRef | null;
  actor?: string | null;
  payload?: Record<string, unknown>;
  outcome?: string | null;
  triggerId?: string | null;
}

const COLUMN_FIELDS: Record<string, string> = { companyName: 'company_name' };

/** What a patch really changed, by the field names users write in YAML. */
function fieldChanges(before: Record<string, unknown> & { fields: Record<string, unknown> }, columns: Record<string, unknown>, fields: Record<string, unknown>): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [column, to] of Object.entries(columns)) {
    if (before[column] !== to) changes.push({ field: COLUMN_FIELDS[column] ?? column, from: before[column] ?? null, to });
  }
  for (const [field, to] of Object.entries(fields)) {
    if (before.fields[field] !== to) changes.push({ field, from: before.fields[field] ?? null, to });
  }
  return changes;
}

/**
 * The one home that writes items, contacts, companies, tasks and events, and tells live boards
 * what changed once it is committed. It knows no stage rule: entering a stage is the pipeline's.
 */
export class Records {
  constructor(private readonly deps: RecordsDeps) {}

  private get manager(): EntityManager {
    return this.deps.store.manager;
  }

  private now(): number {
    return this.deps.clock.now();
  }

  // ── items ────────────────────────────────────────────────────────────────────────────

  /** The variant of split `split` this item keeps: `chosen` the first time, the stored one after. */
  keepVariant(ref: ItemRef, split: string, chosen: string): Promise<string> {
    return this.deps.store.transaction((manager) => keepVariant(manager, ref, split, chosen, this.now()));
  }

  getItem(ref: ItemRef, manager: EntityManager = this.manager): Promise<Item | null> {
    return loadItem(manager, ref);
  }

  /** Inside a transaction that will write the item, `forUpdate` makes concurrent writers take turns. */
  async requireItem(ref: ItemRef, manager: EntityManager = this.manager, options: { forUpdate?: boolean } = {}): Promise<Item> {
    const item = await loadItem(manager, ref, options);
    if (!item) throw new NotFoundError(`${ref.kind} ${ref.id} not found`);
    return item;
  }

  /**
   * Checks and shapes a new item without writing (phone numbers, fields, pipeline): callers that
   * hold a transaction open do this first, so the work does not keep SQLite's writer waiting.
   */
  async prepareItem(kind: EntityKind, input: NewItemInput & { pipeline?: string }): Promise<PreparedItem> {
    const config = this.deps.config.current;
    const pipelineKey = kind === 'lead' ? LEAD_PIPELINE : (input.pipeline ?? '');
    const pipeline = pipelineOf(config, pipelineKey);
    if (!pipeline || (kind === 'deal' && pipelineKey === LEAD_PIPELINE)) {
      throw new InvalidRequestError(`unknown deal pipeline "${pipelineKey}" (known: ${[...config.deals.keys()].join(', ')})`);
    }
    const cleaned = await this.cleanInput(input);
    const now = this.now();
    const row = {
      title: null,
      name: null,
      phone: null,
      email: null,
      companyName: null,
      source: null,
      responsible: null,
      contactId: null,
      companyId: null,
      lostReason: null,
      refusedBy: null,
      score: 0,
      tags: [],
      scoredAt: null,
      stageEntryId: null,
      ...cleaned,
      fields: { ...(input.fields ?? {}) },
      stage: input.stage ?? pipeline.stages[0]!.id,
      enteredStageAt: now,
      createdAt: now,
      updatedAt: now,
      ...(kind === 'lead' ? { repeatClient: false, dealId: null } : { pipeline: pipelineKey, leadId: null, amount: cleaned.amount ?? null }),
    } as LeadRow & DealRow;
    return { kind, row };
  }

  /** Writes a prepared item's row inside the caller's transaction (`extra`: links and flags found meanwhile). */
  insertItem(manager: EntityManager, prepared: PreparedItem, extra: Partial<LeadRow & DealRow> = {}): Promise<Item> {
    const row = { ...prepared.row, ...extra, fields: { ...prepared.row.fields, ...(extra.fields ?? {}) } } as LeadRow & DealRow;
    return insertItemRow(manager, prepared.kind, row);
  }

  /** Writes many prepared items of one kind inside the caller's transaction, in a few statements. */
  async insertItems(manager: EntityManager, prepared: PreparedItem[]): Promise<Item[]> {
    const items: Item[] = [];
    for (const kind of ['lead', 'deal'] as const) {
      const rows = prepared.filter((item) => item.kind === kind).map((item) => item.row);
      if (rows.length > 0) items.push(...(await insertItemRows(manager, kind, rows)));
    }
    return items;
  }

  /** Changes standard or custom fields in one transaction (joining `outer` when given); returns what really changed. */
  async updateItem(ref: ItemRef, patch: ItemPatch, outer?: EntityManager): Promise<{ item: Item; changes: FieldChange[] }> {
    const cleaned = await this.cleanInput(patch);
    const now = this.now();
    const result = await this.deps.store.transaction(async (manager) => {
      const current = await this.requireItem(ref, manager, { forUpdate: true });
      const before = { ...current.row, fields: { ...current.row.fields } };
      const fields = patch.fields ? { ...current.row.fields, ...patch.fields } : current.row.fields;
      const update = { ...cleaned, fields, updatedAt: now };
      await updateItemRow(manager, ref, update, current.row);
      Object.assign(current.row, update);
      return { item: current, changes: fieldChanges(before, cleaned, patch.fields ?? {}) };
    }, outer);
    if (result.changes.length > 0) this.published({ kind: ref.kind, id: ref.id, change: 'updated' }, outer);
    return result;
  }

  /**
   * Writes columns the engine keeps (score, tags, a repeat-client flag, links, a Telegram chat),
   * joining `outer` when given, and tells live boards once committed.
   */
  async setColumns(ref: ItemRef, columns: ItemColumns, outer?: EntityManager): Promise<void> {
    await this.deps.store.transaction((manager) => updateItemRow(manager, ref, { ...columns, updatedAt: this.now() }), outer);
    this.published({ kind: ref.kind, id: ref.id, change: 'updated' }, outer);
  }

  /**
   * An event's points and tags, worked out by `scoreOf` on the item as this transaction locked it
   * (joining `outer` when given): two events scored at once each add theirs, none is lost to the
   * other's write. Returns the change and the columns written, null when the event scores nothing.
   */
  async addScore(ref: ItemRef, scoreOf: (item: Item) => ScoreChange | null, outer?: EntityManager): Promise<{ score: ScoreChange; columns: ItemColumns } | null> {
    const scored = await this.deps.store.transaction(async (manager) => {
      const current = await this.requireItem(ref, manager, { forUpdate: true });
      const score = scoreOf(current);
      if (!score) return null;
      const now = this.now();
      const columns: ItemColumns = { score: score.to, tags: [...new Set([...(current.row.tags ?? []), ...score.tags])], scoredAt: now, updatedAt: now };
      await updateItemRow(manager, ref, columns, current.row);
      return { score, columns };
    }, outer);
    if (scored) this.published({ kind: ref.kind, id: ref.id, change: 'updated' }, outer);
    return scored;
  }

  /**
   * Sets some custom field values and keeps the others as they are now: merged into the row as
   * locked for the write, so a person's edit made meanwhile is not written over.
   */
  async setFieldValues(ref: ItemRef, values: Record<string, unknown>): Promise<void> {
    await this.deps.store.transaction(async (manager) => {
      const current = await this.requireItem(ref, manager, { forUpdate: true });
      await updateItemRow(manager, ref, { fields: { ...current.row.fields, ...values }, updatedAt: this.now() }, current.row);
    });
    this.published({ kind: ref.kind, id: ref.id, change: 'updated' });
  }

  /** Flags a lead as a repeat client and links the contact it matched. */
  flagRepeatClient(leadId: number, contactId: number | null): Promise<void> {
    return this.setColumns({ kind: 'lead', id: leadId }, { repeatClient: true, contactId });
  }

  /**
   * "Taken in work": the first press wins. The item is locked for the check and the write (SQLite's
   * single writer does the same), so of two simultaneous presses exactly one takes it, and the
   * `taken_by` it writes is merged into the fields as they are then, not as read before.
   */
  async takeInWork(ref: ItemRef, login: string, via: string): Promise<{ kind: 'ok' } | { kind: 'taken_by_other'; by: string }> {
    const outcome = await this.deps.store.transaction(async (manager) => {
      const item = await this.requireItem(ref, manager, { forUpdate: true });
      const tags = item.row.tags ?? [];
      const takenBy = (item.row.fields?.taken_by as string | undefined) ?? null;
      if (tags.includes('taken')) return takenBy === login ? ({ kind: 'ok', now: false } as const) : ({ kind: 'taken_by_other', by: takenBy ?? item.row.responsible ?? 'someone' } as const);
      await updateItemRow(manager, ref, { tags: [...tags, 'taken'], fields: { ...item.row.fields, taken_by: login }, updatedAt: this.now() }, item.row);
      return { kind: 'ok', now: true } as const;
    });
    if (outcome.kind === 'taken_by_other') return outcome;
    if (outcome.now) {
      this.published({ kind: ref.kind, id: ref.id, change: 'updated' });
      await this.recordEvent({ type: 'taken', entity: ref, actor: `user:${login}`, payload: { by: login, via }, outcome: `taken in work by ${login} from ${via === 'telegram' ? 'Telegram' : via}` });
    }
    return { kind: 'ok' };
  }

  /**
   * Score decay on the clock, as one conditional UPDATE: only the worker that still sees the score
   * it read changes it, so two workers never decay one item twice. True when this call did.
   */
  async decayScore(ref: ItemRef, read: { score: number; scoredAt: number }, next: { score: number; scoredAt: number }): Promise<boolean> {
    const won = await this.deps.store.serialized((manager) => decayScoreIfUnchanged(manager, ref, read, next, this.now()));
    if (won) this.published({ kind: ref.kind, id: ref.id, change: 'updated' });
    return won;
  }

  /** Tells live boards about an item change, after `outer` commits when it is given. */
  published(change: ItemChange, outer?: EntityManager): void {
    this.deps.itemChanges.publish(change, outer);
  }

  /** The deal a lead was converted into in `pipeline`, if any. */
  dealOfLead(leadId: number, pipeline: string, manager: EntityManager = this.manager): Promise<DealRow | null> {
    return manager.findOne(DealEntity, { where: { leadId, pipeline } });
  }

  // ── contacts, companies, responsible ─────────────────────────────────────────────────

  findContact(keys: { phone?: string | null; email?: string | null }, manager: EntityManager = this.manager): Promise<ContactRow | null> {
    return findContact(manager, keys);
  }

  findOrCreateCompany(manager: EntityManager, name: string | null): Promise<CompanyRow | null> {
    return findOrCreateCompany(manager, name, this.now());
  }

  findOrCreateContact(manager: EntityManager, data: { name: string | null; phone: string | null; email: string | null; companyId: number | null }): Promise<{ contact: ContactRow; created: boolean }> {
    return findOrCreateContact(manager, data, this.now());
  }

  /** The leads with any of these phones or emails, oldest first: what an import counts as the same client. */
  leadsByAddresses(phones: string[], emails: string[], manager: EntityManager = this.manager): Promise<Array<{ id: number; phone: string | null; email: string | null }>> {
    return leadsByAddresses(manager, phones, emails);
  }

  findEarlierLead(lead: LeadRow, manager: EntityManager = this.manager): Promise<LeadRow | null> {
    return findEarlierLead(manager, lead);
  }

  /** Joins `outer` when given: a round robin's turn is taken in a transaction (see responsible-pick.ts). */
  pickResponsible(team: string, pipeline: string, outer?: EntityManager, whenNobodyOnDuty?: WhenNobodyOnDuty): Promise<string | null> {
    return this.deps.store.transaction((manager) => pickResponsible(manager, this.deps.config.current, this.now(), team, pipeline, whenNobodyOnDuty), outer);
  }

  // ── tasks and events ─────────────────────────────────────────────────────────────────

  /**
   * A task for a person; a retried run finds the task it made the first time. Its assignee is
   * notified in the same transaction (not when they gave it to themselves).
   */
  async createTask(task: NewTask): Promise<TaskRow> {
    const now = this.now();
    const { row, notification } = await this.deps.store.transaction(async (manager) => {
      const existing = task.runId === null ? null : await manager.findOne(TaskEntity, { where: { runId: task.runId, entityType: task.item.kind, entityId: task.item.id } });
      if (existing) return { row: existing, notification: null };
      const row = await insertOne(manager, TaskEntity, {
        entityType: task.item.kind,
        entityId: task.item.id,
        assignee: task.assignee,
        title: task.title,
        dueAt: task.dueAt,
        runId: task.runId,
        status: 'open',
        overdueAt: null,
        createdAt: now,
        createdBy: task.createdBy ?? null,
      });
      const notice = taskNotification(this.noticeSettings(), row, task.assignee, task.createdBy ?? null, { kind: 'created' }, now);
      return { row, notification: notice ? await insertNotification(manager, notice) : null };
    });
    if (notification) this.deps.notices.publish([notification]);
    // An open card counts its tasks: it hears of a new one as a change of its item.
    this.published({ kind: task.item.kind, id: task.item.id, change: 'updated' });
    return row;
  }

  private noticeSettings() {
    const { source } = this.deps.config.current;
    return { locale: source.locale, timezone: source.timezone };
  }

  /**
   * Marks a task's deadline as raised, only while it is still open and past due: a task done (or
   * moved later) since it was read raises nothing. True when this call marked it.
   */
  async markTaskOverdue(taskId: number, now: number): Promise<boolean> {
    const claimed = await this.deps.store.transaction((manager) => manager.update(TaskEntity, { id: taskId, status: 'open', overdueAt: IsNull(), dueAt: LessThanOrEqual(now) }, { overdueAt: now }));
    return (claimed.affected ?? 0) > 0;
  }

  /** A person's change to a task (status, due time, assignee), with its history, in one transaction. */
  async changeTask(taskId: number, patch: TaskPatch, login: string, authorize: (task: TaskRow, item: Item | null) => void): Promise<{ task: TaskRow; item: Item | null }> {
    const now = this.now();
    const { task, item, notifications } = await changeTask(this.deps.store, now, taskId, patch, login, authorize, (task, assignedTo, changeId) =>
      taskNotification(this.noticeSettings(), task, assignedTo, login, { kind: 'reassigned', changeId }, now),
    );
    if (notifications.length > 0) this.deps.notices.publish(notifications);
    if (item) this.published({ kind: item.kind, id: item.row.id, change: 'updated' });
    return { task, item };
  }

  /** An event of an item (a comment, a logged call, a reply …) is news to its open card: told after commit. */
  async recordEvent(event: NewEvent, manager?: EntityManager): Promise<EventRow> {
    const write = (tx: EntityManager) =>
      insertOne(tx, EventEntity, {
        type: event.type,
        entityType: event.entity?.kind ?? null,
        entityId: event.entity?.id ?? null,
        actor: event.actor ?? null,
        payload: event.payload ?? {},
        outcome: event.outcome ?? null,
        triggerId: event.triggerId ?? null,
        createdAt: this.now(),
      } as EventRow);
    // One INSERT is atomic by itself: alone it needs no transaction of its own.
    const row = await (manager ? write(manager) : this.deps.store.serialized(write));
    if (event.entity) this.published({ kind: event.entity.kind, id: event.entity.id, change: 'updated' }, manager);
    return row;
  }

  // ── merging duplicates ───────────────────────────────────────────────────────────────

  /**
   * Merges duplicates into one survivor in one transaction (final: the others are deleted).
   * `alongside` runs in the same transaction with what was merged, for the rows other modules own
   * (messages, consents, robot runs), so nothing is half-written.
   */
  async merge(request: Omit<MergeRequest, 'now'>, alongside: (manager: EntityManager, merged: Merged) => Promise<void>): Promise<Merged> {
    const merged = await this.deps.store.transaction(async (manager) => {
      const result = await mergeRows(manager, { ...request, now: this.now() });
      await alongside(manager, result);
      return result;
    });
    if (merged.kind === 'lead') this.published({ kind: 'lead', id: merged.survivorId, change: 'updated' });
    return merged;
  }

  // ── input rules ──────────────────────────────────────────────────────────────────────

  private async isUser(login: string): Promise<boolean> {
    return this.deps.config.current.users.has(login) || (await this.manager.count(UserEntity, { where: { login } })) > 0;
  }

  /** Normalises contact keys and checks custom fields; throws InvalidRequestError with every problem. */
  private async cleanInput(input: ItemPatch): Promise<Partial<LeadRow & DealRow>> {
    const config = this.deps.config.current;
    const problems = fieldProblems(config, input.fields ?? {});
    const phone = input.phone === undefined ? undefined : normalizePhone(input.phone, config.source.default_region);
    if (input.phone !== undefined && isPhoneWritten(input.phone) && phone === null) {
      problems.push(`phone: "${input.phone}" is not a phone number (default region ${config.source.default_region})`);
    }
    const email = input.email === undefined ? undefined : normalizeEmail(input.email);
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problems.push(`email: "${input.email}" is not an email address`);
    // A responsible is a real user: one of robots.yaml, or one added by the CLI or the API.
    if (input.responsible !== undefined && input.responsible !== '' && !(await this.isUser(input.responsible))) {
      problems.push(`responsible: unknown user "${input.responsible}"`);
    }
    if (problems.length > 0) throw new InvalidRequestError(problems.join('; '));
    const cleaned: Partial<LeadRow & DealRow> = {};
    if (input.title !== undefined) cleaned.title = input.title;
    if (input.name !== undefined) cleaned.name = input.name;
    if (phone !== undefined) cleaned.phone = phone;
    if (email !== undefined) cleaned.email = email;
    if (input.company_name !== undefined) cleaned.companyName = input.company_name;
    if (input.source !== undefined) cleaned.source = input.source;
    if (input.responsible !== undefined) cleaned.responsible = input.responsible || null;
    if (input.amount !== undefined) cleaned.amount = input.amount;
    return cleaned;
  }
}
