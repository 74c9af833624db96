import type { EntityManager } from 'typeorm';
import type { ChannelNameType } from '../../config/schema';
import type { ChannelRegistry } from '../channels/channel';
import { MessageEntity, type EntityKind, type MessageRow } from '../db/entities';
import type { Store } from '../db/store';
import { addTracking } from './tracking';
import { insertOne, updateById } from '../db/hot-path';
import { OutcomeUnknownError, PermanentSendError, RetryableSendError } from './errors';

export interface MessageRequest {
  idempotencyKey: string;
  runId: number | null;
  entity: { kind: EntityKind; id: number } | null;
  channel: ChannelNameType;
  audience: 'client' | 'user';
  recipient: string;
  recipientLogin?: string | null;
  template?: string | null;
  subject?: string | null;
  body: string;
  html?: string | null;
  meta?: Record<string, unknown>;
}

const ALREADY_OUT = new Set(['recorded', 'sent', 'delivered']);

/**
 * Sends a message at most once per idempotency key (semantics 5): the row is written as
 * `sending` before the provider is called, so a crash or a second worker finds it and does
 * not send again; an unanswered send becomes `unknown`, never a blind resend.
 */
export interface TrackingSettings {
  baseUrl: string;
  secret: string;
}

export async function sendOnce(
  store: Store,
  channels: ChannelRegistry,
  request: MessageRequest,
  now: () => number,
  tracking?: TrackingSettings,
): Promise<MessageRow> {
  const claimed = await store.transaction(async (manager) => claimMessage(manager, request, now()));
  if (claimed.kind === 'done') return claimed.message;
  if (claimed.kind === 'in_doubt') {
    throw new OutcomeUnknownError(`message ${claimed.message.id} was being sent when its worker stopped; not resent`);
  }
  const message = claimed.message;
  // Client emails carry our open pixel and click redirects (email_opened / link_clicked events).
  const tracked =
    tracking && request.channel === 'email' && request.audience === 'client' && request.entity
      ? addTracking({ text: message.body, html: request.html ?? null }, { messageId: message.id, item: request.entity }, tracking.baseUrl, tracking.secret)
      : { text: message.body, html: request.html ?? null };
  try {
    const receipt = await channels.get(request.channel).send({
      id: message.id,
      idempotencyKey: message.idempotencyKey,
      channel: request.channel,
      audience: request.audience,
      recipient: request.recipient,
      subject: message.subject,
      body: tracked.text,
      html: tracked.html,
      meta: message.meta,
    });
    const changes = {
      status: receipt.status,
      providerId: receipt.providerId ?? null,
      sentAt: now(),
      error: null,
      meta: { ...message.meta, delivered_via: receipt.deliveredVia },
    } as const;
    await store.transaction((manager) => updateById(manager, MessageEntity, message.id, changes));
    return { ...message, ...changes };
  } catch (error) {
    const status = error instanceof OutcomeUnknownError ? 'unknown' : 'failed';
    const text = error instanceof PermanentSendError && error.providerMessage ? `${error.message}: ${error.providerMessage}` : (error as Error).message;
    await store.transaction((manager) => manager.update(MessageEntity, { id: message.id }, { status, error: text }));
    if (error instanceof OutcomeUnknownError || error instanceof PermanentSendError || error instanceof RetryableSendError) throw error;
    throw new RetryableSendError(`${request.channel} send failed: ${text}`);
  }
}

type Claim = { kind: 'send'; message: MessageRow } | { kind: 'done'; message: MessageRow } | { kind: 'in_doubt'; message: MessageRow };

async function claimMessage(manager: EntityManager, request: MessageRequest, now: number): Promise<Claim> {
  const existing = await manager.findOne(MessageEntity, { where: { idempotencyKey: request.idempotencyKey } });
  if (existing) {
    if (ALREADY_OUT.has(existing.status) || existing.status === 'skipped') return { kind: 'done', message: existing };
    if (existing.status === 'sending' || existing.status === 'unknown') return { kind: 'in_doubt', message: existing };
    await manager.update(MessageEntity, { id: existing.id }, { status: 'sending', body: request.body, subject: request.subject ?? null });
    return { kind: 'send', message: { ...existing, status: 'sending' } };
  }
  const message = await insertOne(manager, MessageEntity, {
    idempotencyKey: request.idempotencyKey,
    runId: request.runId,
    entityType: request.entity?.kind ?? null,
    entityId: request.entity?.id ?? null,
    direction: 'out',
    channel: request.channel,
    audience: request.audience,
    recipient: request.recipient,
    recipientLogin: request.recipientLogin ?? null,
    template: request.template ?? null,
    subject: request.subject ?? null,
    body: request.body,
    meta: request.meta ?? {},
    status: 'sending',
    providerId: null,
    error: null,
    createdAt: now,
    sentAt: null,
  } as MessageRow);
  return { kind: 'send', message };
}
