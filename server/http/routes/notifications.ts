import { Router } from 'express';
import { z } from 'zod';
import type { Item } from '../../core/items';
import type { NotificationRow } from '../../core/rows';
import type { Inbox } from '../../records/inbox';
import { itemsByRef } from '../../reads/items';
import { listNotifications } from '../../reads/notifications';
import type { ReadSource } from '../../reads/source';
import { IdParam, NoQuery, queryInteger } from '../ids';
import { parse } from '../problem';

export const NotificationQuery = z.strictObject({
  unread: z.enum(['true', 'false']).optional().describe('true: unread ones only'),
  limit: queryInteger(1, 200, 50),
});

/** One notification as the list and the live stream (`event: notification`) show it. */
export function notificationView(notification: NotificationRow, item: Item | undefined) {
  const ref = notification.entityType !== null && notification.entityId !== null ? { kind: notification.entityType, id: notification.entityId } : null;
  return {
    id: notification.id,
    kind: notification.kind,
    text: notification.text,
    ...(ref ? { item: { ...ref, title: item?.row.title || item?.row.name || `${ref.kind} #${ref.id}` } } : {}),
    at: new Date(notification.createdAt).toISOString(),
    read: notification.readAt !== null,
  };
}

/** The views of several notifications, their items loaded in one query. */
export async function notificationViews(reads: ReadSource, notifications: NotificationRow[]) {
  const refs = notifications.flatMap((notification) => (notification.entityType !== null && notification.entityId !== null ? [{ kind: notification.entityType, id: notification.entityId }] : []));
  const items = await itemsByRef(reads, refs);
  return notifications.map((notification) => notificationView(notification, items.get(`${notification.entityType}:${notification.entityId}`)));
}

export interface NotificationRouteDeps {
  inbox: Pick<Inbox, 'markRead' | 'markAllRead'>;
  reads: ReadSource;
}

/** /api/notifications: what was sent to me (alerts, escalations, tasks given to me), newest first. Only my own. */
export function notificationRoutes(deps: NotificationRouteDeps): Router {
  const router = Router();

  router.get('/', async (request, response) => {
    const query = parse(NotificationQuery, request.query);
    const { notifications, unread } = await listNotifications(deps.reads, request.user!.login, { unreadOnly: query.unread === 'true', limit: query.limit });
    response.json({ items: await notificationViews(deps.reads, notifications), unread });
  });

  router.post('/read-all', async (request, response) => {
    parse(NoQuery, request.query);
    const marked = await deps.inbox.markAllRead(request.user!.login);
    response.json({ marked, unread: 0 });
  });

  router.post('/:id/read', async (request, response) => {
    const { id } = parse(IdParam, request.params);
    parse(NoQuery, request.query);
    await deps.inbox.markRead(request.user!.login, id);
    const { unread } = await listNotifications(deps.reads, request.user!.login, { unreadOnly: true, limit: 1 });
    response.json({ id, read: true, unread });
  });

  return router;
}
