import { randomUUID } from 'node:crypto';
import { In, Not, type EntityManager } from 'typeorm';
import pino, { type Logger } from 'pino';
import { LEAD_PIPELINE, pipelineOf, type CompiledConfig } from '../core/compiled-config';
import type { ChannelRegistry } from '../channels/channel';
import {
  CompanyEntity, ContactEntity, DealEntity, EventEntity, LeadEntity, TaskEntity, UserEntity,
  type CompanyRow, type ContactRow, type DealRow, type EntityKind, type EventRow, type LeadRow, type MessageRow, type StageEntryRow, type TaskRow,
} from '../db/entities';
import type { Store } from '../db/store';
import { allSql, hydrate, insertOne } from '../db/hot-path';
import { resolvePublicUrl } from '../core/public-url';
import { RunQueue } from '../pipeline/queue';
import { ItemChanges } from '../records/item-changes';
import { EngineMetrics } from '../metrics';
import { fetchPoster, type HttpPoster } from '../channels/http-post';
import type { NewTask, PickOptions, RobotPorts } from '../../robots/contract';
import { robotPorts } from '../robot-ports';
import { calendarFromConfig, computeDueAt, type WorkingCalendar } from '../core/calendar';
import { reloadEffects } from '../pipeline/reload-effects';
import type { Clock } from '../core/clock';
import { companyKey, isPhoneWritten, normalizeEmail, normalizePhone } from '../core/contact-keys';
import { ConflictError, InvalidRequestError, NotFoundError } from '../core/errors';
import { fieldProblems, type ItemPatch, type NewItemInput } from '../core/inputs';
import { asItem, type Item, type ItemRef } from '../core/items';
import { entityOf, loadItem, updateItemRow } from '../records/item-rows';
import { sendOnce } from '../messaging/send-once';
import type { MessageRequest } from '../core/message-request';
import { pickLeastOpen, pickRoundRobin, rotationOnDuty } from '../core/responsible';
import { Scheduler } from '../pipeline/scheduler';
import { enterStage } from '../pipeline/transition';
import { planMove, type MoveOptions } from '../core/plan-move';
import { ingestEvent, type EventInput, type EventResult } from '../inbound/ingest';

const COLUMN_FIELDS: Record<string, string> = { companyName: 'company_name' };

/** What a patch really changed, by the field names users write in YAML. */
function fieldChanges(before: Record<string, unknown> & { fields: Record<string, unknown> }, columns: Record<string, unknown>, fields: Record<string, unknown>) {
  const changes: Array<{ field: string; from: unknown; to: unknown }> = [];
  for (const [column, to] of Object.entries(columns)) {
    if (before[column] !== to) changes.push({ field: COLUMN_FIELDS[column] ?? column, from: before[column] ?? null, to });
  }
  for (const [field, to] of Object.entries(fields)) {
    if (before.fields[field] !== to) changes.push({ field, from: before.fields[field] ?? null, to });
  }
  return changes;
}

export interface EngineOptions {
  store: Store;
  config: CompiledConfig;
  clock: Clock;
  channels: ChannelRegistry;
  logger?: Logger;
  workerId?: string;
  /** Signs tracking pixels and links; set TRACKING_SECRET so links survive a restart. */
  trackingSecret?: string;
  /** Outgoing HTTP of the webhook robot; `simulate` records instead of sending. */
  http?: HttpPoster;
  /** How long a claimed run is ours without renewal (default 60 s, ROBOTS_LEASE_MS). */
  leaseMs?: number;
  /** Runs one worker executes at once (default 128, ROBOTS_CONCURRENCY); it claims up to 4× that ahead. */
  concurrency?: number;
}

/** A new item checked and shaped, not yet written (Engine.prepareItem). */
export interface PreparedItem {
  kind: EntityKind;
  row: LeadRow & DealRow;
}

export interface MoveResult {
  item: Item;
  entry: StageEntryRow | null;
  changed: boolean;
}

/**
 * The facade the HTTP API, the CLI and the robots use. It knows no robot by name: it moves
 * items, keeps contacts deduplicated, sends messages once, and drives the scheduler.
 */
