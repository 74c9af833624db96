import { IsNull, LessThanOrEqual } from 'typeorm';
import { TaskEntity, type TaskRow } from '../db/entities';
import type { Engine } from '../engine/engine';
import type { Sweep } from '../pipeline/scheduler';
import { ingestEvent } from '../inbound/ingest';

/**
 * Overdue = open and past due: the rule of this sweep and of `GET /api/tasks?status=overdue`.
 * `overdueAt` marks the deadline whose event was raised; reopening a task or moving its due
 * time clears it (PATCH /api/tasks/:id), so the new deadline is raised in its turn.
 */
export function isOverdue(task: Pick<TaskRow, 'status' | 'dueAt'>, now: number): boolean {
  return task.status === 'open' && task.dueAt !== null && task.dueAt <= now;
}

/** Raises `task_overdue` once for every open task past its due time. Called by the scheduler. */
export async function raiseOverdueTasks(engine: Engine): Promise<number> {
  const now = engine.now();
  const overdue = await engine.store.manager.find(TaskEntity, { where: { status: 'open', overdueAt: IsNull(), dueAt: LessThanOrEqual(now) }, take: 100 });
  for (const task of overdue.filter((candidate) => isOverdue(candidate, now))) {
    // Claimed only while still open and past due: a task done (or moved later) since the read above raises nothing.
    const claimed = await engine.store.transaction((manager) =>
      manager.update(TaskEntity, { id: task.id, status: 'open', overdueAt: IsNull(), dueAt: LessThanOrEqual(now) }, { overdueAt: now }),
    );
    if (!claimed.affected) continue;
    await ingestEvent(engine, {
      type: 'task_overdue',
      item: { kind: task.entityType, id: task.entityId },
      actor: 'scheduler',
      payload: { task_id: task.id, title: task.title, assignee: task.assignee, due_at: new Date(task.dueAt as number).toISOString() },
    });
  }
  return overdue.length;
}

/** The scheduler's sweep for overdue tasks: every pass, and it wakes an idle worker at the earliest due task. */
export function overdueTasksSweep(engine: Engine): Sweep {
  return {
    name: 'overdue tasks',
    everyMs: 0,
    run: () => raiseOverdueTasks(engine),
    nextDueAt: async () => {
      const row = await engine.store.manager
        .createQueryBuilder(TaskEntity, 'task')
        .select('MIN(task.due_at)', 'due')
        .where("task.status = 'open' AND task.overdue_at IS NULL AND task.due_at IS NOT NULL")
        .getRawOne<{ due: string | number | null }>();
      return row?.due === null || row?.due === undefined ? null : Number(row.due);
    },
  };
}
