import type { EntityManager } from 'typeorm';
import { asItem, type Item, type ItemRef } from '../core/items';
import type { DealRow, EntityKind, LeadRow } from '../core/rows';
import { DealEntity, LeadEntity } from '../db/entities';
import { allSql, insertOne, insertRows, runSql, selectById, updateById } from '../db/hot-path';
import { itemSearchText, SEARCHED_COLUMNS } from '../core/search-text';

/**
 * The one place that writes lead and deal rows. Everything else that changes an item (a move, a
 * patch, a score, a repeat-client flag, a conversion, a Telegram link) calls in here through
 * `Records` or the move transaction, so there is one set of statements to reason about.
 */

export function entityOf(kind: EntityKind) {
  return kind === 'lead' ? LeadEntity : DealEntity;
}

/** A lead or a deal as it is now, by reference. */
export async function loadItem(manager: EntityManager, ref: ItemRef, options: { forUpdate?: boolean } = {}): Promise<Item | null> {
  const row = await selectById(manager, entityOf(ref.kind) as typeof LeadEntity, ref.id, options);
  return row ? asItem(ref.kind, row) : null;
}

/** Columns a lead and a deal share (stage, fields, score…), written to whichever the reference names. */
export type ItemColumns = Partial<Omit<LeadRow & DealRow, 'id'>>;

function touchesSearch(changes: ItemColumns): boolean {
  return SEARCHED_COLUMNS.some((column) => column in changes);
}

/**
 * `changes` plus the item's new search text when they change a searched column: the row is read
 * in the writer's transaction (a move or a score change reads nothing more).
 */
async function withSearchText(manager: EntityManager, ref: ItemRef, changes: ItemColumns, locked?: LeadRow | DealRow): Promise<ItemColumns> {
  if (!touchesSearch(changes)) return changes;
  const current = locked ?? (await selectById(manager, entityOf(ref.kind) as typeof LeadEntity, ref.id));
  if (!current) return changes;
  return { ...changes, searchText: itemSearchText({ ...current, ...changes } as LeadRow) };
}

/** `locked`: the row as this transaction already read it under FOR UPDATE, so it is not read again. */
export async function updateItemRow(manager: EntityManager, ref: ItemRef, changes: ItemColumns, locked?: LeadRow | DealRow): Promise<void> {
  const written = await withSearchText(manager, ref, changes, locked);
  if (ref.kind === 'lead') await updateById(manager, LeadEntity, ref.id, written);
  else await updateById(manager, DealEntity, ref.id, written);
}

export async function insertItemRow(manager: EntityManager, kind: EntityKind, row: LeadRow & DealRow): Promise<Item> {
  const saved = await insertOne(manager, entityOf(kind) as typeof LeadEntity, { ...row, searchText: itemSearchText(row) } as LeadRow);
  return asItem(kind, saved);
}

/** Rows a multi-row INSERT carries: well under SQLite's and Postgres' limits on parameters. */
const ROWS_PER_INSERT = 100;

/** Many new items in a few multi-row INSERTs (an import): the same rows, search text and all, as one at a time. */
export async function insertItemRows(manager: EntityManager, kind: EntityKind, rows: Array<LeadRow & DealRow>): Promise<Item[]> {
  const items: Item[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT).map((row) => ({ ...row, searchText: itemSearchText(row) }));
    const ids = await insertRows(manager, entityOf(kind) as typeof LeadEntity, chunk as LeadRow[]);
    chunk.forEach((row, index) => items.push(asItem(kind, { ...row, id: ids[index]! })));
  }
  return items;
}

/** Points new items at the stage entry just written for each (their only one): one statement for the lot. */
export async function linkFirstEntries(manager: EntityManager, kind: EntityKind, ids: number[]): Promise<void> {
  const table = kind === 'lead' ? 'leads' : 'deals';
  for (let start = 0; start < ids.length; start += ROWS_PER_INSERT * 5) {
    const chunk = ids.slice(start, start + ROWS_PER_INSERT * 5);
    await runSql(manager, `UPDATE ${table} SET stage_entry_id = (SELECT MAX(e.id) FROM stage_entries e WHERE e.entity_type = ? AND e.entity_id = ${table}.id) WHERE id IN (${chunk.map(() => '?').join(', ')})`, [
      kind,
      ...chunk,
    ]);
  }
}

/** Decays a score only while it is still the one read (`from` at `scoredAt`): true when this call changed it. */
export async function decayScoreIfUnchanged(manager: EntityManager, ref: ItemRef, read: { score: number; scoredAt: number }, next: { score: number; scoredAt: number }, now: number): Promise<boolean> {
  const table = ref.kind === 'lead' ? 'leads' : 'deals';
  const won = await allSql(manager, `UPDATE ${table} SET score = ?, scored_at = ?, updated_at = ? WHERE id = ? AND score = ? AND scored_at = ? RETURNING id`, [
    next.score,
    next.scoredAt,
    now,
    ref.id,
    read.score,
    read.scoredAt,
  ]);
  return won.length > 0;
}

/** Writes a merge's survivor: the columns it took, and its search text rewritten from the whole row. */
export async function rewriteMergedItem(manager: EntityManager, ref: ItemRef, current: LeadRow | DealRow, changes: ItemColumns): Promise<void> {
  const written = { ...changes, searchText: itemSearchText({ ...current, ...changes } as LeadRow) };
  if (ref.kind === 'lead') await updateById(manager, LeadEntity, ref.id, written);
  else await updateById(manager, DealEntity, ref.id, written);
}

/** Rows merged away. Their history has been pointed at the survivor first; nothing refers to them after. */
export async function deleteItemRows(manager: EntityManager, kind: EntityKind, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await runSql(manager, `DELETE FROM ${kind === 'lead' ? 'leads' : 'deals'} WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
}

/** Links to merged-away rows follow the survivor: deals made from a lead, items of a contact. */
export async function repointItemLinks(manager: EntityManager, link: 'lead' | 'contact', fromIds: number[], toId: number): Promise<void> {
  if (fromIds.length === 0) return;
  const marks = fromIds.map(() => '?').join(', ');
  if (link === 'lead') {
    await runSql(manager, `UPDATE deals SET lead_id = ? WHERE lead_id IN (${marks})`, [toId, ...fromIds]);
    return;
  }
  for (const table of ['leads', 'deals']) await runSql(manager, `UPDATE ${table} SET contact_id = ? WHERE contact_id IN (${marks})`, [toId, ...fromIds]);
}
