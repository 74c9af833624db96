import { Brackets, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { canAccessItem, seesEverything, type ItemScope, type Viewer } from '../auth/access';
import { DealEntity, LeadEntity } from '../db/entities';
import type { Engine } from '../engine/engine';
import { NotFoundError } from '../core/errors';
import type { Item, ItemRef } from '../core/items';

/**
 * `?item=lead:5` on a list: the item must be one the caller may see. One they may not see is
 * answered exactly as one that does not exist, so a filter does not tell who has which lead.
 */
export async function requireVisibleItem(engine: Engine, user: Viewer, ref: ItemRef): Promise<Item> {
  const item = await engine.getItem(ref);
  if (!item || !canAccessItem(engine.config, user, item, 'read')) throw new NotFoundError(`${ref.kind} ${ref.id} not found`);
  return item;
}

/**
 * Narrows a list of rows that belong to an item (events, messages, runs: `entityType`,
 * `entityId`) to the items `scope` sees: leads by responsible, deals by pipeline, as
 * server/auth/access.ts says. Rows of no item are seen only by those who see everything,
 * except the rows `also` names (a manager's own alerts).
 */
export function whereInScope<Row extends ObjectLiteral>(
  query: SelectQueryBuilder<Row>,
  alias: string,
  scope: ItemScope,
  also?: { property: string; value: string },
): SelectQueryBuilder<Row> {
  if (seesEverything(scope)) return query;
  return query.andWhere(
    new Brackets((where) => {
      const conditions: Array<[string, Record<string, unknown>]> = [];
      if (scope.leadOwners === 'all') {
        conditions.push([`${alias}.entityType = :scopeLead`, { scopeLead: 'lead' }]);
      } else if (scope.leadOwners.length > 0) {
        const leads = query.subQuery().select('scope_lead.id').from(LeadEntity, 'scope_lead').where('scope_lead.responsible IN (:...scopeOwners)').getQuery();
        conditions.push([`(${alias}.entityType = :scopeLead AND ${alias}.entityId IN ${leads})`, { scopeLead: 'lead', scopeOwners: scope.leadOwners }]);
      }
      if (scope.dealPipelines === 'all') {
        conditions.push([`${alias}.entityType = :scopeDeal`, { scopeDeal: 'deal' }]);
      } else if (scope.dealPipelines !== 'none' && scope.dealPipelines.length > 0) {
        const deals = query.subQuery().select('scope_deal.id').from(DealEntity, 'scope_deal').where('scope_deal.pipeline IN (:...scopePipelines)').getQuery();
        conditions.push([`(${alias}.entityType = :scopeDeal AND ${alias}.entityId IN ${deals})`, { scopeDeal: 'deal', scopePipelines: scope.dealPipelines }]);
      }
      if (also) conditions.push([`${alias}.${also.property} = :scopeAlso`, { scopeAlso: also.value }]);
      if (conditions.length === 0) conditions.push(['1 = 0', {}]);
      conditions.forEach(([condition, parameters], index) => (index === 0 ? where.where(condition, parameters) : where.orWhere(condition, parameters)));
    }),
  );
}
