import { pipelineOf, teamMembers, type CompiledConfig } from '../core/compiled-config';
import type { UserRow } from '../db/entities';
import type { Item } from '../core/items';

/**
 * Who sees what (the Bitrix24 lead-funnel lesson): first line sees and moves leads only; sales see their own leads
 * and their team's pipeline deals; managers see their team's everything; ops run the
 * machinery; admin sees all. Pure functions of (config, user, item).
 */
export type Action = 'read' | 'write';

/**
 * A user as the rules see them. Users added by the CLI or the API (`origin: cli`) are real
 * users: a manager's team counts the added users who name the team, which robots.yaml cannot
 * list, so the caller loads them (`addedTeamMembers` in server/auth/users.ts).
 */
export type Viewer = UserRow & { addedTeamMembers?: readonly string[] };

export function teamPipelines(config: CompiledConfig, team: string | null): string[] {
  if (!team) return [];
  return [...config.deals.values()].filter((pipeline) => pipeline.team === team).map((pipeline) => pipeline.key);
}

export function visibleLeadOwners(config: CompiledConfig, user: Viewer): string[] | 'all' {
  if (user.role === 'admin' || user.role === 'ops' || user.role === 'first_line') return 'all';
  if (user.role === 'manager') return [...new Set([user.login, ...(user.team ? teamMembers(config, user.team) : []), ...(user.addedTeamMembers ?? [])])];
  return [user.login];
}

export function visibleDealPipelines(config: CompiledConfig, user: Viewer): string[] | 'all' | 'none' {
  if (user.role === 'admin' || user.role === 'ops') return 'all';
  if (user.role === 'first_line') return 'none';
  return teamPipelines(config, user.team);
}

/** What a user may see of items, as data a list query can apply (events, messages, runs). */
export interface ItemScope {
  /** Leads whose responsible is one of these (a lead without one is seen by `all` only). */
  leadOwners: string[] | 'all';
  dealPipelines: string[] | 'all' | 'none';
}

export function itemScope(config: CompiledConfig, user: Viewer): ItemScope {
  return { leadOwners: visibleLeadOwners(config, user), dealPipelines: visibleDealPipelines(config, user) };
}

export function seesEverything(scope: ItemScope): boolean {
  return scope.leadOwners === 'all' && scope.dealPipelines === 'all';
}

export function canAccessItem(config: CompiledConfig, user: Viewer, item: Item, action: Action): boolean {
  if (user.role === 'admin') return true;
  if (user.role === 'ops') return action === 'read';
  if (item.kind === 'lead') {
    const owners = visibleLeadOwners(config, user);
    return owners === 'all' || (item.row.responsible !== null && owners.includes(item.row.responsible));
  }
  const pipelines = visibleDealPipelines(config, user);
  return pipelines === 'all' || (pipelines !== 'none' && pipelines.includes(item.pipeline));
}

export function canCreate(config: CompiledConfig, user: Viewer, kind: 'lead' | 'deal', pipeline?: string): boolean {
  if (user.role === 'admin') return true;
  if (user.role === 'ops') return false;
  if (kind === 'lead') return true;
  if (user.role === 'first_line') return false;
  // An unknown pipeline is let through so the engine can answer 400 naming the known ones.
  if (!pipeline || !pipelineOf(config, pipeline)) return true;
  return teamPipelines(config, user.team).includes(pipeline);
}

/**
 * The funnel of a deal pipeline shows its deals, responsibles and amounts: for ops, admins
 * and the managers of the team that works it. The lead funnel is for every manager.
 */
export function canReadFunnel(config: CompiledConfig, user: Viewer, pipeline: string): boolean {
  if (!canOperate(user, 'analytics.read')) return false;
  if (user.role !== 'manager' || pipelineOf(config, pipeline)?.kind !== 'deal') return true;
  return teamPipelines(config, user.team).includes(pipeline);
}

const OPERATIONS: ReadonlyMap<string, ReadonlyArray<UserRow['role']>> = new Map([
  ['runs.read', ['admin', 'ops', 'manager']],
  ['runs.retry', ['admin', 'ops']],
  ['messages.read', ['admin', 'ops', 'manager']],
  ['config.reload', ['admin', 'ops']],
  ['contacts.read', ['admin', 'ops', 'manager', 'sales', 'first_line']],
  ['analytics.read', ['admin', 'ops', 'manager']],
  ['users.manage', ['admin']],
]);

export function canOperate(user: UserRow, operation: string): boolean {
  return OPERATIONS.get(operation)?.includes(user.role) ?? false;
}
