import { Router } from 'express';
import { z } from 'zod';
import { canAccessItem, type Viewer } from '../../auth/access';
import { ForbiddenError } from '../../core/errors';
import type { Item } from '../../core/items';
import type { Clock } from '../../core/clock';
import type { LiveConfig } from '../../core/live-config';
import type { EntityKind, EventRow } from '../../core/rows';
import type { Inbound } from '../../inbound/inbound';
import type { Records } from '../../records/records';
import type { ReadSource } from '../../reads/source';
import { listTasks } from '../../reads/tasks';
import { IdParam, NoQuery } from '../ids';
import { parse } from '../problem';
import { taskView } from './tasks';

/** POST /api/{leads|deals}/:id/comments */
export const CommentBody = z.strictObject({
  text: z.string().trim().min(1, { error: 'a comment needs words' }).max(5000),
});
export type CommentBody = z.output<typeof CommentBody>;

export const CALL_DIRECTIONS = ['outbound', 'inbound'] as const;
export const LOGGED_CALL_OUTCOMES = ['answered', 'no_answer', 'busy', 'voicemail'] as const;

/** POST /api/{leads|deals}/:id/calls: a call a person made or took, logged by hand. */
export const LoggedCallBody = z.strictObject({
  direction: z.enum(CALL_DIRECTIONS),
  outcome: z.enum(LOGGED_CALL_OUTCOMES),
  duration_seconds: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600)
    .optional(),
  note: z.string().trim().max(5000).optional(),
});
export type LoggedCallBody = z.output<typeof LoggedCallBody>;

const iso = (ms: number) => new Date(ms).toISOString();
const loginOf = (actor: string | null) => (actor?.startsWith('user:') ? actor.slice(5) : actor);

/** A comment as the API answers it (and the timeline's comment entry carries). */
export function commentView(event: EventRow) {
  return { id: event.id, author: loginOf(event.actor), text: String(event.payload.text ?? ''), at: iso(event.createdAt) };
}

/** A logged call as the API answers it. */
export function loggedCallView(event: EventRow) {
  const payload = event.payload;
  return {
    id: event.id,
    author: loginOf(event.actor),
    direction: payload.direction,
    outcome: payload.result,
    duration_seconds: typeof payload.duration_seconds === 'number' ? payload.duration_seconds : null,
    note: typeof payload.note === 'string' ? payload.note : null,
    at: iso(event.createdAt),
  };
}

/**
 * The `call` trigger's words (triggers/call.ts): a call that connected is `answered`, one that did
 * not is `missed`, whichever way it went.
 */
function triggerOutcome(outcome: LoggedCallBody['outcome']): 'answered' | 'missed' {
  return outcome === 'answered' ? 'answered' : 'missed';
}

export interface ItemActivityDeps {
  config: LiveConfig;
  clock: Clock;
  records: Pick<Records, 'requireItem'>;
  /** Comments and calls are events: stored, scored, and offered to the triggers like any other. */
  inbound: Pick<Inbound, 'ingest'>;
  reads: ReadSource;
}

/** What people add to a lead or deal from its card: comments, logged calls; and its tasks. */
export function itemActivityRoutes(deps: ItemActivityDeps, kind: EntityKind): Router {
  const router = Router();

  async function itemFor(request: { params: unknown; query: unknown; user?: Viewer }, action: 'read' | 'write'): Promise<Item> {
    const { id } = parse(IdParam, request.params);
    parse(NoQuery, request.query);
    const item = await deps.records.requireItem({ kind, id });
    if (!canAccessItem(deps.config.current, request.user!, item, action)) {
      throw new ForbiddenError(`your role may not ${action === 'read' ? 'see' : 'change'} this ${kind}`);
    }
    return item;
  }

  router.post('/:id/comments', async (request, response) => {
    const item = await itemFor(request, 'write');
    const body = parse(CommentBody, request.body);
    const { event } = await deps.inbound.ingest({ type: 'comment', item: { kind, id: item.row.id }, actor: `user:${request.user!.login}`, payload: { text: body.text } });
    response.status(201).json(commentView(event));
  });

  router.post('/:id/calls', async (request, response) => {
    const item = await itemFor(request, 'write');
    const body = parse(LoggedCallBody, request.body);
    const login = request.user!.login;
    const payload = {
      logged: true,
      agent: login,
      direction: body.direction,
      result: body.outcome,
      outcome: triggerOutcome(body.outcome),
      ...(body.duration_seconds === undefined ? {} : { duration_seconds: body.duration_seconds }),
      ...(body.note === undefined ? {} : { note: body.note }),
    };
    const { event } = await deps.inbound.ingest({ type: 'call', item: { kind, id: item.row.id }, actor: `user:${login}`, payload });
    response.status(201).json(loggedCallView(event));
  });

  router.get('/:id/tasks', async (request, response) => {
    const item = await itemFor(request, 'read');
    const now = deps.clock.now();
    // Whoever may see the item sees all its tasks.
    const { tasks, total } = await listTasks(deps.reads, { item: { kind, id: item.row.id }, scope: { leadOwners: 'all', dealPipelines: 'all' }, viewer: request.user!.login, now, limit: 500, offset: 0 });
    response.json({ tasks: tasks.map((task) => taskView(task, item, now)), total });
  });

  return router;
}
