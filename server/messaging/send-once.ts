import { In, type EntityManager } from 'typeorm';
import { messageRow, type MessageRequest } from '../core/message-request';
import type { ChannelRegistry } from '../channels/channel';
import { MessageEntity, NotificationEntity, type MessageRow, type NotificationRow } from '../db/entities';
import { insertNotification, type NewNotification, type NotificationFeed } from '../records/notifications';
import type { Store } from '../db/store';
import { randomBytes } from 'node:crypto';
import { withSignInLink } from '../core/sign-in-links';
import { addTracking, textToHtml, unsubscribeUrl } from '../core/tracking';
import { insertOne, insertOneIfAbsent, insertPairIfAbsent, selectOneBy, updateById } from '../db/hot-path';
import { OutcomeUnknownError, PermanentSendError, RetryableSendError } from '../core/errors';

const ALREADY_OUT = new Set(['recorded', 'sent', 'delivered']);

/**
 * Sends a message at most once per idempotency key (semantics 5): the row is written `queued`,
 * turns `sending` the moment the provider call starts, so a crash or a second worker finds it and
 * does not send again; an unanswered send becomes `unknown`, never a blind resend. Only what was
 * really handed over is ever in doubt: a crash while the row is `queued` sent nothing.
 */
export interface TrackingSettings {
  baseUrl: string;
  secret: string;
}

export async function sendOnce(store: Store, channels: ChannelRegistry, request: MessageRequest, now: () => number, tracking?: TrackingSettings, notices?: Pick<NotificationFeed, 'publish'>): Promise<MessageRow> {
  const recordsOnly = channels.get(request.channel).recordsOnly === true;
  const notice = noticeOf(request, now());
  const written: NotificationRow[] = [];
  const noted = async (manager: EntityManager) => {
    const row = notice ? await insertNotification(manager, notice) : null;
    if (row) written.push(row);
  };
  // The usual case, a key never seen, is one INSERT (with a person's notification, one statement on
  // Postgres, one transaction on SQLite);
  // a key seen before is decided in a transaction, and finds the notification it wrote then.
  const fresh = notice
    ? await freshWithNotice(store, messageRow(request, now(), recordsOnly), notice, written)
    : await store.serialized((manager) => insertOneIfAbsent(manager, MessageEntity, messageRow(request, now(), recordsOnly), 'idempotencyKey'));
  const claimed: Claim = fresh
    ? { kind: recordsOnly ? 'done' : 'send', message: fresh }
    : await store.transaction(async (manager) => {
        const claim = await claimMessage(manager, request, now(), recordsOnly);
        await noted(manager);
        return claim;
      });
  // Committed: the person's open pages hear of it now, whatever the provider says next.
  if (written.length > 0) notices?.publish(written);
  if (claimed.kind === 'done') return claimed.message;
  if (claimed.kind === 'in_doubt') {
    throw new OutcomeUnknownError(`message ${claimed.message.id} was being sent when its worker stopped; not resent`);
  }
  const message = claimed.message;
  const tracked =
    tracking && request.channel === 'email' && request.audience === 'client' && request.entity
      ? trackedEmail(message.body, request.html ?? null, { messageId: message.id, item: request.entity }, tracking)
      : { text: message.body, html: request.html ?? null };
  const channel = channels.get(request.channel);
  const outgoing = {
    id: message.id,
    idempotencyKey: message.idempotencyKey,
    channel: request.channel,
    audience: request.audience,
    recipient: request.recipient,
    subject: message.subject,
    body: tracked.text,
    html: tracked.html,
    // Alerts to our people: the Open button signs its recipient in, once (core/sign-in-links.ts).
    meta:
      tracking && request.audience === 'user' && request.recipientLogin && request.entity
        ? withSignInLink(message.meta, { ...tracking, login: request.recipientLogin, item: request.entity, now: now(), nonce: randomBytes(16).toString('base64url') })
        : tracking && request.channel === 'email' && request.audience === 'client' && request.entity
          ? { ...message.meta, unsubscribe_url: unsubscribeUrl({ messageId: message.id, item: request.entity }, tracking.baseUrl, tracking.secret) }
          : message.meta,
  };
  try {
    // Waiting for a turn under the provider's limits is `queued`: a crash here sent nothing, and a re-run sends it.
    await channel.ready?.(outgoing);
  } catch (error) {
    // Still ours only while `queued`: another worker may have handed it over meanwhile.
    await store.transaction((manager) => manager.update(MessageEntity, { id: message.id, status: 'queued' }, { status: 'failed', error: (error as Error).message }));
    throw error instanceof RetryableSendError ? error : new RetryableSendError(`${request.channel} send failed: ${(error as Error).message}`);
  }
  const takenOver = await handOver(store, message.id);
  if (takenOver) return takenOver;
  let receipt: Awaited<ReturnType<ReturnType<ChannelRegistry['get']>['send']>>;
  try {
    receipt = await channel.send(outgoing);
  } catch (error) {
    const status = error instanceof OutcomeUnknownError ? 'unknown' : 'failed';
    const text = error instanceof PermanentSendError && error.providerMessage ? `${error.message}: ${error.providerMessage}` : (error as Error).message;
    await store.transaction((manager) => manager.update(MessageEntity, { id: message.id }, { status, error: text }));
    if (error instanceof OutcomeUnknownError || error instanceof PermanentSendError || error instanceof RetryableSendError) throw error;
    throw new RetryableSendError(`${request.channel} send failed: ${text}`);
  }
  // The provider took it: from here on a failure is ours (the database), never a reason to send again.
  const changes = {
    status: receipt.status,
    providerId: receipt.providerId ?? null,
    sentAt: now(),
    error: null,
    meta: { ...message.meta, delivered_via: receipt.deliveredVia },
  } as const;
  await recordReceipt(store, message.id, changes);
  return { ...message, ...changes };
}

