import { Router } from 'express';
import { In } from 'typeorm';
import { z } from 'zod';
import type { CompiledConfig } from '../../core/compiled-config';
import { canAccessItem, itemScope, seesEverything, type Viewer } from '../../auth/access';
import { DealEntity, LeadEntity, TaskChangeEntity, TaskEntity, UserEntity, type TaskChangeRow, type TaskRow } from '../../db/entities';
import { insertOne, selectById, updateById } from '../../db/hot-path';
import { loadItem } from '../../records/item-rows';
import type { Engine } from '../../engine/engine';
import { unknownName } from '../../../config/did-you-mean';
import { ForbiddenError, NotFoundError } from '../../core/errors';
import { asItem, type Item } from '../../core/items';
import { isOverdue } from '../../sweeps/overdue-tasks';
import { IdParam, ItemRefText, MAX_ROW_ID, NoQuery, queryInteger } from '../ids';
import { whereInScope } from '../item-scope';
import { parse, RequestValidationError } from '../problem';

export const TaskQuery = z.strictObject({
  assignee: z.string().min(1).max(200).optional().describe('me, or a login'),
  status: z.enum(['open', 'done', 'overdue']).optional().describe('overdue: open and past its due time'),
  item: ItemRefText.optional().describe('lead:<id> or deal:<id>'),
  limit: queryInteger(1, 500, 50),
  offset: queryInteger(0, MAX_ROW_ID, 0),
});

export const TaskPatch = z
  .strictObject({
    status: z.enum(['open', 'done']).optional(),
    assignee: z.string().min(1).max(200).optional().describe('a login'),
    due_at: z.iso
      .datetime({ offset: true, error: 'an ISO time with its offset, e.g. 2026-03-02T18:00:00+03:00' })
      .transform((text) => Date.parse(text))
      .nullable()
      .optional()
      .describe('null: no due time'),
  })
  .refine((patch) => Object.keys(patch).length > 0, { error: 'give status, assignee or due_at' });
export type TaskPatch = z.output<typeof TaskPatch>;

type NewTaskChange = Omit<TaskChangeRow, 'id'>;

/**
 * What a PATCH changes, as values: the columns to set and one history row per change (pure).
 * Reopening, or moving the due time, clears `overdueAt`: the overdue sweep raises
 * `task_overdue` again for the deadline now in force, by the same "open and past due" rule.
 */
export function planTaskPatch(task: TaskRow, patch: TaskPatch, login: string, now: number): { set: Partial<TaskRow>; history: NewTaskChange[] } {
  const set: Partial<TaskRow> = {};
  const history: NewTaskChange[] = [];
  const record = (change: TaskChangeRow['change'], fromValue: string | null = null, toValue: string | null = null) =>
    history.push({ taskId: task.id, entityType: task.entityType, entityId: task.entityId, change, fromValue, toValue, actor: `user:${login}`, createdAt: now });
  if (patch.status === 'done' && task.status !== 'done') {
    Object.assign(set, { status: 'done', completedAt: now, completedBy: login });
    record('done');
  }
  if (patch.status === 'open' && task.status !== 'open') {
    Object.assign(set, { status: 'open', completedAt: null, completedBy: null, overdueAt: null });
    record('reopened');
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
    created_at: iso(task.createdAt),
  };
}

/** The items a page of tasks belongs to, two queries whatever the page size. */
async function itemsOf(engine: Engine, tasks: TaskRow[]): Promise<Map<string, Item>> {
  const ids = (kind: 'lead' | 'deal') => [...new Set(tasks.filter((task) => task.entityType === kind).map((task) => task.entityId))];
  const [leads, deals] = await Promise.all([
    ids('lead').length ? engine.store.manager.find(LeadEntity, { where: { id: In(ids('lead')) } }) : [],
    ids('deal').length ? engine.store.manager.find(DealEntity, { where: { id: In(ids('deal')) } }) : [],
  ]);
  const items = new Map<string, Item>();
  for (const row of leads) items.set(`lead:${row.id}`, asItem('lead', row));
  for (const row of deals) items.set(`deal:${row.id}`, asItem('deal', row));
  return items;
}

