import { api, ApiError, type Query } from '../../api/client';
import type { BoardColumn, BoardResponse, ItemListResponse, ItemView, Kind, PipelineView } from '../../api/types';

/** What narrows the board and the list: the same query keys the list API reads (ItemListQuery). */
export interface Filters {
  q?: string;
  responsible?: string;
  source?: string;
  created_from?: string;
  created_to?: string;
}

export const FILTER_KEYS = ['q', 'responsible', 'source', 'created_from', 'created_to'] as const;

export function filtersFrom(query: Record<string, string | undefined>): Filters {
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = query[key]?.trim();
    if (value) filters[key] = value;
  }
  return filters;
}

export function collection(kind: Kind): string {
  return kind === 'lead' ? '/api/leads' : '/api/deals';
}

function scope(pipeline: PipelineView): Query {
  return pipeline.kind === 'deal' ? { pipeline: pipeline.key } : {};
}

/** The columns' counts and sums, and the server's time when it counted (ages on cards count from it). */
export interface ColumnTotals {
  totals: Map<string, BoardColumn & { sumKnown: boolean }>;
  serverNow: number | null;
}

/**
 * The true count and sum of every column under the filters: `GET /api/{kind}s/board`. A server
 * without that endpoint answers 400/404; then each column's count is its list's `total` and
 * the sum is unknown.
 */
export async function loadColumnTotals(pipeline: PipelineView, filters: Filters, signal?: AbortSignal): Promise<ColumnTotals> {
  try {
    const answer = await api<BoardResponse>(`${collection(pipeline.kind)}/board`, { query: { ...scope(pipeline), ...filters }, signal });
    return { totals: new Map(answer.columns.map((column) => [column.stage, { ...column, sumKnown: true }])), serverNow: answer.now ?? null };
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 404)) throw error;
  }
  const totals = await Promise.all(
    pipeline.stages.map(async (stage) => {
      const answer = await api<ItemListResponse>(collection(pipeline.kind), { query: { ...scope(pipeline), ...filters, stage: stage.id, limit: 1 }, signal });
      return [stage.id, { stage: stage.id, count: answer.total, sum: 0, sumKnown: false }] as const;
    }),
  );
  return { totals: new Map(totals), serverNow: null };
}

/** The first page of a column fills a screen quickly; each further page doubles, up to the API's 500, so the end of 10,000 cards is ~25 requests away. */
export const FIRST_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

export function nextPageSize(loaded: number): number {
  return Math.min(MAX_PAGE_SIZE, Math.max(FIRST_PAGE_SIZE, loaded));
}

/** Where the next page of a column starts: the keyset cursor when the server gives one, else an offset. */
export type Cursor = { before: number } | { offset: number } | null;

export async function loadColumnPage(pipeline: PipelineView, stage: string, filters: Filters, cursor: Cursor, limit: number, signal?: AbortSignal): Promise<{ items: ItemView[]; next: Cursor; total: number }> {
  const query: Query = { ...scope(pipeline), ...filters, stage, limit };
  if (cursor && 'before' in cursor) query.before = cursor.before;
  if (cursor && 'offset' in cursor) query.offset = cursor.offset;
  const answer = await api<ItemListResponse>(collection(pipeline.kind), { query, signal });
  const loaded = (cursor && 'offset' in cursor ? cursor.offset : 0) + answer.items.length;
  let next: Cursor = null;
  if (answer.items.length === limit) {
    if (typeof answer.next_before === 'number') next = { before: answer.next_before };
    else if (!('next_before' in answer)) next = { offset: loaded };
  }
  return { items: answer.items, next, total: answer.total };
}

export interface BulkResult {
  id: number;
  ok: boolean;
  code?: string;
  message?: string;
  /** A move refused for required fields: which (field ids). */
  missing_fields?: string[];
}

export type BulkAction = { action: 'move'; stage: string } | { action: 'assign'; responsible: string } | { action: 'task'; title: string; due_at: string; assignee?: string };

export async function runBulk(kind: Kind, ids: number[], action: BulkAction): Promise<BulkResult[]> {
  const answer = await api<{ results: BulkResult[] }>(`${collection(kind)}/bulk`, { method: 'POST', body: { ids, ...action } });
  return answer.results;
}
