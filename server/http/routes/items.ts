import { Router } from 'express';
import { In } from 'typeorm';
import { z } from 'zod';
import { canAccessItem, canCreate, visibleDealPipelines, visibleLeadOwners } from '../../auth/access';
import { DealEntity, LeadEntity, type EntityKind } from '../../db/entities';
import type { Engine } from '../../engine/engine';
import { ForbiddenError } from '../../engine/errors';
import { DealPatch, LeadPatch, MoveInput, NewDealInput, NewItemInput } from '../../engine/inputs';
import { asItem, itemView, type Item } from '../../engine/items';
import { buildTimeline } from '../../engine/timeline';
import { parse } from '../problem';

export const ItemListQuery = z.object({
  stage: z.string().optional(),
  pipeline: z.string().optional(),
  responsible: z.string().optional(),
  source: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const IdParam = z.object({ id: z.coerce.number().int().positive() });

/** /api/leads and /api/deals: one router, the kind decides the entity and the access rules. */
export function itemRoutes(engine: Engine, kind: EntityKind): Router {
  const router = Router();
  const entity = kind === 'lead' ? LeadEntity : DealEntity;

  async function itemFor(request: { params: unknown; user?: unknown }, action: 'read' | 'write'): Promise<Item> {
    const { id } = parse(IdParam, request.params);
    const item = await engine.requireItem({ kind, id });
    if (!canAccessItem(engine.config, request.user as never, item, action)) {
      throw new ForbiddenError(`your role may not ${action === 'read' ? 'see' : 'change'} this ${kind}`);
    }
    return item;
  }

  router.post('/', async (request, response) => {
    const input = kind === 'lead' ? parse(NewItemInput, request.body) : parse(NewDealInput, request.body);
    const pipeline = 'pipeline' in input ? String(input.pipeline) : undefined;
    if (!canCreate(engine.config, request.user!, kind, pipeline)) throw new ForbiddenError(`your role may not create ${kind}s${pipeline ? ` in "${pipeline}"` : ''}`);
    // Sales and managers only see leads they are responsible for: what they create is theirs.
    const owned = kind === 'lead' && input.responsible === undefined && (request.user!.role === 'sales' || request.user!.role === 'manager');
    const item = await engine.createItem(kind, owned ? { ...input, responsible: request.user!.login } : input, `user:${request.user!.login}`);
    response.status(201).location(`/api/${kind}s/${item.row.id}`).json(itemView(item));
  });

  router.get('/', async (request, response) => {
    const query = parse(ItemListQuery, request.query);
    const where: Record<string, unknown> = {};
    if (query.stage) where.stage = query.stage;
    if (query.source) where.source = query.source;
    if (query.responsible) where.responsible = query.responsible;
    if (kind === 'lead') {
      const owners = visibleLeadOwners(engine.config, request.user!);
      if (owners !== 'all') where.responsible = query.responsible ? (owners.includes(query.responsible) ? query.responsible : '\u0000') : In(owners);
    } else {
      const pipelines = visibleDealPipelines(engine.config, request.user!);
      if (pipelines === 'none') throw new ForbiddenError('first-line staff work with leads only');
      if (pipelines !== 'all') where.pipeline = query.pipeline ? (pipelines.includes(query.pipeline) ? query.pipeline : '\u0000') : In(pipelines);
      else if (query.pipeline) where.pipeline = query.pipeline;
    }
    const [rows, total] = await engine.store.manager.findAndCount(entity as typeof LeadEntity, {
      where,
      order: { id: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
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
    const move = parse(MoveInput, request.body);
    const result = await engine.move(
      { kind, id },
      move.stage,
      { actor: `user:${request.user!.login}`, reason: move.reason, refusedBy: move.refused_by },
      undefined,
      (item) => {
        if (!canAccessItem(engine.config, request.user!, item, 'write')) throw new ForbiddenError(`your role may not change this ${kind}`);
      },
    );
    response.json({ ...itemView(result.item), moved: result.changed, entry_id: result.entry?.id ?? result.item.row.stageEntryId });
  });

  router.get('/:id/timeline', async (request, response) => {
    const item = await itemFor(request, 'read');
    const { timeline } = await buildTimeline(engine.store.manager, engine.config, item);
    response.json({ item: itemView(item), timeline });
  });

  return router;
}
