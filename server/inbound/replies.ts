import { randomUUID } from 'node:crypto';
import type { ItemRef } from '../core/items';
import { isOptOutText } from '../core/opt-outs';
import { MessageEntity, type MessageRow } from '../db/entities';
import { insertOneIfAbsent } from '../db/hot-path';
import { ingestEvent, type EventResult, type InboundDeps } from './ingest';
import { findItemByAddress } from './match';

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
 * `result` is null for a delivery received already (the provider's retry): nothing more is done.
 */
export async function recordInboundMessage(deps: InboundDeps, input: InboundMessageInput): Promise<{ message: MessageRow; result: EventResult | null; optedOut: boolean }> {
  let ref = input.item ?? null;
  if (!ref && input.replyToMessageId) {
    const original = await deps.store.manager.findOne(MessageEntity, { where: { id: input.replyToMessageId } });
    if (original?.entityType && original.entityId) ref = { kind: original.entityType, id: original.entityId };
  }
  // A chat id is not a phone number: only email, SMS and voice senders are looked up by address.
  if (!ref && input.channel === 'email') ref = await findItemByAddress(deps, { email: input.from });
  if (!ref && (input.channel === 'sms' || input.channel === 'voice')) ref = await findItemByAddress(deps, { phone: input.from });
  const key = `in:${input.channel}:${input.providerId ?? randomUUID()}`;
  // One transaction: the message, the opt-out and the event are kept together, and a provider
  // retrying the delivery (at once or later) finds the message and does nothing more.
  const optedOut = isOptOutText(input.body);
  const recorded = await deps.store.transaction(async (manager) => {
    const message = await insertOneIfAbsent(
      manager,
      MessageEntity,
      {
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
        createdAt: deps.clock.now(),
        sentAt: deps.clock.now(),
      },
      'idempotencyKey',
    );
    if (!message) return null;
    if (optedOut) {
      await deps.messaging.optOut(input.channel, input.from, `client wrote "${input.body.trim()}"`, undefined, null, manager);
      await deps.records.recordEvent({ type: 'opt_out', entity: ref, actor: `channel:${input.channel}`, payload: { channel: input.channel, address: input.from }, outcome: `opted out of ${input.channel}` }, manager);
    }
    const result = await ingestEvent(
      deps,
      {
        type: 'message_inbound',
        item: ref,
        actor: `channel:${input.channel}`,
        payload: { channel: input.channel, from: input.from, message_id: message.id, text: input.body.slice(0, 500), opted_out: optedOut },
        unmatched: `no lead or deal has ${input.channel === 'email' ? 'email' : 'phone'} ${input.from}`,
      },
      manager,
    );
    return { message, result };
  });
  if (!recorded) {
    const message = await deps.store.manager.findOneOrFail(MessageEntity, { where: { idempotencyKey: key } });
    return { message, result: null, optedOut: false };
  }
  // Runs a trigger's move scheduled inside the transaction are there for the workers now.
  deps.pipeline.runsCommitted();
  const { message, result } = recorded;
  return { message, result, optedOut };
}
