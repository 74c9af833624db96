import { Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { canCreate, itemScope, mayAssign, visibleDealPipelines, type Viewer } from '../../auth/access';
import type { Clock } from '../../core/clock';
import type { LiveConfig } from '../../core/live-config';
import type { EntityKind } from '../../core/rows';
import { ForbiddenError } from '../../core/errors';
import { DealPatch, LeadPatch, MoveInput, NewDealInput, NewLeadInput } from '../../core/inputs';
import { itemView, type Item } from '../../core/items';
import type { Inbound } from '../../inbound/inbound';
import type { Pipeline } from '../../pipeline/pipeline';
import type { RunQueue } from '../../pipeline/queue';
import type { Records } from '../../records/records';
import { countByStage, ITEM_SORTS, listItems, type ItemFilter } from '../../reads/items';
import { csvLine, CSV_BOM } from '../../core/csv';
import { pipelineOf, LEAD_PIPELINE } from '../../core/compiled-config';
import type { ReadSource } from '../../reads/source';
import { timelineOf } from '../../reports/timeline';
import { assertMayAccess, requireItemFor } from '../item-scope';
import { IdParam, MAX_ROW_ID, NoQuery, queryInteger } from '../ids';
import { parse, RequestValidationError } from '../problem';

const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'a day is YYYY-MM-DD' });

/** A move from the API may carry the mover's words, kept on the stage entry (the history row). */
export const MoveBody = MoveInput.extend({ comment: z.string().trim().max(2000).optional().describe('Kept on the history row; the timeline shows it') });

/** The filters a list, a board and an export share. */
const ItemFilterQuery = z.strictObject({
  pipeline: z.string().optional().describe('Deals: the pipeline (required by the board)'),
  responsible: z.string().optional(),
  source: z.string().optional(),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('Words of the name, title, email, company or custom text fields, in any case and any order (ё = е), or a phone typed any way (8 916 123-45-67, +7…, the last 4 digits)'),
  created_from: IsoDay.optional().describe('Created on or after this day (YYYY-MM-DD, the config time zone)'),
  created_to: IsoDay.optional().describe('Created on or before this day (YYYY-MM-DD, the config time zone)'),
});

const SortQuery = z.enum(ITEM_SORTS).default('-created_at').describe('Order of a list view; `-` is descending, ties newest first. `-created_at` is id order. `amount`: deals only');

export const ItemListQuery = ItemFilterQuery.extend({
  stage: z.string().optional(),
  sort: SortQuery,
  limit: queryInteger(1, 500, 50),
  offset: queryInteger(0, MAX_ROW_ID, 0),
  before: z
    .string()
    .regex(/^[0-9]{1,10}$/, { error: `an id from 1 to ${MAX_ROW_ID}` })
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_ROW_ID))
    .optional()
    .describe('Keyset paging for deep scrolls (sort -created_at only): items with an id below this, newest first; pass the previous page’s `next_before`'),
});
export type ItemListQuery = z.output<typeof ItemListQuery>;

/** GET /api/leads/board, /api/deals/board?pipeline=: the list's filters without stage and paging. */
export const BoardQuery = ItemFilterQuery;
export type BoardQuery = z.output<typeof BoardQuery>;

/** GET /api/leads/export.csv: what the list shows, every page of it (up to EXPORT_MAX_ROWS), in the list's order. */
export const ExportQuery = ItemFilterQuery.extend({ stage: z.string().optional(), sort: SortQuery });
export type ExportQuery = z.output<typeof ExportQuery>;

/** The server's clock (the engine's, which tests fake): a page counts "3 h in stage" from it, not from the browser's. */
const ServerNow = z.number().int().describe('The server’s time (ms since 1970) when it answered: ages such as “in stage for 3 h” count from it');

export const ItemListResponse = z.object({
  items: z.array(z.record(z.string(), z.unknown())).describe('Items as GET /api/leads/{id} answers them'),
  total: z.number().int().describe('All items under the filter (not only those after `before`); a search counts up to 1,000'),
  total_capped: z.boolean().optional().describe('True when a search found more than `total` (1,000): refine the words'),
  limit: z.number().int(),
  offset: z.number().int(),
  next_before: z.number().int().optional().describe('Newest-first lists only: pass as `before` for the next page; absent on the last page'),
  now: ServerNow,
});
export type ItemListResponse = z.infer<typeof ItemListResponse>;

