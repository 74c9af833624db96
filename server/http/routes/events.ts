import { Router } from 'express';
import { z } from 'zod';
import { canOperate, itemScope } from '../../auth/access';
import { EventEntity, type EventRow } from '../../db/entities';
import type { Engine } from '../../engine/engine';
import { ForbiddenError } from '../../core/errors';
import { ItemRefText, queryInteger } from '../ids';
import { requireVisibleItem, whereInScope } from '../item-scope';
import { parse } from '../problem';

export const EventQuery = z.strictObject({
  item: ItemRefText.optional().describe('lead:<id> or deal:<id>'),
  type: z.string().optional(),
  limit: queryInteger(1, 500, 100),
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

/**
 * GET /api/events: every inbound event, what it matched and what it fired (or why not). An
 * item's events for whoever may see the item (else 404); the log for managers (their team's
 * items), ops and admins.
 */
export function eventRoutes(engine: Engine): Router {
  const router = Router();
  router.get('/', async (request, response) => {
    const query = parse(EventQuery, request.query);
    const user = request.user!;
    const events = engine.store.manager.createQueryBuilder(EventEntity, 'event').orderBy('event.id', 'DESC').limit(query.limit);
    if (query.type) events.andWhere('event.type = :type', { type: query.type });
    if (query.item) {
      await requireVisibleItem(engine, user, query.item);
      events.andWhere('event.entityType = :kind AND event.entityId = :id', query.item);
    } else if (canOperate(user, 'runs.read')) {
      whereInScope(events, 'event', itemScope(engine.config, user));
    } else {
      throw new ForbiddenError('give ?item=lead:<id>, or ask ops for the full event log');
    }
    response.json({ events: (await events.getMany()).map(eventView) });
  });
  return router;
}
