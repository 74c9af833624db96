import { Brackets, type ObjectLiteral, type SelectQueryBuilder, type WhereExpressionBuilder } from 'typeorm';
import { seesEverything, type ItemScope } from '../auth/access';
import { DealEntity, LeadEntity } from '../db/entities';

type Condition = [string, Record<string, unknown>];

/** ORs the conditions into one bracket; none at all matches nothing. */
function anyOf(conditions: Condition[]): Brackets {
  if (conditions.length === 0) conditions.push(['1 = 0', {}]);
  return new Brackets((where: WhereExpressionBuilder) => conditions.forEach(([condition, parameters], index) => (index === 0 ? where.where(condition, parameters) : where.orWhere(condition, parameters))));
}

/** `(pipeline = :p0 AND stage = :s0) OR …` for stage grants, with parameter names of their own. */
function stageGrants(alias: string, prefix: string, grants: Array<{ pipeline?: string; stage: string }>): Condition[] {
  return grants.map((grant, index) => {
    const stage = `${prefix}Stage${index}`;
    const pipeline = `${prefix}Pipeline${index}`;
    return grant.pipeline === undefined
      ? [`${alias}.stage = :${stage}`, { [stage]: grant.stage }]
      : [`(${alias}.pipeline = :${pipeline} AND ${alias}.stage = :${stage})`, { [pipeline]: grant.pipeline, [stage]: grant.stage }];
  });
}

/** Which rows of the lead table the scope sees: server/auth/access.ts `scopeIncludes` in SQL. */
function leadConditions(alias: string, scope: ItemScope): Condition[] {
  if (scope.leadOwners === 'all') return [['1 = 1', {}]];
  const conditions: Condition[] = scope.leadOwners.length > 0 ? [[`${alias}.responsible IN (:...scopeLeadOwners)`, { scopeLeadOwners: scope.leadOwners }]] : [];
  return [
    ...conditions,
    ...stageGrants(
      alias,
      'scopeLead',
      scope.leadStages.map((stage) => ({ stage })),
    ),
  ];
}

/** Which rows of the deal table the scope sees. */
function dealConditions(alias: string, scope: ItemScope): Condition[] {
  if (scope.dealPipelines === 'all') return [['1 = 1', {}]];
  if (scope.dealPipelines === 'none') return [];
  const conditions: Condition[] = [];
  if (scope.dealPipelines.length > 0) conditions.push([`${alias}.pipeline IN (:...scopeDealPipelines)`, { scopeDealPipelines: scope.dealPipelines }]);
  if (scope.dealOwners.length > 0) conditions.push([`${alias}.responsible IN (:...scopeDealOwners)`, { scopeDealOwners: scope.dealOwners }]);
  return [...conditions, ...stageGrants(alias, 'scopeDeal', scope.dealStages)];
}

/**
 * Narrows a query over the lead or deal table itself to the items `scope` sees. The board's
 * list (server/reads/items.ts) applies the same rule through this, so what a list shows and
 * what GET /api/leads/:id opens never differ.
 */
export function whereItemInScope<Row extends ObjectLiteral>(query: SelectQueryBuilder<Row>, alias: string, kind: 'lead' | 'deal', scope: ItemScope): SelectQueryBuilder<Row> {
  if (seesEverything(scope)) return query;
  return query.andWhere(anyOf(kind === 'lead' ? leadConditions(alias, scope) : dealConditions(alias, scope)));
}

/**
 * Narrows a list of rows that belong to an item (events, messages, runs, tasks: `entityType`,
 * `entityId`) to the items `scope` sees, as server/auth/access.ts says. Rows of no item are seen
 * only by those who see everything, except the rows `also` names (a manager's own alerts, a task
 * assigned to you).
 */
export function whereInScope<Row extends ObjectLiteral>(query: SelectQueryBuilder<Row>, alias: string, scope: ItemScope, also?: { property: string; value: string }): SelectQueryBuilder<Row> {
  if (seesEverything(scope)) return query;
  const conditions: Condition[] = [];
  const leads = leadConditions('scope_lead', scope);
  if (scope.leadOwners === 'all') conditions.push([`${alias}.entityType = :scopeLead`, { scopeLead: 'lead' }]);
  else if (leads.length > 0) {
    const subQuery = query.subQuery().select('scope_lead.id').from(LeadEntity, 'scope_lead').where(anyOf(leads));
    conditions.push([`(${alias}.entityType = :scopeLead AND ${alias}.entityId IN ${subQuery.getQuery()})`, { scopeLead: 'lead', ...subQuery.getParameters() }]);
  }
  const deals = dealConditions('scope_deal', scope);
  if (scope.dealPipelines === 'all') conditions.push([`${alias}.entityType = :scopeDeal`, { scopeDeal: 'deal' }]);
  else if (deals.length > 0) {
    const subQuery = query.subQuery().select('scope_deal.id').from(DealEntity, 'scope_deal').where(anyOf(deals));
    conditions.push([`(${alias}.entityType = :scopeDeal AND ${alias}.entityId IN ${subQuery.getQuery()})`, { scopeDeal: 'deal', ...subQuery.getParameters() }]);
  }
  if (also) conditions.push([`${alias}.${also.property} = :scopeAlso`, { scopeAlso: also.value }]);
  return query.andWhere(anyOf(conditions));
}

/** The rows of one item, or of every item the viewer's scope sees (plus the rows `also` names). */
export type RowsOf = { item: { kind: 'lead' | 'deal'; id: number } } | { scope: ItemScope; also?: { property: string; value: string } };

export function whereRowsOf<Row extends ObjectLiteral>(query: SelectQueryBuilder<Row>, alias: string, rowsOf: RowsOf): SelectQueryBuilder<Row> {
  if ('item' in rowsOf) return query.andWhere(`${alias}.entityType = :kind AND ${alias}.entityId = :id`, { kind: rowsOf.item.kind, id: rowsOf.item.id });
  return whereInScope(query, alias, rowsOf.scope, rowsOf.also);
}