async function requireKnownUser(engine: Engine, login: string, path: string): Promise<void> {
  if (engine.config.users.has(login) || (await engine.store.manager.count(UserEntity, { where: { login } })) > 0) return;
  const known = new Set([...engine.config.users.keys(), ...(await engine.store.manager.find(UserEntity, { select: { login: true } })).map((user) => user.login)]);
  throw new RequestValidationError([{ path, message: unknownName('user', login, known) }]);
}

/**
 * /api/tasks: the tasks robots made (create_task, remind, the cadence's call touches), for the
 * people who do them. Scoped like items (server/auth/access.ts), plus every task assigned to you.
 */
export function taskRoutes(engine: Engine): Router {
  const router = Router();

  router.get('/', async (request, response) => {
    const query = parse(TaskQuery, request.query);
    const user = request.user!;
    const now = engine.now();
    const tasks = engine.store.manager.createQueryBuilder(TaskEntity, 'task');
    if (query.assignee) {
      const assignee = query.assignee === 'me' ? user.login : query.assignee;
      if (assignee !== user.login) await requireKnownUser(engine, assignee, 'assignee');
      tasks.andWhere('task.assignee = :assignee', { assignee });
    }
    if (query.status === 'done') tasks.andWhere("task.status = 'done'");
    else if (query.status === 'open') tasks.andWhere("task.status = 'open'");
    else if (query.status === 'overdue') tasks.andWhere("task.status = 'open' AND task.dueAt IS NOT NULL AND task.dueAt <= :now", { now });
    if (query.item) tasks.andWhere('task.entityType = :kind AND task.entityId = :id', query.item);
    const scope = itemScope(engine.config, user);
    if (!seesEverything(scope)) whereInScope(tasks, 'task', scope, { property: 'assignee', value: user.login });
    // Open before done ('open' > 'done'), the earliest due first (so the overdue lead), undated last.
    if (query.status === 'done') tasks.orderBy('task.completedAt', 'DESC').addOrderBy('task.id', 'DESC');
    else tasks.orderBy('task.status', 'DESC').addOrderBy('task.dueAt', 'ASC', 'NULLS LAST').addOrderBy('task.id', 'ASC');
    const [rows, total] = await tasks.limit(query.limit).offset(query.offset).getManyAndCount();
    const items = await itemsOf(engine, rows);
    response.json({ tasks: rows.map((task) => taskView(task, items.get(`${task.entityType}:${task.entityId}`), now)), total, limit: query.limit, offset: query.offset });
  });

  router.patch('/:id', async (request, response) => {
    const { id } = parse(IdParam, request.params);
    parse(NoQuery, request.query);
    const patch = parse(TaskPatch, request.body);
    const user = request.user!;
    if (patch.assignee !== undefined) await requireKnownUser(engine, patch.assignee, 'assignee');
    const now = engine.now();
    const { task, item } = await engine.store.transaction(async (manager) => {
      // Locked (Postgres) so two people completing one task record it once.
      const current = await selectById(manager, TaskEntity, id, { forUpdate: true });
      if (!current) throw new NotFoundError(`task ${id} not found`);
      const item = await loadItem(manager, { kind: current.entityType, id: current.entityId });
      requireMayChange(engine.config, user, current, item);
      const plan = planTaskPatch(current, patch, user.login, now);
      if (plan.history.length > 0) await updateById(manager, TaskEntity, id, plan.set);
      for (const change of plan.history) await insertOne(manager, TaskChangeEntity, change);
      return { task: { ...current, ...plan.set }, item };
    });
    // A reopened or re-dated task may fall due before the scheduler's next wake-up.
    if (task.status === 'open' && task.dueAt !== null && task.overdueAt === null) engine.scheduler.scheduled([task.dueAt]);
    response.json(taskView(task, item ?? undefined, now));
  });

  return router;
}
