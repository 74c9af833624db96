import { teamMembers, type CompiledConfig } from '../../config/model';

/**
 * How a responsible is picked from a team (Bitrix24's "choose among the team"). Pure: the
 * engine passes in who got the last item, or how many open items each member has.
 */
export function pickRoundRobin(members: string[], lastAssigned: string | null): string | null {
  if (members.length === 0) return null;
  const index = lastAssigned ? members.indexOf(lastAssigned) : -1;
  return members[(index + 1) % members.length];
}

export function pickLeastOpen(members: string[], openCounts: Map<string, number>): string | null {
  if (members.length === 0) return null;
  return members.reduce((best, login) => ((openCounts.get(login) ?? 0) < (openCounts.get(best) ?? 0) ? login : best), members[0]);
}

/** Who takes items in turn: the team's members, its manager only when listed in `members:` explicitly. */
export function rotationMembers(config: CompiledConfig, team: string): string[] {
  const spec = config.teams.get(team);
  return teamMembers(config, team).filter((login) => spec?.members.includes(login) || login !== spec?.manager);
}
