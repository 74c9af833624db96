import { randomUUID } from 'node:crypto';
import { In, IsNull, LessThanOrEqual } from 'typeorm';
import { robotDefinitions } from '../../robots';
import { LEAD_PIPELINE, pipelineOf } from '../../config/model';
import {
  DealEntity, LeadEntity, MessageEntity, RobotRunEntity, TaskEntity,
  type EventRow, type MessageRow,
} from '../db/entities';
import { loadContext } from './context';
import { normalizeEmail, normalizePhone } from './contact-keys';
import type { Engine } from './engine';
import { MoveRefusedError } from './errors';
import { entityOf, loadItem, type Item, type ItemRef } from './items';
import { scoreEvent, type ScoreChange } from './scoring';
import { isOptOutText, optOut } from './opt-outs';
import { chooseTrigger } from './trigger-matching';

/** Event types the engine itself knows; trigger types and scoring rules name these. */
export const EVENT_TYPES = [
  'form_submitted', 'webhook', 'message_inbound', 'call', 'email_opened', 'link_clicked', 'page_visit',
  'field_changed', 'responsible_changed', 'task_overdue', 'score_changed', 'opt_out',
] as const;

export interface EventInput {
  type: string;
  item?: ItemRef | null;
  payload?: Record<string, unknown>;
  /** Who or what reported it: `form:contact_us`, `hook:billing`, `channel:email`, `user:anna`. */
  actor?: string;
  /** Set when a robot's own action caused the event, so trigger moves keep the loop guard. */
  causalDepth?: number;
  /** Why no item, when the source could not match one. */
  unmatched?: string;
}

export interface EventResult {
  event: EventRow;
  item: Item | null;
  outcome: string;
  moved: boolean;
  score: ScoreChange | null;
}

/** Robot types that touch the client; looked up lazily because robots import engine modules. */
function isTouchType(type: string): boolean {
  return robotDefinitions.some((definition) => definition.type === type && definition.touch === true);
}

/**
 * One inbound event, end to end: stored, matched to its item, scored, and handed to the
 * triggers listening to its type, which may move the item (through the same transition as a
 * person). The event row says what came of it.
 */
export async function ingestEvent(engine: Engine, input: EventInput): Promise<EventResult> {
  const payload = input.payload ?? {};
  const item = input.item ? await loadItem(engine.store.manager, input.item) : null;
  if (!item) {
    const outcome = input.item ? `${input.item.kind} ${input.item.id} not found` : input.unmatched ?? 'no matching lead or deal';
    const event = await engine.recordEvent({ type: input.type, entity: null, actor: input.actor, payload, outcome });
    return { event, item: null, outcome, moved: false, score: null };
  }
  const ref = { kind: item.kind, id: item.row.id };
  const notes: string[] = [];

  if (input.type === 'message_inbound') {
    const stopped = await stopTouches(engine, item, 'client replied');
    if (stopped > 0) notes.push(`stopped ${stopped} pending touch${stopped === 1 ? '' : 'es'}`);
  }

  const eventContext = { type: input.type, ...payload };
  const context = await loadContext(engine.store.manager, engine.config, item, engine.now(), eventContext);
  const score = input.type === 'score_changed' ? null : scoreEvent(engine.config, item, input.type, context, engine.now());
  if (score) {
    const tags = [...new Set([...(item.row.tags ?? []), ...score.tags])];
    const changes = { score: score.to, tags, scoredAt: engine.now(), updatedAt: engine.now() };
    await engine.store.transaction((manager) => manager.update(entityOf(item.kind), { id: item.row.id }, changes as never));
    Object.assign(item.row, changes);
    notes.push(`score ${score.from} → ${score.to} (+${score.points}${score.decayed ? `, −${score.decayed} decay` : ''})`);
  }

  const decision = chooseTrigger(engine.config, item, { type: input.type, payload }, context);
  let moved = false;
  let triggerId: string | null = null;
  if (decision.kind === 'move') {
    triggerId = decision.placement.trigger.id;
    try {
      await engine.move(ref, decision.placement.stage, { actor: `trigger:${triggerId}`, causalDepth: input.causalDepth ?? 0 });
      moved = true;
      notes.push(`moved to "${decision.placement.stage}" by trigger ${triggerId}`);
    } catch (error) {
      if (!(error instanceof MoveRefusedError)) throw error;
      notes.push(`trigger ${triggerId} could not move it: ${error.message}`);
    }
  } else if (decision.kind === 'ignored') {
    triggerId = decision.placement.trigger.id;
    notes.push(`ignored by trigger ${triggerId}: ${decision.reason}`);
  } else if (!score) {
    notes.push(decision.reason);
  }
  const outcome = notes.join('; ');
  const event = await engine.recordEvent({ type: input.type, entity: ref, actor: input.actor, payload, outcome, triggerId });

  if (score && score.to !== score.from) {
    await ingestEvent(engine, { type: 'score_changed', item: ref, actor: 'scoring', payload: { from: score.from, to: score.to, reason: input.type, tags: score.tags } });
  }
  const current = (await loadItem(engine.store.manager, ref)) ?? item;
  return { event, item: current, outcome, moved, score };
}

