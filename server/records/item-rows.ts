import type { EntityManager } from 'typeorm';
import { asItem, type Item, type ItemRef } from '../core/items';
import type { DealRow, EntityKind, LeadRow } from '../core/rows';
import { DealEntity, LeadEntity } from '../db/entities';
import { selectById, updateById } from '../db/hot-path';

export function entityOf(kind: EntityKind) {
  return kind === 'lead' ? LeadEntity : DealEntity;
}

/** A lead or a deal as it is now, by reference. */
export async function loadItem(manager: EntityManager, ref: ItemRef, options: { forUpdate?: boolean } = {}): Promise<Item | null> {
  const row = await selectById(manager, entityOf(ref.kind) as typeof LeadEntity, ref.id, options);
  return row ? asItem(ref.kind, row) : null;
}

/** Columns a lead and a deal share (stage, fields, score…), written to whichever the reference names. */
export type ItemChanges = Partial<Omit<LeadRow & DealRow, 'id'>>;

export async function updateItemRow(manager: EntityManager, ref: ItemRef, changes: ItemChanges): Promise<void> {
  if (ref.kind === 'lead') await updateById(manager, LeadEntity, ref.id, changes);
  else await updateById(manager, DealEntity, ref.id, changes);
}
