import { managerOf, teamMembers, teamOfStage, type CompiledConfig } from './compiled-config';
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
 * escalations): the responsible of the item; the responsible's manager, else the manager of the
 * team that works the item's stage (the stage's `team:`, else the pipeline's); that team, else the
 * responsible's team. `rotation` leaves a team's manager
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
  return teamOfStage(config, item.pipeline, item.row.stage) ?? (item.row.responsible ? config.users.get(item.row.responsible)?.team : undefined);
}

/** The manager of the team that works the item's stage: who answers for it while nobody is responsible. */
export function stageManager(config: CompiledConfig, item: Item): string | undefined {
  const team = teamOfStage(config, item.pipeline, item.row.stage);
  return team ? config.teams.get(team)?.manager : undefined;
}

function managerOfItem(config: CompiledConfig, item: Item): string | undefined {
  return (item.row.responsible && managerOf(config, item.row.responsible)) || stageManager(config, item);
}

/**
 * Who does a task a robot makes: the first of those its config named, else (nobody responsible
 * yet, say) the manager of the team that works the stage, so no task is left for nobody.
 */
export function taskAssignee(config: CompiledConfig, item: Item, named: readonly string[]): string | null {
  return named[0] ?? stageManager(config, item) ?? null;
}