/**
 * Seed 000: a reply ends the cadence. Pending runs of client-touch robots (or any robot
 * marked `stop_on_reply: true`) in the current stage entry are cancelled.
 */
export async function stopTouches(engine: Engine, item: Item, reason: string): Promise<number> {
  if (item.row.stageEntryId === null) return 0;
  const pending = await engine.store.manager.find(RobotRunEntity, { where: { entryId: item.row.stageEntryId, status: In(['scheduled', 'failed']) } });
  const touches = pending.filter((run) => {
    const robot = engine.config.robots.get(run.robotId)?.robot;
    return robot ? robot.stop_on_reply ?? isTouchType(robot.type) : false;
  });
  if (touches.length === 0) return 0;
  const now = engine.now();
  await engine.store.transaction((manager) =>
    manager.update(RobotRunEntity, { id: In(touches.map((run) => run.id)), status: In(['scheduled', 'failed']) }, { status: 'cancelled', detail: reason, finishedAt: now, dueAt: null }),
  );
  return touches.length;
}

/**
 * The open item a phone or email belongs to: the newest open lead, else the newest open
 * deal, else the newest lead at all.
 */
export async function findItemByAddress(engine: Engine, address: { phone?: string | null; email?: string | null }): Promise<ItemRef | null> {
  const phone = address.phone ? normalizePhone(address.phone, engine.config.source.default_region) : null;
  const email = address.email ? normalizeEmail(address.email) : null;
  const keys = [...(phone ? [{ phone }] : []), ...(email ? [{ email }] : [])];
  if (keys.length === 0) return null;
  const openStages = (pipeline: string) => pipelineOf(engine.config, pipeline)?.stages.filter((stage) => stage.semantic === 'open').map((stage) => stage.id) ?? [];
  const leadOpen = openStages(LEAD_PIPELINE);
  const manager = engine.store.manager;
  const lead = await manager.findOne(LeadEntity, { where: keys.map((key) => ({ ...key, stage: In(leadOpen.length ? leadOpen : ['-']) })), order: { id: 'DESC' } });
  if (lead) return { kind: 'lead', id: lead.id };
  const deals = await manager.find(DealEntity, { where: keys, order: { id: 'DESC' }, take: 20 });
  const openDeal = deals.find((deal) => openStages(deal.pipeline).includes(deal.stage));
  if (openDeal) return { kind: 'deal', id: openDeal.id };
  const anyLead = await manager.findOne(LeadEntity, { where: keys, order: { id: 'DESC' } });
  return anyLead ? { kind: 'lead', id: anyLead.id } : null;
}