export class Engine {
  readonly store: Store;
  readonly clock: Clock;
  readonly channels: ChannelRegistry;
  readonly logger: Logger;
  readonly workerId: string;
  readonly scheduler: Scheduler;
  readonly trackingSecret: string;
  readonly queue: RunQueue;
  readonly metrics = new EngineMetrics();
  /** Items created, moved and changed, told after commit (server/engine/item-changes.ts): the live board listens. */
  readonly itemChanges: ItemChanges;
  /** What robots see of the engine (server/engine/ports.ts). */
  readonly robotPorts: RobotPorts;
  readonly http: HttpPoster;
  readonly leaseMs: number;
  readonly concurrency: number;
  private currentConfig: CompiledConfig;
  private currentCalendar: WorkingCalendar;

  constructor(options: EngineOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.channels = options.channels;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.workerId = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
    this.currentConfig = options.config;
    this.currentCalendar = calendarFromConfig(options.config.source);
    this.queue = new RunQueue(this.store);
    this.itemChanges = new ItemChanges(this.store, this.logger);
    this.robotPorts = robotPorts(this);
    this.http = options.http ?? fetchPoster;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.concurrency = Math.max(1, options.concurrency ?? 128);
    this.scheduler = new Scheduler(this);
    this.trackingSecret = options.trackingSecret ?? randomUUID();
  }

  /** Where links in messages and provider callbacks point (core/public-url.ts). */
  get publicUrl(): string {
    return resolvePublicUrl(this.config, this.channels.webhooks.publicUrl);
  }

  get config(): CompiledConfig {
    return this.currentConfig;
  }

  get calendar(): WorkingCalendar {
    return this.currentCalendar;
  }

  now(): number {
    return this.clock.now();
  }

  /**
   * Swaps the config atomically (semantics 8): pending runs of robots that no longer exist
   * are cancelled with that reason; the others will run with the robot as it now stands.
   */
  async swapConfig(next: CompiledConfig): Promise<{ cancelledRuns: number }> {
    this.currentConfig = next;
    this.currentCalendar = calendarFromConfig(next.source);
    const { cancelled, cancelledFollowers, released } = reloadEffects(next, await this.queue.pendingPlacements());
    const now = this.now();
    await this.queue.cancelPending(cancelled.map((run) => run.id), 'robot no longer in the config', now);
    for (const run of cancelledFollowers) await this.queue.cancelPending([run.id], `${run.waitsFor} is no longer in the config`, now);
    await this.queue.releaseWaiting(
      released.map((run) => {
        const robot = next.robots.get(run.robotId)?.robot;
        return { id: run.id, dueAt: robot ? computeDueAt(robot, now, this.currentCalendar) : now, detail: `${run.waitsFor} is no longer in the config; runs without it` };
      }),
    );
    this.scheduler.wake();
    return { cancelledRuns: cancelled.length + cancelledFollowers.length };
  }

  // ── items ────────────────────────────────────────────────────────────────────────────

  async getItem(ref: ItemRef): Promise<Item | null> {
    return loadItem(this.store.manager, ref);
  }

  /** Inside a transaction that will write the item, `forUpdate` makes concurrent writers take turns. */
  async requireItem(ref: ItemRef, manager: EntityManager = this.store.manager, options: { forUpdate?: boolean } = {}): Promise<Item> {
    const item = await loadItem(manager, ref, options);
    if (!item) throw new NotFoundError(`${ref.kind} ${ref.id} not found`);
    return item;
  }

  private async isUser(login: string): Promise<boolean> {
    return this.config.users.has(login) || (await this.store.manager.count(UserEntity, { where: { login } })) > 0;
  }

