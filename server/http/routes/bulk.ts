import { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { mayAssign } from '../../auth/access';
import { assertMayAccess } from '../item-scope';
import type { Clock } from '../../core/clock';
import { ConflictError, ForbiddenError, InvalidRequestError, MoveRefusedError, NotFoundError, REFUSAL_CODES } from '../../core/errors';
import type { Item } from '../../core/items';
import type { LiveConfig } from '../../core/live-config';
import type { EntityKind } from '../../core/rows';
import type { Inbound } from '../../inbound/inbound';
import type { Pipeline } from '../../pipeline/pipeline';
import type { Records } from '../../records/records';
import type { ReadSource } from '../../reads/source';
import { MAX_ROW_ID, NoQuery } from '../ids';
import { parse, RequestValidationError } from '../problem';
import { requireKnownUser } from './tasks';

export const MAX_BULK_IDS = 500;

const Ids = z
  .array(z.number().int().min(1).max(MAX_ROW_ID))
  .min(1)
  .max(MAX_BULK_IDS, { error: `at most ${MAX_BULK_IDS} items at once` })
  .refine((ids) => new Set(ids).size === ids.length, { error: 'an id is listed twice' });

const IsoTime = z.iso.datetime({ offset: true, error: 'an ISO time with its offset, e.g. 2026-03-02T18:00:00+03:00' }).transform((text) => Date.parse(text));

/** POST /api/{leads|deals}/bulk: one action on many items, each done (or refused) on its own. */
export const BulkBody = z.discriminatedUnion('action', [
  z.strictObject({
    ids: Ids,
    action: z.literal('move'),
    stage: z.string().min(1),
    reason: z.string().optional().describe('a lost stage’s reason id'),
    refused_by: z.enum(['we_refused', 'client_refused']).optional(),
    comment: z.string().trim().max(2000).optional(),
  }),
  z.strictObject({ ids: Ids, action: z.literal('assign'), responsible: z.string().min(1).max(200).describe('a login') }),
  z.strictObject({ ids: Ids, action: z.literal('task'), title: z.string().trim().min(1).max(500), due_at: IsoTime, assignee: z.string().min(1).max(200).optional().describe('a login; the caller when absent') }),
]);
export type BulkBody = z.output<typeof BulkBody>;

/** Why one item of a bulk action was not done: the move refusal's code, or what the single route would answer. */
export const BULK_REFUSAL_CODES = ['not_found', 'forbidden', 'conflict', 'invalid', ...REFUSAL_CODES, 'internal'] as const;

export type BulkResult = { id: number; ok: true } | { id: number; ok: false; code: (typeof BULK_REFUSAL_CODES)[number]; message: string; missing_fields?: string[]; allowed_reasons?: string[] };

function refusal(id: number, error: unknown, logger: Pick<Logger, 'error'>): BulkResult {
  if (error instanceof MoveRefusedError) {
    return {
      id,
      ok: false,
      code: error.details.code,
      message: error.message,
      ...(error.details.missingFields ? { missing_fields: error.details.missingFields } : {}),
      ...(error.details.allowedReasons ? { allowed_reasons: error.details.allowedReasons } : {}),
    };
  }
  if (error instanceof NotFoundError) return { id, ok: false, code: 'not_found', message: error.message };
  if (error instanceof ForbiddenError) return { id, ok: false, code: 'forbidden', message: error.message };
  if (error instanceof ConflictError) return { id, ok: false, code: 'conflict', message: error.message };
  if (error instanceof InvalidRequestError) return { id, ok: false, code: 'invalid', message: error.message };
  // One item's fault must not stop the others, nor say what went wrong inside.
  logger.error({ err: error, id }, 'a bulk action failed on one item');
  return { id, ok: false, code: 'internal', message: 'internal error' };
}

export interface BulkDeps {
  config: LiveConfig;
  clock: Clock;
  records: Pick<Records, 'getItem' | 'createTask'>;
  pipeline: Pick<Pipeline, 'move' | 'runsCommitted'>;
  inbound: Pick<Inbound, 'changeFields'>;
  reads: ReadSource;
  logger: Pick<Logger, 'error'>;
}

/**
 * `POST /api/{kind}s/bulk`: the board's "select many → move / assign / give a task". Each item goes
 * through exactly what the single action does — its own transaction, required fields, lost
 * reasons, access rights, the loop guard — so a refusal writes nothing for that item and the
 * others go on.
 */
export function bulkRoutes(deps: BulkDeps, kind: EntityKind): Router {
  const router = Router();

  router.post('/bulk', async (request, response) => {
    parse(NoQuery, request.query);
    const body = parse(BulkBody, request.body);
    const user = request.user!;
    const config = () => deps.config.current;
    if (body.action === 'assign') {
      await requireKnownUser(deps, body.responsible, 'responsible');
      if (!mayAssign(deps.config.current, request.user!, body.responsible)) {
        throw new ForbiddenError(`your role may not make ${body.responsible} responsible: sales assign themselves, managers the people of their teams`, 'forbidden.assign');
      }
    }
    if (body.action === 'task' && body.assignee !== undefined && body.assignee !== user.login) await requireKnownUser(deps, body.assignee, 'assignee');
    if (body.action === 'move' && body.reason === undefined && body.refused_by !== undefined) throw new RequestValidationError([{ path: 'reason', message: 'refused_by needs a reason' }]);

    /** The item as the single routes find it: one the caller may not see does not exist for them. */
    const writable = (item: Item | null, id: number): Item => {
      if (!item) throw new NotFoundError(`${kind} ${id} not found`);
      assertMayAccess(config(), user, item, 'write');
      return item;
    };
    const actor = `user:${user.login}`;
    const results: BulkResult[] = [];
    for (const id of body.ids) {
      try {
        await one(body, id);
        results.push({ id, ok: true });
      } catch (error) {
        results.push(refusal(id, error, deps.logger));
      }
    }
    response.json({ results });

    async function one(action: BulkBody, id: number): Promise<void> {
      const ref = { kind, id };
      switch (action.action) {
        case 'move':
          // The role check runs on the item as loaded inside the move's transaction, as for a single move.
          await deps.pipeline.move(
            ref,
            action.stage,
            { actor, mover: { login: request.user!.login, role: request.user!.role }, reason: action.reason, refusedBy: action.refused_by, comment: action.comment },
            undefined,
            (item) => {
              writable(item, id);
            },
          );
          return;
        case 'assign':
          writable(await deps.records.getItem(ref), id);
          // Through inbound, as PATCH does: a new responsible is an event triggers react to.
          await deps.inbound.changeFields(ref, { responsible: action.responsible }, actor);
          return;
        case 'task': {
          writable(await deps.records.getItem(ref), id);
          const task = await deps.records.createTask({ item: ref, assignee: action.assignee ?? user.login, title: action.title, dueAt: action.due_at, runId: null, createdBy: user.login });
          deps.pipeline.runsCommitted([task.dueAt]);
          return;
        }
      }
    }
  });

  return router;
}
