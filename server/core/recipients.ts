import { managerOf, teamMembers, teamOfPipeline, type CompiledConfig } from './compiled-config';
import type { Item } from './items';
import { rotationMembers } from './responsible';

/** The words a config may use instead of a login: resolved against the item when a robot runs. */
export const USER_KEYWORDS: ReadonlySet<string> = new Set(['responsible', 'manager', 'team']);

export interface ResolvedRecipients {
  logins: string[];
  /** The keywords that named nobody, in words for the run's detail. */
  unresolved: string[];
}

/**
 * The one rule for `responsible / manager / team / <login>` (alerts, tasks, callbacks,
 * escalations): the responsible of the item; the responsible's manager, else the team's; the
 * team of the item's pipeline, else the responsible's team. `rotation` leaves a team's manager
 * out unless listed as a member, as when calling agents in turn.
 */
export function resolveRecipients(config: CompiledConfig, item: Item, wanted: readonly string[], options: { rotation?: boolean } = {}): ResolvedRecipients {
  const logins: string[] = [];
  const unresolved: string[] = [];
  for (const recipient of wanted) {
    if (recipient === 'responsible') {
      if (item.row.responsible) logins.push(item.row.responsible);
      else unresolved.push('responsible (none assigned)');
    } else if (recipient === 'manager') {
      const manager = managerOfItem(config, item);
      if (manager) logins.push(manager);
      else unresolved.push('manager (none configured)');
    } else if (recipient === 'team') {
      const team = teamOfItem(config, item);
      const members = team ? (options.rotation ? rotationMembers(config, team) : teamMembers(config, team)) : [];
      if (members.length) logins.push(...members);
      else unresolved.push('team (no team for this pipeline)');
    } else {
      logins.push(recipient);
    }
  }
  return { logins: [...new Set(logins)], unresolved };
}

function teamOfItem(config: CompiledConfig, item: Item): string | undefined {
  return teamOfPipeline(config, item.pipeline) ?? (item.row.responsible ? config.users.get(item.row.responsible)?.team : undefined);
}

function managerOfItem(config: CompiledConfig, item: Item): string | undefined {
  const team = teamOfPipeline(config, item.pipeline);
  return (item.row.responsible && managerOf(config, item.row.responsible)) || (team ? config.teams.get(team)?.manager : undefined);
}
