import type { MessageRow } from '../core/rows';
import { MessageEntity } from '../db/entities';
import { whereRowsOf, type RowsOf } from './scope';
import type { ReadSource } from './source';

export interface MessageFilter {
  channel?: string;
  status?: string;
  audience?: 'client' | 'user';
  recipientLogin?: string;
  /** One item's messages, or those of the items a scope sees (a manager's own alerts named by `also`). */
  of: RowsOf;
  limit: number;
}

/** Messages, newest first. */
export function listMessages(source: ReadSource, filter: MessageFilter): Promise<MessageRow[]> {
  const messages = source.manager.createQueryBuilder(MessageEntity, 'message').orderBy('message.id', 'DESC').limit(filter.limit);
  if (filter.channel) messages.andWhere('message.channel = :channel', { channel: filter.channel });
  if (filter.status) messages.andWhere('message.status = :status', { status: filter.status });
  if (filter.audience) messages.andWhere('message.audience = :audience', { audience: filter.audience });
  if (filter.recipientLogin) messages.andWhere('message.recipientLogin = :recipient', { recipient: filter.recipientLogin });
  return whereRowsOf(messages, 'message', filter.of).getMany();
}

/** The template a sent message was written from (tracked opens and clicks say which). */
/** Whom one of our client emails went to: the address its unsubscribe link opts out. */
export async function clientEmailOfMessage(source: ReadSource, messageId: number): Promise<string | null> {
  const message = await source.manager.findOne(MessageEntity, { where: { id: messageId }, select: ['id', 'recipient', 'channel', 'audience', 'direction'] });
  return message && message.channel === 'email' && message.audience === 'client' && message.direction === 'out' ? message.recipient : null;
}

export async function templateOfMessage(source: ReadSource, messageId: number): Promise<string | null> {
  const message = await source.manager.findOne(MessageEntity, { where: { id: messageId }, select: ['id', 'template'] });
  return message?.template ?? null;
}
