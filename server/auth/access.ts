import { pipelineOf, teamMembers, type CompiledConfig } from '../core/compiled-config';
import type { UserRow } from '../db/entities';
import type { Item } from '../core/items';

/**
 * Who sees what (the Bitrix24 lead-funnel lesson, and the rule that whoever a robot alerts can
 * open what the alert is about):
 *   - admin and ops see everything (ops read only); first line sees every lead and no deal;
 *   - everyone sees the items they are responsible for;
 *   - the manager and members of a team see every item of the pipelines and stages the team works
 *     (a pipeline's `team:`, a stage's own `team:`), assigned or not — unassigned leads included;
 *   - a manager also sees the leads whose responsible is in a team he manages;
 *   - a user a robot of a stage names by login (`to: [olga]`, `assignee: gleb`) sees its items.
 * Pure functions of (config, user, item).
 */
export type Action = 'read' | 'write';

/**
 * A user as the rules see them. Users added by the CLI or the API (`origin: cli`) are real
 * users: a manager's team counts the added users who name the team, which robots.yaml cannot
 * list, so the caller loads them (`addedTeamMembers` in server/auth/users.ts).
 */
export type Viewer = UserRow & { addedTeamMembers?: readonly string[] };

/** The teams a user works in: the one they name, those that list them, those they manage. */
export function teamsOf(config: CompiledConfig, user: Pick<UserRow, 'login' | 'team'>): Set<string> {
  const teams = new Set<string>(user.team ? [user.team] : []);
  for (const [key, team] of config.teams) if (team.manager === user.login || team.members.includes(user.login)) teams.add(key);
  return teams;
}

/** The teams a user manages (`manager:` of the team, or a manager naming it as their team). */
function managedTeams(config: CompiledConfig, user: Pick<UserRow, 'login' | 'team' | 'role'>): string[] {
  const managed = [...config.teams].filter(([, team]) => team.manager === user.login).map(([key]) => key);
  if (user.role === 'manager' && user.team && !managed.includes(user.team)) managed.push(user.team);
  return managed;
}

export function teamPipelines(config: CompiledConfig, team: string | null): string[] {
  if (!team) return [];
  return [...config.deals.values()].filter((pipeline) => pipeline.team === team).map((pipeline) => pipeline.key);
}

/** The deal pipelines worked by any of the user's teams. */
function pipelinesOfTeams(config: CompiledConfig, teams: ReadonlySet<string>): string[] {
  return [...config.deals.values()].filter((pipeline) => pipeline.team !== undefined && teams.has(pipeline.team)).map((pipeline) => pipeline.key);
}

/**
 * The stages of a pipeline whose items the user sees whoever is responsible: those a team of
 * theirs works by the stage's own `team:`, and those whose robots name them by login.
 */
function grantedStages(config: CompiledConfig, pipeline: string, user: Pick<UserRow, 'login' | 'team'>, teams: ReadonlySet<string>): string[] {
  const model = pipelineOf(config, pipeline);
  if (!model) return [];
  const named = new Set([...config.robots.values()].filter((placement) => placement.pipeline === pipeline && placement.recipients.includes(user.login)).map((placement) => placement.stage));
  return model.stages.filter((stage) => (stage.team !== undefined && teams.has(stage.team)) || named.has(stage.id)).map((stage) => stage.id);
}

function seesAllLeads(config: CompiledConfig, user: Viewer, teams: ReadonlySet<string>): boolean {
  if (user.role === 'admin' || user.role === 'ops' || user.role === 'first_line') return true;
  return config.leads.team !== undefined && teams.has(config.leads.team);
}

export function visibleLeadOwners(config: CompiledConfig, user: Viewer): string[] | 'all' {
  const teams = teamsOf(config, user);
  if (seesAllLeads(config, user, teams)) return 'all';
  if (user.role !== 'manager') return [user.login];
  const members = managedTeams(config, user).flatMap((team) => teamMembers(config, team));
  return [...new Set([user.login, ...members, ...(user.addedTeamMembers ?? [])])];
}

export function visibleDealPipelines(config: CompiledConfig, user: Viewer): string[] | 'all' | 'none' {
  if (user.role === 'admin' || user.role === 'ops') return 'all';
  if (user.role === 'first_line') return 'none';
  return pipelinesOfTeams(config, teamsOf(config, user));
}

/**
 * What a user may see of items, as data a list query can apply (server/reads/scope.ts): an item
 * is seen when any of the parts says so.
 */
export interface ItemScope {
  /** Leads whose responsible is one of these (a lead without one is seen by `all` or by `leadStages`). */
  leadOwners: string[] | 'all';
  dealPipelines: string[] | 'all' | 'none';
  /** Leads in these stages, assigned or not (a stage a team of the viewer works, or whose robots name them). */
  leadStages: string[];
  /** Deals in these stages of these pipelines, assigned or not. */
  dealStages: Array<{ pipeline: string; stage: string }>;
  /** Deals whose responsible is one of these (their own, whatever the pipeline). */
  dealOwners: string[];
}

