import { Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { canAccessItem, canCreate, visibleDealPipelines, visibleLeadOwners, type Viewer } from '../../auth/access';
import type { LiveConfig } from '../../core/live-config';
import type { EntityKind } from '../../core/rows';
import { ForbiddenError } from '../../core/errors';
import { DealPatch, LeadPatch, MoveInput, NewDealInput, NewLeadInput } from '../../core/inputs';
import { itemView, type Item } from '../../core/items';
import type { Inbound } from '../../inbound/inbound';
import type { Pipeline } from '../../pipeline/pipeline';
import type { RunQueue } from '../../pipeline/queue';
import type { Records } from '../../records/records';
import { listItems } from '../../reads/items';
import type { ReadSource } from '../../reads/source';
import { timelineOf } from '../../reports/timeline';
import { IdParam, MAX_ROW_ID, NoQuery, queryInteger } from '../ids';
import { parse, RequestValidationError } from '../problem';

const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'a day is YYYY-MM-DD' });

/** A move from the API may carry the mover's words, kept on the stage entry (the history row). */
export const MoveBody = MoveInput.extend({ comment: z.string().trim().max(2000).optional().describe('Kept on the history row; the timeline shows it') });

export const ItemListQuery = z.strictObject({
  stage: z.string().optional(),
  pipeline: z.string().optional(),
  responsible: z.string().optional(),
  source: z.string().optional(),
  q: z.string().trim().min(1).max(200).optional().describe('Part of the name, title, phone, email or company (case-insensitive; phone by its digits)'),
  created_from: IsoDay.optional().describe('Created on or after this day (YYYY-MM-DD, the config time zone)'),
  created_to: IsoDay.optional().describe('Created on or before this day (YYYY-MM-DD, the config time zone)'),
  limit: queryInteger(1, 500, 50),
  offset: queryInteger(0, MAX_ROW_ID, 0),
});

export interface ItemRouteDeps {
  config: LiveConfig;
  records: Pick<Records, 'requireItem'>;
  pipeline: Pick<Pipeline, 'createItem' | 'move'>;
  /** Field changes go through inbound: each is an event triggers can react to. */
  inbound: Pick<Inbound, 'changeFields'>;
  /** The runs of an item's timeline. */
  queue: Pick<RunQueue, 'ofItem'>;
  reads: ReadSource;
}

/** /api/leads and /api/deals: one router, the kind decides the entity and the access rules. */
export function itemRoutes(deps: ItemRouteDeps, kind: EntityKind): Router {
  const { records, pipeline: pipelines, inbound } = deps;
  const router = Router();

  async function itemFor(request: { params: unknown; query: unknown; user?: Viewer }, action: 'read' | 'write'): Promise<Item> {
    const { id } = parse(IdParam, request.params);
    parse(NoQuery, request.query);
    const item = await records.requireItem({ kind, id });
    if (!canAccessItem(deps.config.current, request.user!, item, action)) {
      throw new ForbiddenError(`your role may not ${action === 'read' ? 'see' : 'change'} this ${kind}`, action === 'read' ? 'forbidden.item_read' : 'forbidden.item_write');
    }
    return item;
  }

  router.post('/', async (request, response) => {
    parse(NoQuery, request.query);
    const input = kind === 'lead' ? parse(NewLeadInput, request.body) : parse(NewDealInput, request.body);
    const pipeline = 'pipeline' in input ? String(input.pipeline) : undefined;
    if (!canCreate(deps.config.current, request.user!, kind, pipeline)) throw new ForbiddenError(`your role may not create ${kind}s${pipeline ? ` in "${pipeline}"` : ''}`, 'forbidden.item_create');
    // Sales and managers only see leads they are responsible for: what they create is theirs.
    const owned = kind === 'lead' && input.responsible === undefined && (request.user!.role === 'sales' || request.user!.role === 'manager');
    const responsible = owned ? request.user!.login : input.responsible;
    const item = await pipelines.createItem(kind, { ...input, responsible }, `user:${request.user!.login}`);
    response.status(201).location(`/api/${kind}s/${item.row.id}`).json(itemView(item));
  });

  router.get('/', async (request, response) => {
    const query = parse(ItemListQuery, request.query);
    const config = deps.config.current;
    let createdBetween: { from: number; to: number } | undefined;
    if (query.created_from || query.created_to) {
      const zone = config.source.timezone;
      const from = query.created_from ? DateTime.fromISO(query.created_from, { zone }).startOf('day').toMillis() : 0;
      const to = query.created_to ? DateTime.fromISO(query.created_to, { zone }).endOf('day').toMillis() : Number.MAX_SAFE_INTEGER;
      if (Number.isNaN(from) || Number.isNaN(to)) throw new RequestValidationError([{ path: 'created_from', message: 'not a calendar day' }]);
      createdBetween = { from, to };
    }
    let visible: string[] | 'all';
    if (kind === 'lead') {
      visible = visibleLeadOwners(config, request.user!);
    } else {
      const pipelines = visibleDealPipelines(config, request.user!);
      if (pipelines === 'none') throw new ForbiddenError('first-line staff work with leads only', 'forbidden.deals_first_line');
      visible = pipelines;
    }
    const { items, total } = await listItems(deps.reads, kind, {
      stage: query.stage,
      source: query.source,
      responsible: query.responsible,
      pipeline: query.pipeline,
      createdBetween,
      q: query.q,
      visible,
      limit: query.limit,
      offset: query.offset,
    });
    response.json({ items: items.map(itemView), total, limit: query.limit, offset: query.offset });
  });

  router.get('/:id', async (request, response) => {
    response.json(itemView(await itemFor(request, 'read')));
  });

  router.patch('/:id', async (request, response) => {
    const item = await itemFor(request, 'write');
    const patch = kind === 'lead' ? parse(LeadPatch, request.body) : parse(DealPatch, request.body);
    const updated = await inbound.changeFields({ kind, id: item.row.id }, patch, `user:${request.user!.login}`);
    response.json(itemView(updated));
  });

  router.post('/:id/move', async (request, response) => {
    const { id } = parse(IdParam, request.params);
    parse(NoQuery, request.query);
    const move = parse(MoveBody, request.body);
    // The comment is written on the stage entry in the move's own transaction.
    const result = await pipelines.move(
      { kind, id },
      move.stage,
      {
        actor: `user:${request.user!.login}`,
        mover: { login: request.user!.login, role: request.user!.role },
        reason: move.reason,
        refusedBy: move.refused_by,
        fromStage: move.from,
        comment: move.comment,
      },
      undefined,
      (item) => {
        if (!canAccessItem(deps.config.current, request.user!, item, 'write')) throw new ForbiddenError(`your role may not change this ${kind}`, 'forbidden.item_write');
      },
    );
    response.json({ ...itemView(result.item), moved: result.changed, entry_id: result.entry?.id ?? result.item.row.stageEntryId });
  });

  router.get('/:id/timeline', async (request, response) => {
    const item = await itemFor(request, 'read');
    const { timeline } = await timelineOf(deps.reads, deps.queue, deps.config.current, item);
    response.json({ item: itemView(item), timeline });
  });

  return router;
}
