import type { EntityManager } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { robotDefinitions } from '../../robots';
import type { ItemRef, Item } from '../core/items';
import { isOptOutText } from '../core/opt-outs';
import { MessageEntity, OptOutEntity, type MessageRow } from '../db/entities';
import { insertOne } from '../db/hot-path';
import type { Engine } from '../engine/engine';
import { ingestEvent, type EventResult } from './ingest';
import { findItemByAddress } from './match';

/** Robot types that touch the client: their pending runs stop when the client replies. */
const TOUCH_TYPES: ReadonlySet<string> = new Set(robotDefinitions.filter((definition) => definition.touch === true).map((definition) => definition.type));

/**
 * Seed 000: a reply ends the cadence. Pending runs of client-touch robots (or any robot
 * marked `stop_on_reply: true`) in the current stage entry are cancelled.
 */
export async function stopTouches(engine: Engine, item: Item, reason: string, outer?: EntityManager): Promise<number> {
  if (item.row.stageEntryId === null) return 0;
  const pending = await engine.queue.pendingOfEntry(item.row.stageEntryId, outer);
  const touches = pending.filter((run) => {
    const robot = engine.config.robots.get(run.robotId)?.robot;
    return robot ? robot.stop_on_reply ?? TOUCH_TYPES.has(robot.type) : false;
  });
  if (touches.length === 0) return 0;
  await engine.queue.cancelPending(touches.map((run) => run.id), reason, engine.now(), outer);
  return touches.length;
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
      insertOne(manager, MessageEntity, {
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
      }),
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


/** A STOP keeps every later touch on that channel away from that address. */
export async function optOut(engine: Engine, channel: string, address: string, reason: string): Promise<void> {
  if ((await engine.store.manager.count(OptOutEntity, { where: { channel, address } })) > 0) return;
  await engine.store.transaction((manager) => manager.insert(OptOutEntity, { channel, address, reason, createdAt: engine.now() }));
}
