import { In } from 'typeorm';
import { NotFoundError, InvalidRequestError } from '../core/errors';
import { MessageEntity, type MessageRow } from '../db/entities';
import type { Store } from '../db/store';
import type { RunQueue } from '../pipeline/queue';
import { approveResend } from './send-once';

/**
 * Messages whose send is in doubt (`unknown`: the provider may or may not have taken them) wait
 * for a person's decision, never a blind resend: list them, then resend one (its run goes back to
 * the queue) or drop it (the run is settled as cancelled, the message marked failed).
 */
export function messagesInDoubt(store: Store): Promise<MessageRow[]> {
  return store.manager.find(MessageEntity, { where: { status: In(['unknown']) }, order: { id: 'ASC' }, take: 1000 });
}

async function inDoubt(store: Store, messageId: number): Promise<MessageRow & { runId: number }> {
  const message = await store.manager.findOne(MessageEntity, { where: { id: messageId } });
  if (!message) throw new NotFoundError(`no message ${messageId}`);
  if (message.status !== 'unknown') throw new InvalidRequestError(`message ${messageId} is ${message.status}, not in doubt`);
  if (message.runId === null) throw new InvalidRequestError(`message ${messageId} belongs to no robot run: nothing to send again`);
  return message as MessageRow & { runId: number };
}

/** Sends it again: its run is scheduled now and the message may go out (a worker picks it up). */
export async function resendInDoubt(store: Store, queue: Pick<RunQueue, 'retry'>, messageId: number, actor: string, now: number): Promise<void> {
  const message = await inDoubt(store, messageId);
  await store.transaction(async (manager) => {
    const change = await queue.retry(manager, message.runId, `resend approved by ${actor}`, actor, now);
    if (!change || change.before === change.after) throw new InvalidRequestError(`run ${message.runId} of message ${messageId} cannot be retried`);
    await approveResend(manager, message.runId, actor);
  });
}

/** Leaves it: the message is failed (not resent) and its run settled as cancelled, both saying who decided. */
export async function dropInDoubt(store: Store, queue: Pick<RunQueue, 'settleUnknown'>, messageId: number, actor: string, now: number): Promise<void> {
  const message = await inDoubt(store, messageId);
  await store.transaction(async (manager) => {
    await manager.update(MessageEntity, { id: message.id, status: 'unknown' }, { status: 'failed', error: `dropped by ${actor}: not resent` });
    await queue.settleUnknown(manager, message.runId, actor, now);
  });
}
