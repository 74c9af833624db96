import type { ChannelNameType } from '../../config/schema';
import type { EntityKind, MessageRow, NotificationKind } from './rows';

/** One outgoing message; the idempotency key makes a second request for it a no-op (semantics 5). */
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
  /**
   * To a person (`audience: user` with a login): the kind of the in-app notification written with
   * the message, `alert` unless said; null when the message is not one (a call placed by the callback).
   */
  notice?: NotificationKind | null;
}

/**
 * The row a request becomes: `sending` until the provider answers, or `recorded` at once on a
 * channel that only records (the outbox). Written once, for the engine and its test fakes.
 */
export function messageRow(request: MessageRequest, now: number, recordsOnly: boolean): Omit<MessageRow, 'id'> {
  return {
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
    meta: recordsOnly ? { ...(request.meta ?? {}), delivered_via: 'outbox' } : (request.meta ?? {}),
    status: recordsOnly ? 'recorded' : 'sending',
    providerId: null,
    error: null,
    createdAt: now,
    sentAt: recordsOnly ? now : null,
  };
}