export const BoardColumn = z.object({
  stage: z.string().describe('Stage id, in the config’s order; stages that hold nothing have count 0'),
  count: z.number().int().describe('Items in the stage under the filters and your scope: the `total` of GET …?stage='),
  sum: z.number().nullable().describe('Sum of the deals’ amounts; null for leads and for a column with no amount'),
});
export const BoardResponse = z.object({ pipeline: z.string(), columns: z.array(BoardColumn), now: ServerNow });
export type BoardResponse = z.infer<typeof BoardResponse>;

/** The columns of an export, in this order. */
export const EXPORT_COLUMNS = ['id', 'title', 'name', 'stage', 'phone', 'email', 'company', 'source', 'responsible', 'amount', 'created_at'] as const;
export const EXPORT_MAX_ROWS = 100_000;
const EXPORT_BATCH = 1000;

export interface ItemRouteDeps {
  config: LiveConfig;
  clock: Clock;
  records: Pick<Records, 'getItem'>;
  pipeline: Pick<Pipeline, 'createItem' | 'move'>;
  /** Field changes go through inbound: each is an event triggers can react to. */
  inbound: Pick<Inbound, 'changeFields'>;
  /** The runs of an item's timeline. */
  queue: Pick<RunQueue, 'ofItem'>;
  reads: ReadSource;
}

