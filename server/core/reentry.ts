import { parseDuration } from '../../config/duration';
import type { Reenter } from '../../config/primitives';

/**
 * Whether an item entering a stage again gets a robot again, pure. Without a word in the config
 * every entry runs the stage's robots (always): a lead moved back to `new` is welcomed again.
 * `never` runs a robot on the first entry only; `{after: 30d}` again once 30 days have passed
 * since the item last entered the stage.
 */

export const DEFAULT_REENTER: Reenter = 'always';

/** The robot's own rule, else its stage's, else always. */
export function reenterRule(robot: { reenter?: Reenter }, stage: { reenter?: Reenter }): Reenter {
  return robot.reenter ?? stage.reenter ?? DEFAULT_REENTER;
}

/** `always`, `never`, `after 30d`: as the timeline and `validate --explain` write it. */
export function describeReenter(rule: Reenter): string {
  return typeof rule === 'string' ? rule : `after ${rule.after}`;
}

/**
 * Null when the robot runs on this entry; else why not, in English for ops. `previousEntryAt` is
 * when the item last entered this stage before, null on its first entry.
 */
export function reentrySkip(rule: Reenter, previousEntryAt: number | null, now: number): string | null {
  if (previousEntryAt === null || rule === 'always') return null;
  if (rule === 'never') return 'not run again: the item entered this stage before (reenter: never)';
  const wait = parseDuration(rule.after)?.toMillis() ?? 0;
  if (now - previousEntryAt >= wait) return null;
  return `not run again: the item entered this stage ${new Date(previousEntryAt).toISOString()}, less than ${rule.after} ago (reenter: after ${rule.after})`;
}

/** Whether any robot of a stage may skip a re-entry, so a move need not look up earlier entries otherwise. */
export function stageLimitsReentry(stage: { reenter?: Reenter; robots: ReadonlyArray<{ reenter?: Reenter }> }): boolean {
  return stage.robots.some((robot) => reenterRule(robot, stage) !== 'always');
}