  /** Normalises contact keys and checks custom fields; throws InvalidRequestError with every problem. */
  private async cleanInput(input: ItemPatch): Promise<Partial<LeadRow & DealRow>> {
    const config = this.config;
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

  /**
   * Creates a lead (or a deal in `pipeline`) and enters its first stage in one transaction,
   * so the entry robots of that stage are scheduled with it.
   */
  async createItem(kind: EntityKind, input: NewItemInput & { pipeline?: string }, actor: string, extra: Partial<LeadRow & DealRow> = {}, outer?: EntityManager): Promise<Item> {
    return this.insertItem(await this.prepareItem(kind, input), actor, extra, outer);
  }

  /**
   * Checks and shapes a new item without writing (phone numbers, fields, pipeline): callers that
   * hold a transaction open do this first, so the work does not keep SQLite's writer waiting.
   */
  async prepareItem(kind: EntityKind, input: NewItemInput & { pipeline?: string }): Promise<PreparedItem> {
    const config = this.config;
    const pipelineKey = kind === 'lead' ? LEAD_PIPELINE : input.pipeline ?? '';
    const pipeline = pipelineOf(config, pipelineKey);
    if (!pipeline || (kind === 'deal' && pipelineKey === LEAD_PIPELINE)) {
      throw new InvalidRequestError(`unknown deal pipeline "${pipelineKey}" (known: ${[...config.deals.keys()].join(', ')})`);
    }
    const cleaned = await this.cleanInput(input);
    const now = this.now();
    const row = {
      title: null, name: null, phone: null, email: null, companyName: null, source: null, responsible: null,
      contactId: null, companyId: null, lostReason: null, refusedBy: null, score: 0, tags: [], scoredAt: null, stageEntryId: null,
      ...cleaned,
      fields: { ...(input.fields ?? {}) },
      stage: input.stage ?? pipeline.stages[0].id,
      enteredStageAt: now,
      createdAt: now,
      updatedAt: now,
      ...(kind === 'lead' ? { repeatClient: false, dealId: null } : { pipeline: pipelineKey, leadId: null, amount: cleaned.amount ?? null }),
    } as LeadRow & DealRow;
    return { kind, row };
  }

  /** Writes a prepared item and enters its first stage in one transaction (`extra`: links and flags found meanwhile). */
  async insertItem(prepared: PreparedItem, actor: string, extra: Partial<LeadRow & DealRow> = {}, outer?: EntityManager): Promise<Item> {
    const { kind } = prepared;
    const config = this.config;
    const now = prepared.row.createdAt;
    const row = { ...prepared.row, ...extra, fields: { ...prepared.row.fields, ...(extra.fields ?? {}) } } as LeadRow & DealRow;
    const item = await this.store.transaction(async (manager) => {
      const probe = asItem(kind, row);
      const plan = planMove(config, probe, row.stage, { actor });
      const saved = await insertOne(manager, entityOf(kind) as typeof LeadEntity, row as LeadRow);
      const created = asItem(kind, saved);
      const { runs } = await enterStage(manager, this.queue, config, this.calendar, created, plan, { actor }, now);
      return { created, runs };
    }, outer);
    this.scheduler.scheduled(item.runs.map((run) => run.dueAt));
    this.itemChanges.publish({ kind, id: item.created.row.id, change: 'created' }, outer);
    return item.created;
  }

  /**
   * Changes fields; every changed field becomes a `field_changed` event (and a new responsible
   * a `responsible_changed` one) so triggers can react, as in Bitrix24.
   */
  async updateItem(ref: ItemRef, patch: ItemPatch, actor: string, causalDepth = 0): Promise<Item> {
    const cleaned = await this.cleanInput(patch);
    const now = this.now();
    const { item, changes } = await this.store.transaction(async (manager) => {
      const current = await this.requireItem(ref, manager, { forUpdate: true });
      const before = { ...current.row, fields: { ...current.row.fields } };
      const fields = patch.fields ? { ...current.row.fields, ...patch.fields } : current.row.fields;
      const update = { ...cleaned, fields, updatedAt: now };
      await updateItemRow(manager, ref, update);
      Object.assign(current.row, update);
      return { item: current, changes: fieldChanges(before, cleaned, patch.fields ?? {}) };
    });
    if (changes.length > 0) this.itemChanges.publish({ kind: ref.kind, id: ref.id, change: 'updated' });
    for (const change of changes) {
      const type = change.field === 'responsible' ? 'responsible_changed' : 'field_changed';
      await this.ingest({ type, item: ref, actor, payload: change, causalDepth });
    }
    return (await this.getItem(ref)) ?? item;
  }

  /** An inbound event: stored, scored, matched to triggers (server/engine/events.ts). */
  ingest(input: EventInput, outer?: EntityManager): Promise<EventResult> {
    return ingestEvent(this, input, outer);
  }

  /** A move by a person, a trigger or a robot: refused moves change nothing (semantics 1). */
  /**
   * A move by a person, a trigger or a robot: refused moves change nothing (semantics 1).
   * `authorize` sees the item as loaded inside the transaction (the API's role check).
   */
  async move(ref: ItemRef, toStage: string, options: MoveOptions, outer?: EntityManager, authorize?: (item: Item) => void): Promise<MoveResult> {
    const config = this.config;
    const result = await this.store.transaction(async (manager) => {
      // Concurrent identical moves of one item: the second waits for the first, then finds it there.
      const item = await this.requireItem(ref, manager, { forUpdate: true });
      authorize?.(item);
      if (options.fromStage !== undefined && item.row.stage !== options.fromStage) {
        throw new ConflictError(`${ref.kind} ${ref.id} is in "${item.row.stage}" now, not "${options.fromStage}"`);
      }
      if (item.row.stage === toStage) return { item, entry: null, changed: false, runs: [] };
      const plan = planMove(config, item, toStage, options);
      const { entry, runs } = await enterStage(manager, this.queue, config, this.calendar, item, plan, options, this.now());
      return { item, entry, changed: true, runs };
    }, outer);
    this.scheduler.scheduled(result.runs.map((run) => run.dueAt));
    if (result.changed) this.itemChanges.publish({ kind: ref.kind, id: ref.id, change: 'moved' }, outer);
    return { item: result.item, entry: result.entry, changed: result.changed };
  }

  // ── contacts and companies (seed 004: never a duplicate) ─────────────────────────────

  async findContact(keys: { phone?: string | null; email?: string | null }, manager: EntityManager = this.store.manager): Promise<ContactRow | null> {
    if (!keys.phone && !keys.email) return null;
    // One indexed query (every form post asks this): the oldest contact with that phone, else with that email.
    const [row] = await allSql(manager, 'SELECT * FROM contacts WHERE phone = ? OR email = ? ORDER BY CASE WHEN phone = ? THEN 0 ELSE 1 END, id LIMIT 1', [
      keys.phone ?? null,
      keys.email ?? null,
      keys.phone ?? null,
    ]);
    return row ? hydrate(manager, ContactEntity, row) : null;
  }

  async findOrCreateCompany(manager: EntityManager, name: string | null): Promise<CompanyRow | null> {
    if (!name || name.trim() === '') return null;
    const key = companyKey(name);
    const existing = await manager.findOne(CompanyEntity, { where: { nameKey: key } });
    if (existing) return existing;
    return insertOne(manager, CompanyEntity, { name: name.trim(), nameKey: key, createdAt: this.now() });
  }

  async findOrCreateContact(manager: EntityManager, data: { name: string | null; phone: string | null; email: string | null; companyId: number | null }): Promise<{ contact: ContactRow; created: boolean }> {
    const existing = await this.findContact(data, manager);
    if (existing) {
      const fill: Partial<ContactRow> = {};
      if (!existing.phone && data.phone) fill.phone = data.phone;
      if (!existing.email && data.email) fill.email = data.email;
      if (!existing.name && data.name) fill.name = data.name;
      if (!existing.companyId && data.companyId) fill.companyId = data.companyId;
      if (Object.keys(fill).length > 0) await manager.update(ContactEntity, { id: existing.id }, fill);
      return { contact: { ...existing, ...fill }, created: false };
    }
    const contact = await insertOne(manager, ContactEntity, { ...data, createdAt: this.now() });
    return { contact, created: true };
  }

  /** An earlier lead with the same phone or email, other than this one. */
  async findEarlierLead(lead: LeadRow, manager: EntityManager = this.store.manager): Promise<LeadRow | null> {
    const where = [
      ...(lead.phone ? [{ phone: lead.phone, id: Not(lead.id) }] : []),
      ...(lead.email ? [{ email: lead.email, id: Not(lead.id) }] : []),
    ];
    if (where.length === 0) return null;
    return manager.findOne(LeadEntity, { where, order: { id: 'ASC' } });
  }

  /**
   * Picks a responsible among the members of `team` on duty now, as its `pick:` says; null when
   * the team has no members. Nobody on duty: `when_nobody_on_duty` (may throw NotNowError).
   */
  async pickResponsible(team: string, pipeline: string, manager: EntityManager = this.store.manager, options: PickOptions = {}): Promise<string | null> {
    const rotation = rotationOnDuty(this.config, team, this.now(), options.whenNobodyOnDuty);
    if (rotation.kind === 'empty') return null;
    if (rotation.kind === 'person') return rotation.login;
    const { members, eligible } = rotation;
    const entity = pipeline === LEAD_PIPELINE ? LeadEntity : DealEntity;
    const scope = pipeline === LEAD_PIPELINE ? {} : { pipeline };
    if (this.config.teams.get(team)?.pick === 'least_open') {
      const openStages = pipelineOf(this.config, pipeline)?.stages.filter((stage) => stage.semantic === 'open').map((stage) => stage.id) ?? [];
      const rows: Array<{ responsible: string; open: string | number }> = await manager
        .createQueryBuilder(entity as typeof DealEntity, 'item')
        .select('item.responsible', 'responsible')
        .addSelect('COUNT(*)', 'open')
        .where('item.responsible IN (:...members)', { members })
        .andWhere('item.stage IN (:...openStages)', { openStages: openStages.length ? openStages : ['-'] })
        .andWhere(pipeline === LEAD_PIPELINE ? '1=1' : 'item.pipeline = :pipeline', { pipeline })
        .groupBy('item.responsible')
        .getRawMany();
      return pickLeastOpen(eligible, new Map(rows.map((row) => [row.responsible, Number(row.open)])));
    }
    const last = await manager.findOne(entity as typeof DealEntity, {
      where: { ...scope, responsible: In(members) } as never,
      order: { id: 'DESC' },
      select: ['id', 'responsible'],
    });
    return pickRoundRobin(members, last?.responsible ?? null, new Set(eligible));
  }

  // ── messages, tasks, events ───────────────────────────────────────────────────────────

  async send(request: MessageRequest): Promise<MessageRow> {
    try {
      const message = await sendOnce(this.store, this.channels, request, () => this.now(), { baseUrl: this.publicUrl, secret: this.trackingSecret });
      this.metrics.sends.inc({ channel: message.channel, outcome: message.status });
      return message;
    } catch (error) {
      this.metrics.sends.inc({ channel: request.channel, outcome: error instanceof Error ? error.name : 'error' });
      throw error;
    }
  }

  /** A task for a person; a retried run finds the task it made the first time. */
  async createTask(task: NewTask): Promise<TaskRow> {
    return this.store.transaction(async (manager) => {
      const existing = task.runId === null ? null : await manager.findOne(TaskEntity, { where: { runId: task.runId, entityType: task.item.kind, entityId: task.item.id } });
      if (existing) return existing;
      return insertOne(manager, TaskEntity, {
        entityType: task.item.kind,
        entityId: task.item.id,
        assignee: task.assignee,
        title: task.title,
        dueAt: task.dueAt,
        runId: task.runId,
        status: 'open',
        overdueAt: null,
        createdAt: this.now(),
      });
    });
  }

  async recordEvent(
    event: { type: string; entity?: ItemRef | null; actor?: string | null; payload?: Record<string, unknown>; outcome?: string | null; triggerId?: string | null },
    manager?: EntityManager,
  ): Promise<EventRow> {
    return this.store.transaction(
      (tx) =>
        insertOne(tx, EventEntity, {
          type: event.type,
          entityType: event.entity?.kind ?? null,
          entityId: event.entity?.id ?? null,
          actor: event.actor ?? null,
          payload: event.payload ?? {},
          outcome: event.outcome ?? null,
          triggerId: event.triggerId ?? null,
          createdAt: this.now(),
        } as EventRow),
      manager,
    );
  }

  /** Runs everything due now; returns how many runs were processed. */
  runDue(): Promise<number> {
    return this.scheduler.runDue();
  }

  /** Runs pending or running with a due time. */
  pendingRunCount(): Promise<number> {
    return this.queue.openCount();
  }
}
