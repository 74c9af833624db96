/**
 * The order robots of one stage entry wait in, pure (config shapes only): what the move writes
 * as each run's `waits_for` and what tells the runner a finished run has followers.
 */

/** Which robots of a stage each branch holds: robot id → the branch robot's id. */
export function branchMembers(robots: ReadonlyArray<{ id: string; type: string; [key: string]: unknown }>): Map<string, string> {
  const members = new Map<string, string>();
  for (const robot of robots) {
    if (robot.type !== 'branch') continue;
    const blocks = (robot.when as Array<{ robots?: string[] }> | undefined) ?? [];
    for (const id of [...blocks.flatMap((block) => block.robots ?? []), ...((robot.else as string[] | undefined) ?? [])]) members.set(id, robot.id);
  }
  return members;
}

/**
 * Which robot each robot of a stage waits for: its own `after_robot:`, else the `branch` that
 * names it, else the nearest `wait_for` written before it (the robots after a wait run when it
 * resolves), else none.
 */
export function waitingOrder(robots: ReadonlyArray<{ id: string; type: string; after_robot?: string; [key: string]: unknown }>): Array<string | null> {
  let lastWait: string | null = null;
  // A robot a `branch` names waits for that branch, which releases or cancels it.
  const branches = branchMembers(robots);
  return robots.map((robot) => {
    const waitsFor = robot.after_robot ?? branches.get(robot.id) ?? lastWait;
    if (robot.type === 'wait_for') lastWait = robot.id;
    return waitsFor;
  });
}
