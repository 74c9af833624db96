import { Router } from 'express';
import { z } from 'zod';
import type { CompiledConfig } from '../../core/compiled-config';
import { canAccessItem, itemScope, type Viewer } from '../../auth/access';
import type { LiveConfig } from '../../core/live-config';
import type { Clock } from '../../core/clock';
import type { TaskRow } from '../../core/rows';
import type { Pipeline } from '../../pipeline/pipeline';
import type { Records } from '../../records/records';
import { TaskPatch } from '../../records/task-updates';
import { itemsByRef } from '../../reads/items';
import type { ReadSource } from '../../reads/source';
import { listTasks } from '../../reads/tasks';
import { isStoredUser, storedLogins } from '../../reads/users';
import { unknownName } from '../../../config/did-you-mean';
import { ForbiddenError, NotFoundError } from '../../core/errors';
import type { Item } from '../../core/items';
import { isOverdue } from '../../sweeps/overdue-tasks';
import { IdParam, ItemRefText, MAX_ROW_ID, NoQuery, queryInteger } from '../ids';
import { parse, RequestValidationError } from '../problem';
import { requireVisibleItem } from '../item-scope';

export { TaskPatch };

/** POST /api/tasks: a task a person gives (to themselves unless `assignee` says whom). */
export const NewTaskBody = z.strictObject({
  kind: z.enum(['lead', 'deal']),
  id: z.number().int().min(1).max(MAX_ROW_ID).describe('the lead or deal'),
  title: z.string().trim().min(1).max(500),
  due_at: z.iso.datetime({ offset: true, error: 'an ISO time with its offset, e.g. 2026-03-02T18:00:00+03:00' }).transform((text) => Date.parse(text)),
  assignee: z.string().min(1).max(200).optional().describe('a login; the creator when absent'),
});
export type NewTaskBody = z.output<typeof NewTaskBody>;

export const TaskQuery = z.strictObject({
  assignee: z.string().min(1).max(200).optional().describe('me, or a login'),
  status: z.enum(['open', 'done', 'overdue']).optional().describe('overdue: open and past its due time'),
  item: ItemRefText.optional().describe('lead:<id> or deal:<id>'),
  limit: queryInteger(1, 500, 50),
  offset: queryInteger(0, MAX_ROW_ID, 0),
});

/**
 * Who may change a task: whoever may change its item, and its assignee. Someone who may not
 * even see the item (and is not the assignee) is answered as if the task did not exist.
 */
function requireMayChange(config: CompiledConfig, user: Viewer, task: TaskRow, item: Item | null): void {
  if (task.assignee === user.login) return;
  if (!item || !canAccessItem(config, user, item, 'read')) throw new NotFoundError(`task ${task.id} not found`);
  if (!canAccessItem(config, user, item, 'write')) throw new ForbiddenError(`your role may not change tasks of this ${item.kind}`);
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function itemName(item: Item | undefined, task: TaskRow): string {
  return item?.row.title || item?.row.name || `${task.entityType} #${task.entityId}`;
}

export function taskView(task: TaskRow, item: Item | undefined, now: number) {
  return {
    id: task.id,
    item: `${task.entityType}:${task.entityId}`,
    item_name: itemName(item, task),
    title: task.title,
    assignee: task.assignee,
    status: task.status,
    overdue: isOverdue(task, now),
    due_at: iso(task.dueAt),
    completed_at: iso(task.completedAt),
    completed_by: task.completedBy ?? null,
    run_id: task.runId,
    created_by: task.createdBy ?? null,
    created_at: iso(task.createdAt),
  };
}

export async function requireKnownUser(deps: { config: LiveConfig; reads: ReadSource }, login: string, path: string): Promise<void> {
  const configUsers = deps.config.current.users;
  if (configUsers.has(login) || (await isStoredUser(deps.reads, login))) return;
  const known = new Set([...configUsers.keys(), ...(await storedLogins(deps.reads))]);
  throw new RequestValidationError([{ path, message: unknownName('user', login, known) }]);
}

export interface TaskRouteDeps {
  config: LiveConfig;
  clock: Clock;
  records: Pick<Records, 'changeTask' | 'createTask' | 'getItem'>;
  /** Wakes the scheduler: a reopened or re-dated task may fall due before its next wake-up. */
  pipeline: Pick<Pipeline, 'runsCommitted'>;
  reads: ReadSource;
}

/**
 * /api/tasks: the tasks robots made (create_task, remind, the cadence's call touches), for the
 * people who do them. Scoped like items (server/auth/access.ts), plus every task assigned to you.
 */
export function taskRoutes(deps: TaskRouteDeps): Router {
  const router = Router();

  router.get('/', async (request, response) => {
    const query = parse(TaskQuery, request.query);
    const user = request.user!;
    const now = deps.clock.now();
    let assignee: string | undefined;
    if (query.assignee) {
      assignee = query.assignee === 'me' ? user.login : query.assignee;
      if (assignee !== user.login) await requireKnownUser(deps, assignee, 'assignee');
    }
    const { tasks, total } = await listTasks(deps.reads, {
      assignee,
      status: query.status,
      item: query.item,
      scope: itemScope(deps.config.current, user),
      viewer: user.login,
      now,
      limit: query.limit,
      offset: query.offset,
    });
    const items = await itemsByRef(
      deps.reads,
      tasks.map((task) => ({ kind: task.entityType, id: task.entityId })),
    );
    response.json({ tasks: tasks.map((task) => taskView(task, items.get(`${task.entityType}:${task.entityId}`), now)), total, limit: query.limit, offset: query.offset });
  });

  router.post('/', async (request, response) => {
    parse(NoQuery, request.query);
    const body = parse(NewTaskBody, request.body);
    const user = request.user!;
    const item = await requireVisibleItem(deps.records, deps.config.current, user, { kind: body.kind, id: body.id });
    if (!canAccessItem(deps.config.current, user, item, 'write')) throw new ForbiddenError(`your role may not add tasks to this ${item.kind}`);
    const assignee = body.assignee ?? user.login;
    if (assignee !== user.login) await requireKnownUser(deps, assignee, 'assignee');
    const task = await deps.records.createTask({ item: { kind: item.kind, id: item.row.id }, assignee, title: body.title, dueAt: body.due_at, runId: null, createdBy: user.login });
    // Due before the scheduler's next wake-up: the overdue sweep must see it in time.
    deps.pipeline.runsCommitted([task.dueAt]);
    response
      .status(201)
      .location(`/api/tasks/${task.id}`)
      .json(taskView(task, item, deps.clock.now()));
  });

  router.patch('/:id', async (request, response) => {
    const { id } = parse(IdParam, request.params);
    parse(NoQuery, request.query);
    const patch = parse(TaskPatch, request.body);
    const user = request.user!;
    if (patch.assignee !== undefined) await requireKnownUser(deps, patch.assignee, 'assignee');
    const now = deps.clock.now();
    const { task, item } = await deps.records.changeTask(id, patch, user.login, (current, item) => requireMayChange(deps.config.current, user, current, item));
    // A reopened or re-dated task may fall due before the scheduler's next wake-up.
    if (task.status === 'open' && task.dueAt !== null && task.overdueAt === null) deps.pipeline.runsCommitted([task.dueAt]);
    response.json(taskView(task, item ?? undefined, now));
  });

  return router;
}