export function itemScope(config: CompiledConfig, user: Viewer): ItemScope {
  const leadOwners = visibleLeadOwners(config, user);
  const dealPipelines = visibleDealPipelines(config, user);
  if (dealPipelines === 'none' || dealPipelines === 'all') {
    return { leadOwners, dealPipelines, leadStages: leadOwners === 'all' ? [] : grantedStages(config, 'leads', user, teamsOf(config, user)), dealStages: [], dealOwners: [] };
  }
  const teams = teamsOf(config, user);
  const dealStages = [...config.deals.keys()].filter((pipeline) => !dealPipelines.includes(pipeline)).flatMap((pipeline) => grantedStages(config, pipeline, user, teams).map((stage) => ({ pipeline, stage })));
  return { leadOwners, dealPipelines, leadStages: leadOwners === 'all' ? [] : grantedStages(config, 'leads', user, teams), dealStages, dealOwners: [user.login] };
}

export function seesEverything(scope: ItemScope): boolean {
  return scope.leadOwners === 'all' && scope.dealPipelines === 'all';
}

/** Whether the scope takes in this item: the one rule the list queries of server/reads/scope.ts apply in SQL. */
export function scopeIncludes(scope: ItemScope, item: Item): boolean {
  const responsible = item.row.responsible;
  if (item.kind === 'lead') {
    return scope.leadOwners === 'all' || (responsible !== null && scope.leadOwners.includes(responsible)) || scope.leadStages.includes(item.row.stage);
  }
  if (scope.dealPipelines === 'all') return true;
  if (scope.dealPipelines === 'none') return false;
  return (
    scope.dealPipelines.includes(item.pipeline) ||
    (responsible !== null && scope.dealOwners.includes(responsible)) ||
    scope.dealStages.some((granted) => granted.pipeline === item.pipeline && granted.stage === item.row.stage)
  );
}

export function canAccessItem(config: CompiledConfig, user: Viewer, item: Item, action: Action): boolean {
  if (user.role === 'admin') return true;
  if (user.role === 'ops') return action === 'read';
  return scopeIncludes(itemScope(config, user), item);
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

/** Each operation: the roles that may do it, and what it is in words (the 403 says "role sales may not read the analytics"). */
const OPERATIONS: ReadonlyMap<string, { roles: ReadonlyArray<UserRow['role']>; words: string }> = new Map([
  ['runs.read', { roles: ['admin', 'ops', 'manager'], words: 'see robot runs' }],
  ['runs.retry', { roles: ['admin', 'ops'], words: 'retry robot runs' }],
  ['messages.read', { roles: ['admin', 'ops', 'manager'], words: 'see messages' }],
  ['config.reload', { roles: ['admin', 'ops'], words: 'reload the config' }],
  ['contacts.read', { roles: ['admin', 'ops', 'manager', 'sales', 'first_line'], words: 'see contacts' }],
  ['analytics.read', { roles: ['admin', 'ops', 'manager'], words: 'see the analytics' }],
  ['users.manage', { roles: ['admin'], words: 'manage users' }],
  ['items.import', { roles: ['admin', 'ops'], words: 'import leads' }],
  // A merge deletes cards and cannot be undone: the people who clean the base, not those who work it.
  ['items.merge', { roles: ['admin', 'ops'], words: 'merge duplicates' }],
  // Whoever speaks with a client may write down "no more SMS": the register must hear it at once.
  ['consent.write', { roles: ['admin', 'ops', 'manager', 'sales', 'first_line'], words: 'record a client’s consent' }],
  ['studio.map', { roles: ['admin', 'ops', 'manager'], words: 'see the automation map' }],
  ['config.edit', { roles: ['admin', 'ops'], words: 'edit the config' }],
]);

export function canOperate(user: UserRow, operation: string): boolean {
  return OPERATIONS.get(operation)?.roles.includes(user.role) ?? false;
}

/** An operation in words, for a refusal people read. */
export function operationWords(operation: string): string {
  return OPERATIONS.get(operation)?.words ?? operation;
}

/**
 * Whom a person may make responsible for an item by hand. Sales: themselves only (a rep giving
 * leads to a colleague of another team is how leads got lost); managers: themselves and the
 * people of the teams they manage; first line, ops by their role (first line distributes the
 * leads it qualifies) and admins: anyone. Clearing (null) is allowed to whoever may change it.
 */
export function mayAssign(config: CompiledConfig, user: Viewer, login: string | null): boolean {
  if (login === null || login === user.login) return true;
  if (user.role === 'admin' || user.role === 'first_line' || user.role === 'ops') return true;
  if (user.role !== 'manager') return false;
  return managedTeams(config, user).some((team) => teamMembers(config, team).includes(login)) || (user.addedTeamMembers ?? []).includes(login);
}
