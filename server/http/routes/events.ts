import { Router } from 'express';
import { z } from 'zod';
import { canOperate, itemScope } from '../../auth/access';
import type { LiveConfig } from '../../core/live-config';
import type { EventRow } from '../../core/rows';
import { ForbiddenError } from '../../core/errors';
import type { Records } from '../../records/records';
import { listEvents } from '../../reads/events';
import type { RowsOf } from '../../reads/scope';
import type { ReadSource } from '../../reads/source';
import { ItemRefText, queryInteger } from '../ids';
import { requireVisibleItem } from '../item-scope';
import { parse } from '../problem';

export const EventQuery = z.strictObject({
  item: ItemRefText.optional().describe('lead:<id> or deal:<id>'),
  type: z.string().optional(),
  limit: queryInteger(1, 500, 100),
});

function eventView(event: EventRow) {
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
export function eventRoutes(deps: { config: LiveConfig; records: Pick<Records, 'getItem'>; reads: ReadSource }): Router {
  const router = Router();
  router.get('/', async (request, response) => {
    const query = parse(EventQuery, request.query);
    const user = request.user!;
    const config = deps.config.current;
    let of: RowsOf;
    if (query.item) {
      await requireVisibleItem(deps.records, config, user, query.item);
      of = { item: query.item };
    } else if (canOperate(user, 'runs.read')) {
      of = { scope: itemScope(config, user) };
    } else {
      throw new ForbiddenError('give ?item=lead:<id>, or ask ops for the full event log', 'forbidden.event_log');
    }
    const events = await listEvents(deps.reads, { type: query.type, of, limit: query.limit });
    response.json({ events: events.map(eventView) });
  });
  return router;
}
