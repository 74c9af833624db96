import { In, type SelectQueryBuilder } from 'typeorm';
import { asItem, type Item, type ItemRef } from '../core/items';
import type { DealRow, EntityKind, LeadRow } from '../core/rows';
import { searchTerms } from '../core/search-text';
import type { ItemScope } from '../auth/access';
import { DealEntity, LeadEntity } from '../db/entities';
import { whereItemInScope } from './scope';
import type { ReadSource } from './source';

/** Orders of a list view; `-` is descending. Every order ends with the id, so pages never overlap. */
export const ITEM_SORTS = ['-created_at', 'created_at', 'name', '-amount', 'amount', '-stage_entered_at', 'stage_entered_at', '-score'] as const;
export type ItemSort = (typeof ITEM_SORTS)[number];

/** The trigram index answers terms of three characters or more; shorter ones are compared row by row. */
const TRIGRAM = 3;

export interface ItemFilter {
  stage?: string;
  source?: string;
  responsible?: string;
  /** Deals only: a lead's pipeline is always `leads`. */
  pipeline?: string;
  /** Created within these times, both ends included. */
  createdBetween?: { from: number; to: number };
  /** Words of the name, title, email, company or custom text, or a phone's digits (server/core/search-text.ts). */
  q?: string;
  /** What the viewer sees (server/auth/access.ts), applied by the same rule that opens one item. */
  scope: ItemScope;
}

export interface ItemPage {
  /** Default `-created_at`: newest first (ids are given in creation order, so this is id order). */
  sort?: ItemSort;
  limit: number;
  offset: number;
  /** Keyset paging, newest first only: items with an id below this one. */
  before?: number;
}

export type ItemListFilter = ItemFilter & ItemPage;

type ItemQuery = SelectQueryBuilder<LeadRow | DealRow>;

/** `%`, `_` and `\` typed by a person are letters, not LIKE wildcards. */
function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/**
 * Every term must be part of the item's `search_text`. On SQLite the terms of three letters or
 * more go to the FTS5 trigram table as one MATCH (phrases, all required), on Postgres each is a
 * LIKE the pg_trgm index answers; shorter terms are a LIKE on both.
 */
function whereSearched(query: ItemQuery, kind: EntityKind, q: string): void {
  const terms = searchTerms(q);
  const sqlite = query.connection.options.type === 'sqlite';
  const indexed = sqlite ? terms.filter((term) => [...term].length >= TRIGRAM) : [];
  if (indexed.length > 0) {
    const match = indexed.map((term) => `"${term.replace(/"/g, '""')}"`).join(' ');
    query.andWhere(`item.id IN (SELECT rowid FROM ${kind}s_search WHERE ${kind}s_search MATCH :searchMatch)`, { searchMatch: match });
  }
  terms.filter((term) => !indexed.includes(term)).forEach((term, index) => query.andWhere(`item.searchText LIKE :searchTerm${index} ESCAPE '\\'`, { [`searchTerm${index}`]: likePattern(term) }));
}

/** The items a filter and the viewer's scope select, as a query to page, count or group. */
function filteredItems(source: ReadSource, kind: EntityKind, filter: ItemFilter): ItemQuery {
  const query = source.manager.createQueryBuilder((kind === 'lead' ? LeadEntity : DealEntity) as typeof LeadEntity, 'item') as ItemQuery;
  if (filter.stage) query.andWhere('item.stage = :stage', { stage: filter.stage });
  if (filter.source) query.andWhere('item.source = :source', { source: filter.source });
  if (filter.createdBetween) query.andWhere('item.createdAt BETWEEN :createdFrom AND :createdTo', { createdFrom: filter.createdBetween.from, createdTo: filter.createdBetween.to });
  if (filter.responsible) query.andWhere('item.responsible = :responsible', { responsible: filter.responsible });
  if (kind === 'deal' && filter.pipeline) query.andWhere('item.pipeline = :pipeline', { pipeline: filter.pipeline });
  whereItemInScope(query, 'item', kind, filter.scope);
  if (filter.q) whereSearched(query, kind, filter.q);
  return query;
}

function ordered(query: ItemQuery, kind: EntityKind, sort: ItemSort): ItemQuery {
  const descending = sort.startsWith('-');
  const key = descending ? sort.slice(1) : sort;
  const direction = descending ? 'DESC' : 'ASC';
  if (key === 'created_at') return query.orderBy('item.id', direction);
  const column = { name: kind === 'lead' ? 'item.name' : 'item.title', amount: 'item.amount', stage_entered_at: 'item.enteredStageAt', score: 'item.score' }[key];
  if (!column) throw new Error(`no order ${sort}`);
  // NULLS LAST on both databases (SQLite puts NULLs first, Postgres last, when left to themselves).
  return query.orderBy(column, direction, 'NULLS LAST').addOrderBy('item.id', 'DESC');
}

