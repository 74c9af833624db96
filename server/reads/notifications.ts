import { IsNull } from 'typeorm';
import type { NotificationRow } from '../core/rows';
import { NotificationEntity } from '../db/entities';
import type { ReadSource } from './source';

/** A person's notifications, newest first, and how many are unread. Only their own: no scope to apply. */
export async function listNotifications(source: ReadSource, login: string, filter: { unreadOnly: boolean; limit: number }): Promise<{ notifications: NotificationRow[]; unread: number }> {
  const [notifications, unread] = await Promise.all([
    source.manager.find(NotificationEntity, { where: { login, ...(filter.unreadOnly ? { readAt: IsNull() } : {}) }, order: { id: 'DESC' }, take: filter.limit }),
    source.manager.count(NotificationEntity, { where: { login, readAt: IsNull() } }),
  ]);
  return { notifications, unread };
}

/** One notification by id, for its person's live stream. */
export function notificationById(source: ReadSource, id: number): Promise<NotificationRow | null> {
  return source.manager.findOne(NotificationEntity, { where: { id } });
}
