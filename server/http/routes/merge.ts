import { Router } from 'express';
import { z } from 'zod';
import { InvalidRequestError } from '../../core/errors';
import type { Merges } from '../../pipeline/merge';
import type { MergeKind } from '../../records/merge';
import { requireOperation } from '../auth';
import { IdParam, MAX_ROW_ID, NoQuery } from '../ids';
import { parse } from '../problem';

const ID_MESSAGE = `an id is a whole number from 1 to ${MAX_ROW_ID}`;

/** One duplicate: its id, or `lead:12` / `deal:5` / `contact:3` when the caller names the kind too. */
const MergeRef = z.union([
  z.number().int({ error: ID_MESSAGE }).min(1, { error: ID_MESSAGE }).max(MAX_ROW_ID, { error: ID_MESSAGE }),
  z
    .string()
    .regex(/^(lead|deal|contact):[1-9][0-9]{0,9}$/, { error: `a duplicate is an id, or lead:<id>, deal:<id>, contact:<id>` })
    .transform((text) => {
      const [kind, id] = text.split(':');
      return { kind: kind as 'lead' | 'deal' | 'contact', id: Number(id) };
    })
    .refine((ref) => ref.id <= MAX_ROW_ID, { error: ID_MESSAGE }),
]);

/** POST /api/leads/:id/merge and /api/contacts/:id/merge. */
export const MergeBody = z.strictObject({
  from: z.array(MergeRef).min(1).max(50).describe('The duplicates merged into this one (deleted after the merge: there is no undo)'),
});

/** Duplicates into one survivor: ops and admins only, and final (see docs/roles-and-api.md#merging-duplicates). */
export function mergeRoutes(deps: { merges: Pick<Merges, 'merge'> }, kind: MergeKind): Router {
  const router = Router();
  router.post('/:id/merge', requireOperation('items.merge'), async (request, response) => {
    const { id } = parse(IdParam, request.params);
    parse(NoQuery, request.query);
    const body = parse(MergeBody, request.body);
    const fromIds = body.from.map((ref) => {
      if (typeof ref === 'number') return ref;
      if (ref.kind !== kind) throw new InvalidRequestError(`from: a ${kind} merges only ${kind}s (got ${ref.kind}:${ref.id})`);
      return ref.id;
    });
    const merged = await deps.merges.merge(kind, id, fromIds, `user:${request.user!.login}`);
    response.json({ kind, id, merged: merged.mergedIds, filled: merged.filled, cancelled_runs: merged.cancelledRuns, event_id: merged.event.id });
  });
  return router;
}
