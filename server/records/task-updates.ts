import { z } from 'zod';
import { NotFoundError } from '../core/errors';
import type { Item } from '../core/items';
import type { NotificationRow, TaskChangeRow, TaskRow } from '../core/rows';
import { insertNotification, type NewNotification } from './notifications';
import { TaskChangeEntity, TaskEntity } from '../db/entities';
import { insertOne, selectById, updateById } from '../db/hot-path';
import type { Store } from '../db/store';
import { loadItem } from './item-rows';

/** What a person may change on a task (PATCH /api/tasks/:id). */
export const TaskPatch = z
  .strictObject({
    status: z.enum(['open', 'done']).optional(),
    done: z.boolean().optional().describe('true: complete it; false: reopen it (the same as status)'),
    title: z.string().trim().min(1).max(500).optional(),
    assignee: z.string().min(1).max(200).optional().describe('a login'),
    due_at: z.iso
      .datetime({ offset: true, error: 'an ISO time with its offset, e.g. 2026-03-02T18:00:00+03:00' })
      .transform((text) => Date.parse(text))
      .nullable()
      .optional()
      .describe('null: no due time'),
  })
  .refine((patch) => Object.keys(patch).length > 0, { error: 'give done, title, assignee or due_at' })
  .refine((patch) => patch.done === undefined || patch.status === undefined || (patch.status === 'done') === patch.done, { error: 'done and status disagree', path: ['done'] });
export type TaskPatch = z.output<typeof TaskPatch>;

type NewTaskChange = Omit<TaskChangeRow, 'id'>;

/**
 * What a PATCH changes, as values: the columns to set and one history row per change (pure).
 * Reopening, or moving the due time, clears `overdueAt`: the overdue sweep raises
 * `task_overdue` again for the deadline now in force, by the same "open and past due" rule.
 */
function planTaskPatch(task: TaskRow, patch: TaskPatch, login: string, now: number): { set: Partial<TaskRow>; history: NewTaskChange[] } {
  const set: Partial<TaskRow> = {};
  const history: NewTaskChange[] = [];
  const record = (change: TaskChangeRow['change'], fromValue: string | null = null, toValue: string | null = null) =>
    history.push({ taskId: task.id, entityType: task.entityType, entityId: task.entityId, change, fromValue, toValue, actor: `user:${login}`, createdAt: now });
  const status = patch.status ?? (patch.done === undefined ? undefined : patch.done ? 'done' : 'open');
  if (status === 'done' && task.status !== 'done') {
    Object.assign(set, { status: 'done', completedAt: now, completedBy: login });
    record('done');
  }
  if (status === 'open' && task.status !== 'open') {
    Object.assign(set, { status: 'open', completedAt: null, completedBy: null, overdueAt: null });
    record('reopened');
  }
  if (patch.title !== undefined && patch.title !== task.title) {
    set.title = patch.title;
    record('renamed', task.title, patch.title);
  }
  if (patch.assignee !== undefined && patch.assignee !== task.assignee) {
    set.assignee = patch.assignee;
    record('assigned', task.assignee, patch.assignee);
  }
  if (patch.due_at !== undefined && patch.due_at !== task.dueAt) {
    Object.assign(set, { dueAt: patch.due_at, overdueAt: null });
    record('due_changed', task.dueAt === null ? null : String(task.dueAt), patch.due_at === null ? null : String(patch.due_at));
  }
  return { set, history };
}

/**
 * A person's change to a task, with its history rows, in one transaction. The task is locked
 * (Postgres) so two people completing it record it once; `authorize` sees the task and its item
 * as loaded inside the transaction and throws to refuse.
 */
export async function changeTask(
  store: Store,
  now: number,
  taskId: number,
  patch: TaskPatch,
  login: string,
  authorize: (task: TaskRow, item: Item | null) => void,
  noticeOf: (task: TaskRow, assignedTo: string, changeId: number) => NewNotification | null,
): Promise<{ task: TaskRow; item: Item | null; notifications: NotificationRow[] }> {
  return store.transaction(async (manager) => {
    const current = await selectById(manager, TaskEntity, taskId, { forUpdate: true });
    if (!current) throw new NotFoundError(`task ${taskId} not found`);
    const item = await loadItem(manager, { kind: current.entityType, id: current.entityId });
    authorize(current, item);
    const plan = planTaskPatch(current, patch, login, now);
    if (plan.history.length > 0) await updateById(manager, TaskEntity, taskId, plan.set);
    const task = { ...current, ...plan.set };
    const notifications: NotificationRow[] = [];
    for (const change of plan.history) {
      const written = await insertOne(manager, TaskChangeEntity, change);
      // The new assignee hears of it, in the same transaction as the change itself.
      const notice = change.change === 'assigned' && change.toValue !== null ? noticeOf(task, change.toValue, written.id) : null;
      const notification = notice ? await insertNotification(manager, notice) : null;
      if (notification) notifications.push(notification);
    }
    return { task, item, notifications };
  });
}
