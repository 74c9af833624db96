import { Router } from 'express';
import { z } from 'zod';
import { canAccessItem, canOperate } from '../../auth/access';
import { EventEntity, type EventRow } from '../../db/entities';
import type { Engine } from '../../engine/engine';
import { ForbiddenError } from '../../engine/errors';
import { parse } from '../problem';

export const EventQuery = z.object({
  item: z.string().regex(/^(lead|deal):\d+$/, { error: 'item is lead:<id> or deal:<id>' }).optional(),
  type: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function eventView(event: EventRow) {
  return {
    id: event.id,
    type: event.type,
    item: event.entityType ? `${event.entityType}:${event.entityId}` : null,
    actor: event.actor,
    payload: event.payload,
    outcome: event.outcome,
    trigger: event.triggerId,
    created_at: new Date(event.createdAt).toISOString(),
  };
}

/** GET /api/events: every inbound event, what it matched and what it fired (or why not). */
export function eventRoutes(engine: Engine): Router {
  const router = Router();
  router.get('/', async (request, response) => {
    const query = parse(EventQuery, request.query);
    const where: Record<string, unknown> = {};
    if (query.type) where.type = query.type;
    if (query.item) {
      const [kind, id] = query.item.split(':');
      const item = await engine.requireItem({ kind: kind as 'lead' | 'deal', id: Number(id) });
      if (!canAccessItem(engine.config, request.user!, item, 'read')) throw new ForbiddenError(`your role may not see this ${kind}`);
      Object.assign(where, { entityType: kind, entityId: Number(id) });
    } else if (!canOperate(request.user!, 'runs.read')) {
      throw new ForbiddenError('give ?item=lead:<id>, or ask ops for the full event log');
    }
    const events = await engine.store.manager.find(EventEntity, { where, order: { id: 'DESC' }, take: query.limit });
    response.json({ events: events.map(eventView) });
  });
  return router;
}
