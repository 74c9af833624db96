import type { ItemScope } from '../auth/access';
import type { RobotRunRow, RunStatus } from '../core/rows';
import { RobotRunEntity } from '../db/entities';
import { whereInScope } from './scope';
import type { ReadSource } from './source';

/**
 * A manager's list of runs: those of the items their scope sees, newest first. The unscoped list
 * (and one item's runs) is RunQueue.list; this is the one read of robot_runs outside the queue,
 * until the queue's list takes a scope.
 */
export function runsInScope(source: ReadSource, scope: ItemScope, filter: { status?: RunStatus; robotId?: string; limit: number }): Promise<RobotRunRow[]> {
  const runs = source.manager.createQueryBuilder(RobotRunEntity, 'run').orderBy('run.id', 'DESC').limit(filter.limit);
  if (filter.status) runs.andWhere('run.status = :status', { status: filter.status });
  if (filter.robotId) runs.andWhere('run.robotId = :robot', { robot: filter.robotId });
  return whereInScope(runs, 'run', scope).getMany();
}
