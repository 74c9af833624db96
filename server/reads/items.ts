import { Between, In, Raw, type FindOperator } from 'typeorm';
import { asItem, type Item, type ItemRef } from '../core/items';
import type { EntityKind } from '../core/rows';
import { DealEntity, LeadEntity } from '../db/entities';
import type { ReadSource } from './source';

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

export interface ItemListFilter {
  stage?: string;
  source?: string;
  responsible?: string;
  /** Deals only: a lead's pipeline is always `leads`. */
  pipeline?: string;
  /** Created within these times, both ends included. */
  createdBetween?: { from: number; to: number };
  /** Part of the name, title, phone, email or company. */
  q?: string;
  /**
   * What the viewer sees (server/auth/access.ts): of leads, those whose responsible is one of
   * these; of deals, those of these pipelines.
   */
  visible: string[] | 'all';
  limit: number;
  offset: number;
}

/**
 * The board's list of leads or deals: newest first, a page and the total. A filter outside what
 * the viewer sees matches nothing (no impossible value sent to the database).
 */
export async function listItems(source: ReadSource, kind: EntityKind, filter: ItemListFilter): Promise<{ items: Item[]; total: number }> {
  const where: Record<string, unknown> = {};
  if (filter.stage) where.stage = filter.stage;
  if (filter.source) where.source = filter.source;
  if (filter.responsible) where.responsible = filter.responsible;
  if (filter.createdBetween) where.createdAt = Between(filter.createdBetween.from, filter.createdBetween.to);
  const visible = filter.visible;
  let outOfScope = false;
  if (kind === 'lead') {
    if (visible !== 'all' && filter.responsible) outOfScope = !visible.includes(filter.responsible);
    else if (visible !== 'all') where.responsible = In(visible);
  } else {
    if (filter.pipeline) where.pipeline = filter.pipeline;
    if (visible !== 'all' && filter.pipeline) outOfScope = !visible.includes(filter.pipeline);
    else if (visible !== 'all') where.pipeline = In(visible.length > 0 ? visible : ['']);
  }
  if (outOfScope) return { items: [], total: 0 };
  const [rows, total] = await source.manager.findAndCount((kind === 'lead' ? LeadEntity : DealEntity) as typeof LeadEntity, {
    // Search is one OR of the searched columns, each with every other filter (role scope included).
    where: filter.q ? searchConditions(filter.q).map((condition) => ({ ...where, ...condition })) : where,
    order: { id: 'DESC' },
    take: filter.limit,
    skip: filter.offset,
  });
  return { items: rows.map((row) => asItem(kind, row)), total };
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
