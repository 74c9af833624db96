import { Brackets, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { seesEverything, type ItemScope } from '../auth/access';
import { DealEntity, LeadEntity } from '../db/entities';

/**
 * Narrows a list of rows that belong to an item (events, messages, runs, tasks: `entityType`,
 * `entityId`) to the items `scope` sees: leads by responsible, deals by pipeline, as
 * server/auth/access.ts says. Rows of no item are seen only by those who see everything,
 * except the rows `also` names (a manager's own alerts, a task assigned to you).
 */
export function whereInScope<Row extends ObjectLiteral>(query: SelectQueryBuilder<Row>, alias: string, scope: ItemScope, also?: { property: string; value: string }): SelectQueryBuilder<Row> {
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

/** The rows of one item, or of every item the viewer's scope sees (plus the rows `also` names). */
export type RowsOf = { item: { kind: 'lead' | 'deal'; id: number } } | { scope: ItemScope; also?: { property: string; value: string } };

export function whereRowsOf<Row extends ObjectLiteral>(query: SelectQueryBuilder<Row>, alias: string, rowsOf: RowsOf): SelectQueryBuilder<Row> {
  if ('item' in rowsOf) return query.andWhere(`${alias}.entityType = :kind AND ${alias}.entityId = :id`, { kind: rowsOf.item.kind, id: rowsOf.item.id });
  return whereInScope(query, alias, rowsOf.scope, rowsOf.also);
}
