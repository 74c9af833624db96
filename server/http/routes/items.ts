import { Router } from 'express';
import { In } from 'typeorm';
import { z } from 'zod';
import { canAccessItem, canCreate, visibleDealPipelines, visibleLeadOwners, type Viewer } from '../../auth/access';
import { DealEntity, LeadEntity, type EntityKind } from '../../db/entities';
import type { Engine } from '../../engine/engine';
import { ForbiddenError } from '../../core/errors';
import { DealPatch, LeadPatch, MoveInput, NewDealInput, NewItemInput } from '../../core/inputs';
import { asItem, itemView, type Item } from '../../core/items';
import { buildTimeline } from '../../reports/timeline';
import { IdParam, MAX_ROW_ID, NoQuery, queryInteger } from '../ids';
import { parse } from '../problem';

export const ItemListQuery = z.strictObject({
  stage: z.string().optional(),
  pipeline: z.string().optional(),
  responsible: z.string().optional(),
  source: z.string().optional(),
  limit: queryInteger(1, 500, 50),
  offset: queryInteger(0, MAX_ROW_ID, 0),
});

/** /api/leads and /api/deals: one router, the kind decides the entity and the access rules. */
export function itemRoutes(engine: Engine, kind: EntityKind): Router {
  const router = Router();
  const entity = kind === 'lead' ? LeadEntity : DealEntity;

  async function itemFor(request: { params: unknown; query: unknown; user?: Viewer }, action: 'read' | 'write'): Promise<Item> {
    const { id } = parse(IdParam, request.params);
    parse(NoQuery, request.query);
    const item = await engine.requireItem({ kind, id });
    if (!canAccessItem(engine.config, request.user!, item, action)) {
      throw new ForbiddenError(`your role may not ${action === 'read' ? 'see' : 'change'} this ${kind}`);
    }
    return item;
  }

  router.post('/', async (request, response) => {
    parse(NoQuery, request.query);
    const input = kind === 'lead' ? parse(NewItemInput, request.body) : parse(NewDealInput, request.body);
    const pipeline = 'pipeline' in input ? String(input.pipeline) : undefined;
    if (!canCreate(engine.config, request.user!, kind, pipeline)) throw new ForbiddenError(`your role may not create ${kind}s${pipeline ? ` in "${pipeline}"` : ''}`);
    // Sales and managers only see leads they are responsible for: what they create is theirs.
    const owned = kind === 'lead' && input.responsible === undefined && (request.user!.role === 'sales' || request.user!.role === 'manager');
    const responsible = owned ? request.user!.login : input.responsible;
    const item = await engine.createItem(kind, { ...input, responsible }, `user:${request.user!.login}`);
    response.status(201).location(`/api/${kind}s/${item.row.id}`).json(itemView(item));
  });

  router.get('/', async (request, response) => {
    const query = parse(ItemListQuery, request.query);
    const where: Record<string, unknown> = {};
    if (query.stage) where.stage = query.stage;
    if (query.source) where.source = query.source;
    if (query.responsible) where.responsible = query.responsible;
    // A filter outside what the role sees matches nothing (no impossible value sent to the database).
    let outOfScope = false;
    if (kind === 'lead') {
      const owners = visibleLeadOwners(engine.config, request.user!);
      if (owners !== 'all' && query.responsible) outOfScope = !owners.includes(query.responsible);
      else if (owners !== 'all') where.responsible = In(owners);
    } else {
      const pipelines = visibleDealPipelines(engine.config, request.user!);
      if (pipelines === 'none') throw new ForbiddenError('first-line staff work with leads only');
      if (query.pipeline) where.pipeline = query.pipeline;
      if (pipelines !== 'all' && query.pipeline) outOfScope = !pipelines.includes(query.pipeline);
      else if (pipelines !== 'all') where.pipeline = In(pipelines.length > 0 ? pipelines : ['']);
    }
    const [rows, total] = outOfScope
      ? [[], 0]
      : await engine.store.manager.findAndCount(entity as typeof LeadEntity, { where, order: { id: 'DESC' }, take: query.limit, skip: query.offset });
    response.json({ items: rows.map((row) => itemView(asItem(kind, row))), total, limit: query.limit, offset: query.offset });
  });

  router.get('/:id', async (request, response) => {
    response.json(itemView(await itemFor(request, 'read')));
  });

  router.patch('/:id', async (request, response) => {
    const item = await itemFor(request, 'write');
    const patch = kind === 'lead' ? parse(LeadPatch, request.body) : parse(DealPatch, request.body);
    const updated = await engine.updateItem({ kind, id: item.row.id }, patch, `user:${request.user!.login}`);
    response.json(itemView(updated));
  });

  router.post('/:id/move', async (request, response) => {
    const { id } = parse(IdParam, request.params);
    parse(NoQuery, request.query);
    const move = parse(MoveInput, request.body);
    const result = await engine.move(
      { kind, id },
      move.stage,
      { actor: `user:${request.user!.login}`, reason: move.reason, refusedBy: move.refused_by, fromStage: move.from },
      undefined,
      (item) => {
        if (!canAccessItem(engine.config, request.user!, item, 'write')) throw new ForbiddenError(`your role may not change this ${kind}`);
      },
    );
    response.json({ ...itemView(result.item), moved: result.changed, entry_id: result.entry?.id ?? result.item.row.stageEntryId });
  });

  router.get('/:id/timeline', async (request, response) => {
    const item = await itemFor(request, 'read');
    const { timeline } = await buildTimeline(engine.store.manager, engine.queue, engine.config, item);
    response.json({ item: itemView(item), timeline });
  });

  return router;
}
