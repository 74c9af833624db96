import type { EntityManager } from 'typeorm';
import type { ItemRef } from '../core/items';
import { ItemVariantEntity } from '../db/entities';

/**
 * The variant an item got in a split, kept so it never switches: the first choice is stored, and
 * a later run (a re-entry, a retry, a changed weight) finds it. A concurrent second insert of
 * the same item and split meets the unique index and reads the first one's.
 */
export async function keepVariant(manager: EntityManager, ref: ItemRef, split: string, chosen: string, now: number): Promise<string> {
  const existing = await manager.findOne(ItemVariantEntity, { where: { entityType: ref.kind, entityId: ref.id, split } });
  if (existing) return existing.variant;
  await manager.createQueryBuilder().insert().into(ItemVariantEntity).values({ entityType: ref.kind, entityId: ref.id, split, variant: chosen, createdAt: now }).orIgnore().execute();
  const kept = await manager.findOne(ItemVariantEntity, { where: { entityType: ref.kind, entityId: ref.id, split } });
  return kept?.variant ?? chosen;
}