/** /api/leads and /api/deals: one router, the kind decides the entity and the access rules. */
export function itemRoutes(deps: ItemRouteDeps, kind: EntityKind): Router {
  const { pipeline: pipelines, inbound } = deps;
  const router = Router();

  function refuseAssignment(user: Viewer, responsible: string | null | undefined): void {
    const login = responsible === undefined || responsible === '' ? null : responsible;
    if (!mayAssign(deps.config.current, user, login)) throw new ForbiddenError(`your role may not make ${login} responsible: sales assign themselves, managers the people of their teams`, 'forbidden.assign');
  }

  async function itemFor(request: { params: unknown; query: unknown; user?: Viewer }, action: 'read' | 'write'): Promise<Item> {
    const { id } = parse(IdParam, request.params);
    parse(NoQuery, request.query);
    return requireItemFor(deps.records, deps.config.current, request.user!, { kind, id }, action);
  }

  router.post('/', async (request, response) => {
    parse(NoQuery, request.query);
    const input = kind === 'lead' ? parse(NewLeadInput, request.body) : parse(NewDealInput, request.body);
    const pipeline = 'pipeline' in input ? String(input.pipeline) : undefined;
    if (!canCreate(deps.config.current, request.user!, kind, pipeline)) throw new ForbiddenError(`your role may not create ${kind}s${pipeline ? ` in "${pipeline}"` : ''}`, 'forbidden.item_create');
    // Sales and managers only see leads they are responsible for: what they create is theirs.
    const owned = kind === 'lead' && input.responsible === undefined && (request.user!.role === 'sales' || request.user!.role === 'manager');
    const responsible = owned ? request.user!.login : input.responsible;
    refuseAssignment(request.user!, responsible);
    const item = await pipelines.createItem(kind, { ...input, responsible }, `user:${request.user!.login}`);
    response.status(201).location(`/api/${kind}s/${item.row.id}`).json(itemView(item));
  });

  /** The filters of a query as the reads take them, with the viewer's scope. */
  function itemFilter(query: BoardQuery, viewer: Viewer): ItemFilter {
    const config = deps.config.current;
    let createdBetween: { from: number; to: number } | undefined;
    if (query.created_from || query.created_to) {
      const zone = config.source.timezone;
      const from = query.created_from ? DateTime.fromISO(query.created_from, { zone }).startOf('day').toMillis() : 0;
      const to = query.created_to ? DateTime.fromISO(query.created_to, { zone }).endOf('day').toMillis() : Number.MAX_SAFE_INTEGER;
      if (Number.isNaN(from) || Number.isNaN(to)) throw new RequestValidationError([{ path: 'created_from', message: 'not a calendar day' }]);
      createdBetween = { from, to };
    }
    if (kind === 'deal' && visibleDealPipelines(config, viewer) === 'none') throw new ForbiddenError('first-line staff work with leads only', 'forbidden.deals_first_line');
    const scope = itemScope(config, viewer);
    return { source: query.source, responsible: query.responsible, pipeline: query.pipeline, createdBetween, q: query.q, scope };
  }

  function checkSort(sort: ItemListQuery['sort']): void {
    if (kind === 'lead' && (sort === 'amount' || sort === '-amount')) throw new RequestValidationError([{ path: 'sort', message: 'leads have no amount' }]);
  }

  router.get('/', async (request, response) => {
    const query = parse(ItemListQuery, request.query);
    checkSort(query.sort);
    if (query.before !== undefined && query.sort !== '-created_at') throw new RequestValidationError([{ path: 'before', message: 'keyset paging (before) goes newest first only: use offset with another sort' }]);
    const filter = { ...itemFilter(query, request.user!), stage: query.stage };
    const { items, total, totalCapped, nextBefore } = await listItems(deps.reads, kind, { ...filter, sort: query.sort, limit: query.limit, offset: query.offset, before: query.before });
    const answer: ItemListResponse = {
      items: items.map(itemView),
      total,
      ...(totalCapped ? { total_capped: true } : {}),
      limit: query.limit,
      offset: query.offset,
      ...(nextBefore === undefined ? {} : { next_before: nextBefore }),
      now: deps.clock.now(),
    };
    response.json(answer);
  });

  router.get('/board', async (request, response) => {
    const query = parse(BoardQuery, request.query);
    const config = deps.config.current;
    const pipelineKey = kind === 'lead' ? LEAD_PIPELINE : query.pipeline;
    if (kind === 'lead' && query.pipeline !== undefined && query.pipeline !== LEAD_PIPELINE) throw new RequestValidationError([{ path: 'pipeline', message: `leads live in the "${LEAD_PIPELINE}" pipeline` }]);
    if (pipelineKey === undefined) throw new RequestValidationError([{ path: 'pipeline', message: 'the board of deals is one pipeline: say which (?pipeline=)' }]);
    const pipeline = pipelineOf(config, pipelineKey);
    if (!pipeline) throw new RequestValidationError([{ path: 'pipeline', message: `unknown pipeline "${pipelineKey}"` }]);
    const counted = await countByStage(deps.reads, kind, { ...itemFilter(query, request.user!), pipeline: kind === 'deal' ? pipelineKey : undefined });
    const byStage = new Map(counted.map((column) => [column.stage, column]));
    // The config's stages in order, empty ones too; items left in a stage since removed from the config come last.
    const stages = [...pipeline.stages.map((stage) => stage.id), ...counted.map((column) => column.stage).filter((stage) => !pipeline.stages.some((known) => known.id === stage))];
    const answer: BoardResponse = { pipeline: pipelineKey, columns: stages.map((stage) => byStage.get(stage) ?? { stage, count: 0, sum: null }), now: deps.clock.now() };
    response.json(answer);
  });

  router.get('/export.csv', async (request, response) => {
    const query = parse(ExportQuery, request.query);
    checkSort(query.sort);
    const filter = { ...itemFilter(query, request.user!), stage: query.stage };
    const zone = deps.config.current.source.timezone;
    response.status(200).type('text/csv; charset=utf-8').attachment(`${kind}s.csv`);
    const write = (text: string) => (response.write(text) ? Promise.resolve() : new Promise<void>((resolve) => response.once('drain', () => resolve())));
    await write(CSV_BOM + csvLine([...EXPORT_COLUMNS]));
    // Newest first walks by id (no page is read twice however deep); other orders page by offset.
    const keyset = query.sort === '-created_at';
    let before: number | undefined;
    for (let written = 0; written < EXPORT_MAX_ROWS && !response.destroyed;) {
      const limit = Math.min(EXPORT_BATCH, EXPORT_MAX_ROWS - written);
      const page = await listItems(deps.reads, kind, { ...filter, sort: query.sort, limit, offset: keyset ? 0 : written, before }, { total: false });
      for (const item of page.items) {
        const row = item.row;
        const amount = item.kind === 'deal' ? item.row.amount : null;
        const createdAt = DateTime.fromMillis(row.createdAt, { zone }).toISO();
        await write(csvLine([row.id, row.title, row.name, row.stage, row.phone, row.email, row.companyName, row.source, row.responsible, amount, createdAt]));
      }
      written += page.items.length;
      if (page.items.length < limit) break;
      before = page.items[page.items.length - 1]!.row.id;
    }
    response.end();
  });

  router.get('/:id', async (request, response) => {
    response.json(itemView(await itemFor(request, 'read')));
  });

  router.patch('/:id', async (request, response) => {
    const item = await itemFor(request, 'write');
    const patch = kind === 'lead' ? parse(LeadPatch, request.body) : parse(DealPatch, request.body);
    if (patch.responsible !== undefined && patch.responsible !== item.row.responsible) refuseAssignment(request.user!, patch.responsible);
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
        assertMayAccess(deps.config.current, request.user!, item, 'write');
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
