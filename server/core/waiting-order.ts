/**
 * The order robots of one stage entry wait in, pure (config shapes only): what the move writes
 * as each run's `waits_for` and what tells the runner a finished run has followers.
 */

/** The robots a branch's blocks or a split's variants name, written after it in the stage. */
export function chosenAmong(robot: { type: string; [key: string]: unknown }): Array<{ ids: string[]; path: Array<string | number> }> {
  if (robot.type === 'branch') {
    const blocks = (robot.when as Array<{ robots?: string[] }> | undefined) ?? [];
    return [...blocks.map((block, index) => ({ ids: block.robots ?? [], path: ['when', index, 'robots'] })), { ids: (robot.else as string[] | undefined) ?? [], path: ['else'] }];
  }
  if (robot.type === 'split') {
    const variants = (robot.variants as Record<string, { robots?: string[] }> | undefined) ?? {};
    return Object.entries(variants).map(([variant, spec]) => ({ ids: spec.robots ?? [], path: ['variants', variant, 'robots'] }));
  }
  return [];
}

/** Which robots of a stage each branch or split holds: robot id → the branch's (or split's) id. */
export function branchMembers(robots: ReadonlyArray<{ id: string; type: string; [key: string]: unknown }>): Map<string, string> {
  const members = new Map<string, string>();
  for (const robot of robots) for (const { ids } of chosenAmong(robot)) for (const id of ids) members.set(id, robot.id);
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