/**
 * A search's total is counted up to this many: past it a person refines the words rather than
 * reads on, and counting 10,000 matches of a common surname in a million leads cost most of a
 * search's time (each match is looked up in the item table for the scope and filters).
 */
export const SEARCH_TOTAL_CAP = 1000;

/** How many rows a query selects, counting no further than `cap` + 1. */
async function cappedCount(source: ReadSource, query: ItemQuery, cap: number): Promise<number> {
  const limited = query.select('item.id').limit(cap + 1);
  const [sql, parameters] = limited.getQueryAndParameters();
  const rows: Array<{ count: string | number }> = await source.manager.query(`SELECT COUNT(*) AS count FROM (${sql}) capped`, parameters);
  return Number(rows[0]?.count ?? 0);
}

/**
 * A page of the board's list of leads or deals, the total under the same filter, and, newest
 * first, `nextBefore`: the id to pass as `before` for the next page (absent on the last one).
 */
export async function listItems(source: ReadSource, kind: EntityKind, filter: ItemListFilter, options: { total?: boolean } = {}): Promise<{ items: Item[]; total: number; totalCapped: boolean; nextBefore?: number }> {
  const query = filteredItems(source, kind, filter);
  const sort = filter.sort ?? '-created_at';
  const total = options.total === false ? Promise.resolve(-1) : filter.q ? cappedCount(source, query.clone(), SEARCH_TOTAL_CAP) : query.clone().getCount();
  const page = ordered(query.clone(), kind, sort);
  if (filter.before !== undefined) page.andWhere('item.id < :before', { before: filter.before });
  // Both awaited together: a failing database rejects both, and neither may go unheard.
  const [counted, rows] = await Promise.all([
    total,
    page
      .limit(filter.limit + 1)
      .offset(filter.offset)
      .getMany(),
  ]);
  const more = rows.length > filter.limit;
  const items = rows.slice(0, filter.limit).map((row) => asItem(kind, row));
  const last = items[items.length - 1];
  const nextBefore = sort === '-created_at' && more && last ? last.row.id : undefined;
  return { items, total: Math.min(counted, filter.q ? SEARCH_TOTAL_CAP : counted), totalCapped: filter.q !== undefined && counted > SEARCH_TOTAL_CAP, ...(nextBefore === undefined ? {} : { nextBefore }) };
}

export interface BoardColumnCount {
  stage: string;
  count: number;
  /** Sum of the deals' amounts; null for leads and for a column with no amount. */
  sum: number | null;
}

/**
 * How many items each stage holds under a filter, and their amounts' sum: one GROUP BY. Stages
 * that hold nothing are absent; the caller lays the config's stages over it.
 */
export async function countByStage(source: ReadSource, kind: EntityKind, filter: Omit<ItemFilter, 'stage'>): Promise<BoardColumnCount[]> {
  const query = filteredItems(source, kind, filter);
  const grouped = query.select('item.stage', 'stage').addSelect('COUNT(*)', 'count').groupBy('item.stage');
  if (kind === 'deal') grouped.addSelect('SUM(item.amount)', 'sum');
  const rows: Array<{ stage: string; count: string | number; sum?: string | number | null }> = await grouped.getRawMany();
  return rows.map((row) => ({ stage: row.stage, count: Number(row.count), sum: row.sum === null || row.sum === undefined ? null : Number(row.sum) }));
}

/** Items by reference, keyed `kind:id`: one query per kind, whatever the number. Those gone are absent. */
export async function itemsByRef(source: ReadSource, refs: ItemRef[]): Promise<Map<string, Item>> {
  const items = new Map<string, Item>();
  const idsOf = (kind: EntityKind) => [...new Set(refs.filter((ref) => ref.kind === kind).map((ref) => ref.id))];
  const [leads, deals] = await Promise.all([
    idsOf('lead').length ? source.manager.find(LeadEntity, { where: { id: In(idsOf('lead')) } }) : [],
    idsOf('deal').length ? source.manager.find(DealEntity, { where: { id: In(idsOf('deal')) } }) : [],
  ]);
  for (const row of leads) items.set(`lead:${row.id}`, asItem('lead', row));
  for (const row of deals) items.set(`deal:${row.id}`, asItem('deal', row));
  return items;
}