/**
 * A new message to a person and its notification: one statement on Postgres, one transaction on
 * SQLite (where it joins a group commit). Null when the key was seen before.
 */
async function freshWithNotice(store: Store, row: Omit<MessageRow, 'id'>, notice: NewNotification, written: NotificationRow[]): Promise<MessageRow | null> {
  if (store.kind === 'postgres') {
    const ids = await store.serialized((manager) =>
      insertPairIfAbsent(manager, { entity: MessageEntity, row, conflict: 'idempotencyKey' }, { entity: NotificationEntity, row: { ...notice, readAt: null }, conflict: 'key' }),
    );
    if (!ids) return null;
    if (ids.second !== null) written.push({ ...notice, id: ids.second, readAt: null });
    return { ...row, id: ids.first } as MessageRow;
  }
  return store.transaction(async (manager) => {
    const message = await insertOneIfAbsent(manager, MessageEntity, row, 'idempotencyKey');
    if (message) {
      const noted = await insertNotification(manager, notice);
      if (noted) written.push(noted);
    }
    return message;
  });
}

/** The in-app notification a message to a person makes, keyed like the message: a retried run writes none. */
function noticeOf(request: MessageRequest, now: number): NewNotification | null {
  if (request.audience !== 'user' || !request.recipientLogin || request.notice === null) return null;
  return {
    login: request.recipientLogin,
    entityType: request.entity?.kind ?? null,
    entityId: request.entity?.id ?? null,
    kind: request.notice ?? 'alert',
    text: request.body,
    key: `message:${request.idempotencyKey}`,
    createdAt: now,
  };
}

/**
 * Client emails carry our open pixel and click redirects (email_opened / link_clicked events).
 * One written as text goes as text + HTML, so the pixel has a place: its links are made tracked
 * first and the HTML is drawn from that text (an HTML-escaped link would not survive the rewrite).
 */
export function trackedEmail(text: string, html: string | null, claims: { messageId: number; item: NonNullable<MessageRequest['entity']> }, tracking: TrackingSettings) {
  if (html !== null) return addTracking({ text, html }, claims, tracking.baseUrl, tracking.secret);
  const trackedText = addTracking({ text, html: null }, claims, tracking.baseUrl, tracking.secret).text;
  return addTracking({ text: trackedText, html: textToHtml(trackedText) }, claims, tracking.baseUrl, tracking.secret);
}

/** How long a receipt is kept trying while the database is away: a restart or failover of it, not a lost disk. */
const RECEIPT_PATIENCE_ATTEMPTS = 30;
const RECEIPT_MAX_BACKOFF_MS = 2000;

/**
 * A lost database connection right after a send must not turn a delivered message into a
 * failed one (which a retry would send again), nor into one in doubt: the receipt is in hand,
 * so it is written with retries for about a minute (a database restarting, a SQLite file moved
 * and put back). Only if the database stays away longer does the row stay `sending`, which
 * every later attempt treats as in doubt: never resent blindly.
 */
