import { teamMembers, type CompiledConfig } from './compiled-config';
import { chooseOnDuty, wallClock, whenNobodyOnDuty } from './duty';
import type { WhenNobodyOnDuty } from '../../config/primitives';
import { NotNowError } from './quiet-hours';

/**
 * How a responsible is picked from a team (Bitrix24's "choose among the team"). Pure: the
 * engine passes in who got the last item, or how many open items each member has.
 */
export function pickRoundRobin(members: string[], lastAssigned: string | null, eligible?: ReadonlySet<string>): string | null {
  const index = lastAssigned ? members.indexOf(lastAssigned) : -1;
  // The turn goes on in the team's order from the one after the last, passing over those not eligible (off duty) now.
  const turn = [...members.slice(index + 1), ...members.slice(0, index + 1)];
  return turn.find((candidate) => !eligible || eligible.has(candidate)) ?? null;
}

export function pickLeastOpen(members: string[], openCounts: Map<string, number>): string | null {
  const [head, ...rest] = members;
  if (head === undefined) return null;
  return rest.reduce((best, login) => ((openCounts.get(login) ?? 0) < (openCounts.get(best) ?? 0) ? login : best), head);
}

/** Who takes items in turn: the team's members, its manager only when listed in `members:` explicitly. */
export function rotationMembers(config: CompiledConfig, team: string): string[] {
  const spec = config.teams.get(team);
  return teamMembers(config, team).filter((login) => spec?.members.includes(login) || login !== spec?.manager);
}

/** Whom a pick may take now: the rotation, and those of it on duty. */
export type DutyRotation = { kind: 'empty' } | { kind: 'person'; login: string } | { kind: 'rotation'; members: string[]; eligible: string[] };

/**
 * The team's rotation at `at` with the members off duty passed over. When nobody is on duty,
 * `when_nobody_on_duty` (the robot's, else the team's) says: everyone (`anyone`), the team's
 * manager (`manager`; without one, anyone), or throws the NotNowError that re-runs the robot
 * when the first member comes on duty (`wait`, as `working_hours` waits for the office).
 */
export function rotationOnDuty(config: CompiledConfig, team: string, at: number, robotSetting?: WhenNobodyOnDuty): DutyRotation {
  const members = rotationMembers(config, team);
  if (members.length === 0) return { kind: 'empty' };
  const choice = chooseOnDuty(config, members, at, whenNobodyOnDuty(config, team, robotSetting));
  if (choice.kind === 'wait') {
    throw new NotNowError(`nobody of team ${team} is on duty; waiting until ${wallClock(choice.until, config.source.timezone)}`, choice.until);
  }
  if (choice.kind === 'manager') {
    const manager = config.teams.get(team)?.manager;
    return manager ? { kind: 'person', login: manager } : { kind: 'rotation', members, eligible: members };
  }
  return { kind: 'rotation', members, eligible: choice.logins };
}
