import { Router } from 'express';
import { DateTime } from 'luxon';
import { Between, In, Raw, type EntityManager, type FindOperator } from 'typeorm';
import { z } from 'zod';
import { canAccessItem, canCreate, visibleDealPipelines, visibleLeadOwners, type Viewer } from '../../auth/access';
import { DealEntity, LeadEntity, StageEntryEntity, type EntityKind } from '../../db/entities';
import { updateById } from '../../db/hot-path';
import type { Engine } from '../../engine/engine';
import { ForbiddenError } from '../../core/errors';
import { DealPatch, LeadPatch, MoveInput, NewDealInput, NewItemInput } from '../../core/inputs';
import { asItem, itemView, type Item } from '../../core/items';
import { buildTimeline } from '../../reports/timeline';
import { IdParam, MAX_ROW_ID, NoQuery, queryInteger } from '../ids';
import { parse, RequestValidationError } from '../problem';

const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'a day is YYYY-MM-DD' });

/** A move from the API may carry the mover's words, kept on the stage entry (the history row). */
export const MoveBody = MoveInput.extend({ comment: z.string().trim().max(2000).optional().describe('Kept on the history row; the timeline shows it') });

/** `%`, `_` and `\` typed by a person are letters, not LIKE wildcards. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/**
 * `?q=`: a LIKE over the columns people search by, parameterised. Phones are stored in E.164,
 * so a phone is matched by the digits typed ("916 123" finds +79161234567).
 */
function searchConditions(q: string): Array<Record<string, FindOperator<unknown>>> {
  const pattern = likePattern(q);
  const like = (column: string) => ({ [column]: Raw((alias) => `LOWER(${alias}) LIKE :pattern ESCAPE '\\'`, { pattern }) });
  const conditions = [like('name'), like('title'), like('email'), like('companyName'), like('phone')];
  const digits = q.replace(/\D/g, '');
  if (digits.length >= 3 && digits !== q) conditions.push({ phone: Raw((alias) => `${alias} LIKE :digits`, { digits: `%${digits}%` }) });
  return conditions;
}

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
    if (query.created_from || query.created_to) {
      const zone = engine.config.source.timezone;
      const from = query.created_from ? DateTime.fromISO(query.created_from, { zone }).startOf('day').toMillis() : 0;
      const to = query.created_to ? DateTime.fromISO(query.created_to, { zone }).endOf('day').toMillis() : Number.MAX_SAFE_INTEGER;
      if (Number.isNaN(from) || Number.isNaN(to)) throw new RequestValidationError([{ path: 'created_from', message: 'not a calendar day' }]);
      where.createdAt = Between(from, to);
    }
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
      : await engine.store.manager.findAndCount(entity as typeof LeadEntity, {
          // Search is one OR of the searched columns, each with every other filter (role scope included).
          where: query.q ? searchConditions(query.q).map((condition) => ({ ...where, ...condition })) : where,
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
    parse(NoQuery, request.query);
    const move = parse(MoveBody, request.body);
    const moveIn = (manager?: EntityManager) =>
      engine.move(
        { kind, id },
        move.stage,
        { actor: `user:${request.user!.login}`, reason: move.reason, refusedBy: move.refused_by, fromStage: move.from },
        manager,
        (item) => {
          if (!canAccessItem(engine.config, request.user!, item, 'write')) throw new ForbiddenError(`your role may not change this ${kind}`);
        },
      );
    // A comment is written in the move's own transaction; a move without one stays one transaction
    // of the engine's, which tells the workers as it commits.
    const result = move.comment
      ? await engine.store.transaction(async (manager) => {
          const moved = await moveIn(manager);
          if (moved.entry) {
            await updateById(manager, StageEntryEntity, moved.entry.id, { comment: move.comment });
            moved.entry.comment = move.comment ?? null;
          }
          return moved;
        })
      : await moveIn();
    // Runs the commented move scheduled became visible to other connections only now.
    if (move.comment && result.changed) engine.scheduler.scheduled([engine.now()]);
    response.json({ ...itemView(result.item), moved: result.changed, entry_id: result.entry?.id ?? result.item.row.stageEntryId });
  });

  router.get('/:id/timeline', async (request, response) => {
    const item = await itemFor(request, 'read');
    const { timeline } = await buildTimeline(engine.store.manager, engine.queue, engine.config, item);
    response.json({ item: itemView(item), timeline });
  });

  return router;
}
