import { IsNull, LessThanOrEqual } from 'typeorm';
import { TaskEntity, type TaskRow } from '../db/entities';
import type { Clock } from '../core/clock';
import type { Store } from '../db/store';
import type { Inbound } from '../inbound/inbound';
import type { Sweep } from '../pipeline/scheduler';
import type { Records } from '../records/records';

export interface OverdueTasksDeps {
  store: Store;
  clock: Clock;
  records: Pick<Records, 'markTaskOverdue'>;
  inbound: Pick<Inbound, 'ingest'>;
}

/**
 * Overdue = open and past due: the rule of this sweep and of `GET /api/tasks?status=overdue`.
 * `overdueAt` marks the deadline whose event was raised; reopening a task or moving its due
 * time clears it (PATCH /api/tasks/:id), so the new deadline is raised in its turn.
 */
export function isOverdue(task: Pick<TaskRow, 'status' | 'dueAt'>, now: number): boolean {
  return task.status === 'open' && task.dueAt !== null && task.dueAt <= now;
}

/** Raises `task_overdue` once for every open task past its due time. Called by the scheduler. */
async function raiseOverdueTasks(deps: OverdueTasksDeps): Promise<number> {
  const now = deps.clock.now();
  const overdue = await deps.store.manager.find(TaskEntity, { where: { status: 'open', overdueAt: IsNull(), dueAt: LessThanOrEqual(now) }, take: 100 });
  for (const task of overdue.filter((candidate) => isOverdue(candidate, now))) {
    if (!(await deps.records.markTaskOverdue(task.id, now))) continue;
    await deps.inbound.ingest({
      type: 'task_overdue',
      item: { kind: task.entityType, id: task.entityId },
      actor: 'scheduler',
      payload: { task_id: task.id, title: task.title, assignee: task.assignee, due_at: new Date(task.dueAt as number).toISOString() },
    });
  }
  return overdue.length;
}

/** The scheduler's sweep for overdue tasks: every pass, and it wakes an idle worker at the earliest due task. */
export function overdueTasksSweep(deps: OverdueTasksDeps): Sweep {
  return {
    name: 'overdue tasks',
    everyMs: 0,
    run: () => raiseOverdueTasks(deps),
    nextDueAt: async () => {
      const row = await deps.store.manager
        .createQueryBuilder(TaskEntity, 'task')
        .select('MIN(task.due_at)', 'due')
        .where("task.status = 'open' AND task.overdue_at IS NULL AND task.due_at IS NOT NULL")
        .getRawOne<{ due: string | number | null }>();
      return row?.due === null || row?.due === undefined ? null : Number(row.due);
    },
  };
}