export interface InboundMessageInput {
  channel: string;
  /** The sender's address on that channel (email, E.164 phone, Telegram chat id). */
  from: string;
  body: string;
  subject?: string | null;
  /** Our message this answers (from In-Reply-To/References, or a Telegram reply). */
  replyToMessageId?: number | null;
  item?: ItemRef | null;
  providerId?: string | null;
  meta?: Record<string, unknown>;
}

/**
 * A client's reply on any channel: kept as an inbound message on the item's timeline, a STOP
 * opts the address out of that channel, and a `message_inbound` event goes to the triggers.
 */
export async function recordInboundMessage(engine: Engine, input: InboundMessageInput): Promise<{ message: MessageRow; result: EventResult; optedOut: boolean }> {
  let ref = input.item ?? null;
  if (!ref && input.replyToMessageId) {
    const original = await engine.store.manager.findOne(MessageEntity, { where: { id: input.replyToMessageId } });
    if (original?.entityType && original.entityId) ref = { kind: original.entityType, id: original.entityId };
  }
  // A chat id is not a phone number: only email, SMS and voice senders are looked up by address.
  if (!ref && input.channel === 'email') ref = await findItemByAddress(engine, { email: input.from });
  if (!ref && (input.channel === 'sms' || input.channel === 'voice')) ref = await findItemByAddress(engine, { phone: input.from });
  const key = `in:${input.channel}:${input.providerId ?? randomUUID()}`;
  const existing = await engine.store.manager.findOne(MessageEntity, { where: { idempotencyKey: key } });
  const message =
    existing ??
    (await engine.store.transaction((manager) =>
      manager.save(MessageEntity, {
        idempotencyKey: key,
        runId: null,
        entityType: ref?.kind ?? null,
        entityId: ref?.id ?? null,
        direction: 'in',
        channel: input.channel,
        audience: 'client',
        recipient: input.from,
        recipientLogin: null,
        template: null,
        subject: input.subject ?? null,
        body: input.body,
        meta: { ...(input.meta ?? {}), reply_to: input.replyToMessageId ?? null },
        status: 'delivered',
        providerId: input.providerId ?? null,
        error: null,
        createdAt: engine.now(),
        sentAt: engine.now(),
      } as unknown as MessageRow),
    ));
  const optedOut = isOptOutText(input.body);
  if (optedOut) {
    await optOut(engine, input.channel, input.from, `client wrote "${input.body.trim()}"`);
    await engine.recordEvent({ type: 'opt_out', entity: ref, actor: `channel:${input.channel}`, payload: { channel: input.channel, address: input.from }, outcome: `opted out of ${input.channel}` });
  }
  const result = await ingestEvent(engine, {
    type: 'message_inbound',
    item: ref,
    actor: `channel:${input.channel}`,
    payload: { channel: input.channel, from: input.from, message_id: message.id, text: input.body.slice(0, 500), opted_out: optedOut },
    unmatched: `no lead or deal has ${input.channel === 'email' ? 'email' : 'phone'} ${input.from}`,
  });
  return { message, result, optedOut };
}

/** Raises `task_overdue` once for every open task past its due time. Called by the scheduler. */
export async function raiseOverdueTasks(engine: Engine): Promise<number> {
  const now = engine.now();
  const overdue = await engine.store.manager.find(TaskEntity, { where: { status: 'open', overdueAt: IsNull(), dueAt: LessThanOrEqual(now) }, take: 100 });
  for (const task of overdue.filter((candidate) => candidate.dueAt !== null)) {
    const claimed = await engine.store.transaction((manager) => manager.update(TaskEntity, { id: task.id, overdueAt: IsNull() }, { overdueAt: now }));
    if (!claimed.affected) continue;
    await ingestEvent(engine, {
      type: 'task_overdue',
      item: { kind: task.entityType, id: task.entityId },
      actor: 'scheduler',
      payload: { task_id: task.id, title: task.title, assignee: task.assignee, due_at: new Date(task.dueAt as number).toISOString() },
    });
  }
  return overdue.length;
}

