import { Router } from 'express';
import { z } from 'zod';
import { itemScope, seesEverything } from '../../auth/access';
import type { LiveConfig } from '../../core/live-config';
import { RUN_STATUSES, type MessageRow, type RobotRunRow } from '../../core/rows';
import { NotFoundError } from '../../core/errors';
import type { Pipeline } from '../../pipeline/pipeline';
import type { RunQueue } from '../../pipeline/queue';
import type { Records } from '../../records/records';
import { listMessages } from '../../reads/messages';
import { runsInScope } from '../../reads/runs';
import type { ReadSource } from '../../reads/source';
import { requireOperation } from '../auth';
import { IdParam, ItemRefText, NoQuery, queryInteger } from '../ids';
import { requireVisibleItem } from '../item-scope';
import { parse } from '../problem';

export const RunQuery = z.strictObject({
  status: z.enum(RUN_STATUSES).optional(),
  robot: z.string().optional(),
  item: ItemRefText.optional().describe('lead:<id> or deal:<id>'),
  limit: queryInteger(1, 500, 100),
});

export const MessageQuery = z.strictObject({
  channel: z.string().optional(),
  status: z.string().optional(),
  audience: z.enum(['client', 'user']).optional(),
  recipient_login: z.string().optional(),
  item: ItemRefText.optional().describe('lead:<id> or deal:<id>'),
  limit: queryInteger(1, 500, 100),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function runView(run: RobotRunRow) {
  return {
    id: run.id,
    item: `${run.entityType}:${run.entityId}`,
    pipeline: run.pipeline,
    stage: run.stage,
    entry_id: run.entryId,
    robot: run.robotId,
    type: run.robotType,
    status: run.status,
    due_at: iso(run.dueAt),
    waits_for: run.waitsFor,
    attempts: run.attempts,
    causal_depth: run.causalDepth,
    detail: run.detail,
    last_error: run.lastError,
    started_at: iso(run.startedAt),
    finished_at: iso(run.finishedAt),
    created_at: iso(run.createdAt),
  };
}

function messageView(message: MessageRow) {
  return {
    id: message.id,
    item: message.entityType ? `${message.entityType}:${message.entityId}` : null,
    run_id: message.runId,
    direction: message.direction,
    channel: message.channel,
    audience: message.audience,
    recipient: message.recipient,
    recipient_login: message.recipientLogin,
    template: message.template,
    subject: message.subject,
    body: message.body,
    status: message.status,
    provider_id: message.providerId,
    error: message.error,
    meta: message.meta,
    created_at: iso(message.createdAt),
    sent_at: iso(message.sentAt),
  };
}

export interface RunRouteDeps {
  config: LiveConfig;
  records: Pick<Records, 'getItem'>;
  queue: Pick<RunQueue, 'list'>;
  pipeline: Pick<Pipeline, 'retryRun'>;
  reads: ReadSource;
}

/**
 * Runs and messages are for managers, ops and admins; managers see those of their team's
 * items (README, Roles). `?item=` of an item the caller may not see is a 404.
 */
export function runRoutes(deps: RunRouteDeps): Router {
  const router = Router();
  router.get('/', requireOperation('runs.read'), async (request, response) => {
    const query = parse(RunQuery, request.query);
    const user = request.user!;
    const config = deps.config.current;
    if (query.item) await requireVisibleItem(deps.records, config, user, query.item);
    const scope = itemScope(config, user);
    const runs =
      query.item || seesEverything(scope)
        ? await deps.queue.list({ status: query.status, robotId: query.robot, item: query.item, limit: query.limit })
        : await runsInScope(deps.reads, scope, { status: query.status, robotId: query.robot, limit: query.limit });
    response.json({ runs: runs.map(runView) });
  });
  router.post('/:id/retry', requireOperation('runs.retry'), async (request, response) => {
    const { id } = parse(IdParam, request.params);
    parse(NoQuery, request.query);
    const run = await deps.pipeline.retryRun(id, `user:${request.user!.login}`);
    if (!run) throw new NotFoundError(`run ${id} not found`);
    response.json(runView(run));
  });
  return router;
}

export function messageRoutes(deps: { config: LiveConfig; records: Pick<Records, 'getItem'>; reads: ReadSource }): Router {
  const router = Router();
  router.get('/', requireOperation('messages.read'), async (request, response) => {
    const query = parse(MessageQuery, request.query);
    const user = request.user!;
    const config = deps.config.current;
    if (query.item) await requireVisibleItem(deps.records, config, user, query.item);
    const messages = await listMessages(deps.reads, {
      channel: query.channel,
      status: query.status,
      audience: query.audience,
      recipientLogin: query.recipient_login,
      // A manager's own alerts are theirs even when the lead is not (an SLA alert on an unassigned lead).
      of: query.item ? { item: query.item } : { scope: itemScope(config, user), also: { property: 'recipientLogin', value: user.login } },
      limit: query.limit,
    });
    response.json({ messages: messages.map(messageView) });
  });
  return router;
}