export async function recordReceipt(
  store: Pick<Store, 'transaction'>,
  messageId: number,
  changes: Partial<MessageRow>,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<void> {
  await withPatience(() => store.transaction((manager) => updateById(manager, MessageEntity, messageId, changes)), wait);
}

/** A write that must land although the database is away for a while: retried with backoff for about a minute. */
async function withPatience<T>(write: () => Promise<T>, wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms))): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= RECEIPT_PATIENCE_ATTEMPTS) throw error;
      await wait(Math.min(RECEIPT_MAX_BACKOFF_MS, 100 * 2 ** attempt));
    }
  }
}

/**
 * `queued` → `sending`, the moment the provider call starts, only if the row is still `queued`:
 * a second worker that took the run over after a frozen first one must not send it twice. When
 * the row moved on, what it is now is returned (already out), or the send is in doubt.
 *
 * The hand-over carries a mark of this attempt. When its write gets no answer (the connection
 * dropped, the database restarted) it may or may not have landed, but the provider was surely
 * not called: the row is put back to `queued` — only if it still carries this attempt's mark,
 * never another worker's — and the run retries, so a message that never left is not in doubt.
 */
export async function handOver(store: Pick<Store, 'transaction' | 'manager'>, messageId: number, wait?: (ms: number) => Promise<void>): Promise<MessageRow | null> {
  const mark = `handed over ${randomBytes(8).toString('hex')}`;
  let affected: number | undefined;
  try {
    const result = await store.transaction((manager) =>
      manager.createQueryBuilder().update(MessageEntity).set({ status: 'sending', error: mark }).where('id = :id AND status = :queued', { id: messageId, queued: 'queued' }).execute(),
    );
    affected = result.affected;
  } catch (error) {
    await withPatience(
      () =>
        store.transaction((manager) =>
          manager.createQueryBuilder().update(MessageEntity).set({ status: 'queued', error: null }).where('id = :id AND status = :sending AND error = :mark', { id: messageId, sending: 'sending', mark }).execute(),
        ),
      wait,
    );
    throw new RetryableSendError(`message ${messageId}: the database did not answer before the send (${(error as Error).message}); nothing was sent`);
  }
  if (affected === 1) return null;
  const now = await store.manager.findOne(MessageEntity, { where: { id: messageId } });
  if (now && ALREADY_OUT.has(now.status)) return now;
  throw new OutcomeUnknownError(`message ${messageId} was taken over by another worker; not sent from here`);
}

type Claim = { kind: 'send'; message: MessageRow } | { kind: 'done'; message: MessageRow } | { kind: 'in_doubt'; message: MessageRow };

async function claimMessage(manager: EntityManager, request: MessageRequest, now: number, recordsOnly: boolean): Promise<Claim> {
  const existing = await selectOneBy(manager, MessageEntity, 'idempotencyKey', request.idempotencyKey);
  if (!existing) {
    const message = await insertOne(manager, MessageEntity, messageRow(request, now, recordsOnly));
    return { kind: recordsOnly ? 'done' : 'send', message };
  }
  const settled = settledClaim(existing);
  if (settled) return settled;
  const status = recordsOnly ? 'recorded' : 'queued';
  // Only a row still in the state just read is taken: another worker may have handed it over (or
  // sent it) since, and an update by id alone would put its `sending` back to `queued` — a second send.
  const result = await manager
    .createQueryBuilder()
    .update(MessageEntity)
    .set({ status, body: request.body, subject: request.subject ?? null, ...(recordsOnly ? { sentAt: now, error: null } : {}) })
    .where('id = :id AND status = :seen', { id: existing.id, seen: existing.status })
    .execute();
  if (result.affected === 1) return { kind: recordsOnly ? 'done' : 'send', message: { ...existing, status, body: request.body } };
  const current = await selectOneBy(manager, MessageEntity, 'idempotencyKey', request.idempotencyKey);
  return (current && settledClaim(current)) ?? { kind: 'in_doubt', message: current ?? existing };
}

/** What a row another worker has taken already means for this one: out, or in doubt; null while it may still be taken. */
function settledClaim(row: MessageRow): Claim | null {
  if (ALREADY_OUT.has(row.status) || row.status === 'skipped') return { kind: 'done', message: row };
  if (row.status === 'sending' || row.status === 'unknown') return { kind: 'in_doubt', message: row };
  return null;
}

/** A person retrying a run whose send was in doubt has decided the message may go out again. */
export async function approveResend(manager: EntityManager, runId: number, actor: string): Promise<void> {
  await manager.update(MessageEntity, { runId, status: In(['unknown', 'sending']) }, { status: 'failed', error: `resend approved by ${actor}` });
}
