import { canAccessItem, type Viewer } from '../auth/access';
import type { CompiledConfig } from '../core/compiled-config';
import { ForbiddenError, NotFoundError } from '../core/errors';
import type { Item, ItemRef } from '../core/items';
import type { Records } from '../records/records';

/**
 * `?item=lead:5` on a list: the item must be one the caller may see. One they may not see is
 * answered exactly as one that does not exist, so a filter does not tell who has which lead.
 */
export async function requireVisibleItem(records: Pick<Records, 'getItem'>, config: CompiledConfig, user: Viewer, ref: ItemRef): Promise<Item> {
  const item = await records.getItem(ref);
  if (!item || !canAccessItem(config, user, item, 'read')) throw new NotFoundError(`${ref.kind} ${ref.id} not found`);
  return item;
}

/**
 * The item a route acts on. One the caller may not see is answered exactly as one that does not
 * exist (404): an id tried in the address tells nothing of who has which lead. One they may see
 * but not change is a 403.
 */
export async function requireItemFor(records: Pick<Records, 'getItem'>, config: CompiledConfig, user: Viewer, ref: ItemRef, action: 'read' | 'write'): Promise<Item> {
  const item = await records.getItem(ref);
  if (!item) throw new NotFoundError(`${ref.kind} ${ref.id} not found`);
  assertMayAccess(config, user, item, action);
  return item;
}

/** The same rule for an item already loaded (inside a move's transaction): unseen is 404, seen but not changeable 403. */
export function assertMayAccess(config: CompiledConfig, user: Viewer, item: Item, action: 'read' | 'write'): void {
  if (!canAccessItem(config, user, item, 'read')) throw new NotFoundError(`${item.kind} ${item.row.id} not found`);
  if (action === 'write' && !canAccessItem(config, user, item, 'write')) throw new ForbiddenError(`your role may not change this ${item.kind}`, 'forbidden.item_write');
}
