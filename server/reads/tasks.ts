import type { ItemRef } from '../core/items';
import type { TaskRow } from '../core/rows';
import { TaskEntity } from '../db/entities';
import { whereInScope } from './scope';
import type { ItemScope } from '../auth/access';
import type { ReadSource } from './source';

export interface TaskFilter {
  assignee?: string;
  /** overdue: open and past its due time at `now` (the overdue sweep's rule). */
  status?: 'open' | 'done' | 'overdue';
  item?: ItemRef;
  /** The items the viewer sees; tasks assigned to `viewer` are theirs whatever the item. */
  scope: ItemScope;
  viewer: string;
  now: number;
  limit: number;
  offset: number;
}

/**
 * A page of tasks and the total. Open before done ('open' > 'done'), the earliest due first (so
 * the overdue lead), undated last; done ones by when they were done, latest first.
 */
export async function listTasks(source: ReadSource, filter: TaskFilter): Promise<{ tasks: TaskRow[]; total: number }> {
  const tasks = source.manager.createQueryBuilder(TaskEntity, 'task');
  if (filter.assignee) tasks.andWhere('task.assignee = :assignee', { assignee: filter.assignee });
  if (filter.status === 'done') tasks.andWhere("task.status = 'done'");
  else if (filter.status === 'open') tasks.andWhere("task.status = 'open'");
  else if (filter.status === 'overdue') tasks.andWhere("task.status = 'open' AND task.dueAt IS NOT NULL AND task.dueAt <= :now", { now: filter.now });
  if (filter.item) tasks.andWhere('task.entityType = :kind AND task.entityId = :id', { kind: filter.item.kind, id: filter.item.id });
  whereInScope(tasks, 'task', filter.scope, { property: 'assignee', value: filter.viewer });
  if (filter.status === 'done') tasks.orderBy('task.completedAt', 'DESC').addOrderBy('task.id', 'DESC');
  else tasks.orderBy('task.status', 'DESC').addOrderBy('task.dueAt', 'ASC', 'NULLS LAST').addOrderBy('task.id', 'ASC');
  const [rows, total] = await tasks.limit(filter.limit).offset(filter.offset).getManyAndCount();
  return { tasks: rows, total };
}
