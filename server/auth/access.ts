import { pipelineOf, teamMembers, type CompiledConfig } from '../../config/model';
import type { UserRow } from '../db/entities';
import type { Item } from '../engine/items';

/**
 * Who sees what (seed 002): first line sees and moves leads only; sales see their own leads
 * and their team's pipeline deals; managers see their team's everything; ops run the
 * machinery; admin sees all. Pure functions of (config, user, item).
 */
export type Action = 'read' | 'write';

export function teamPipelines(config: CompiledConfig, team: string | null): string[] {
  if (!team) return [];
  return [...config.deals.values()].filter((pipeline) => pipeline.team === team).map((pipeline) => pipeline.key);
}

export function visibleLeadOwners(config: CompiledConfig, user: UserRow): string[] | 'all' {
  if (user.role === 'admin' || user.role === 'ops' || user.role === 'first_line') return 'all';
  if (user.role === 'manager') return [...new Set([user.login, ...(user.team ? teamMembers(config, user.team) : [])])];
  return [user.login];
}

export function visibleDealPipelines(config: CompiledConfig, user: UserRow): string[] | 'all' | 'none' {
  if (user.role === 'admin' || user.role === 'ops') return 'all';
  if (user.role === 'first_line') return 'none';
  return teamPipelines(config, user.team);
}

export function canAccessItem(config: CompiledConfig, user: UserRow, item: Item, action: Action): boolean {
  if (user.role === 'admin') return true;
  if (user.role === 'ops') return action === 'read';
  if (item.kind === 'lead') {
    const owners = visibleLeadOwners(config, user);
    return owners === 'all' || (item.row.responsible !== null && owners.includes(item.row.responsible));
  }
  const pipelines = visibleDealPipelines(config, user);
  return pipelines === 'all' || (pipelines !== 'none' && pipelines.includes(item.pipeline));
}

export function canCreate(config: CompiledConfig, user: UserRow, kind: 'lead' | 'deal', pipeline?: string): boolean {
  if (user.role === 'admin') return true;
  if (user.role === 'ops') return false;
  if (kind === 'lead') return true;
  if (user.role === 'first_line') return false;
  // An unknown pipeline is let through so the engine can answer 400 naming the known ones.
  if (!pipeline || !pipelineOf(config, pipeline)) return true;
  return teamPipelines(config, user.team).includes(pipeline);
}

const OPERATIONS: Record<string, Array<UserRow['role']>> = {
  'runs.read': ['admin', 'ops', 'manager'],
  'runs.retry': ['admin', 'ops'],
  'messages.read': ['admin', 'ops', 'manager'],
  'config.reload': ['admin', 'ops'],
  'contacts.read': ['admin', 'ops', 'manager', 'sales', 'first_line'],
  'analytics.read': ['admin', 'ops', 'manager'],
  'users.manage': ['admin'],
};

export function canOperate(user: UserRow, operation: keyof typeof OPERATIONS | string): boolean {
  return OPERATIONS[operation]?.includes(user.role) ?? false;
}
