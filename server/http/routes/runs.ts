import { Router } from 'express';
import { z } from 'zod';
import { MessageEntity, RobotRunEntity, RUN_STATUSES, type MessageRow, type RobotRunRow } from '../../db/entities';
import type { Engine } from '../../engine/engine';
import { NotFoundError } from '../../engine/errors';
import { retryRun } from '../../engine/runner';
import { requireOperation } from '../auth';
import { parse } from '../problem';

export const RunQuery = z.object({
  status: z.enum(RUN_STATUSES).optional(),
  robot: z.string().optional(),
  item: z.string().regex(/^(lead|deal):\d+$/, { error: 'item is lead:<id> or deal:<id>' }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const MessageQuery = z.object({
  channel: z.string().optional(),
  status: z.string().optional(),
  audience: z.enum(['client', 'user']).optional(),
  recipient_login: z.string().optional(),
  item: z.string().regex(/^(lead|deal):\d+$/, { error: 'item is lead:<id> or deal:<id>' }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function runView(run: RobotRunRow) {
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

export function messageView(message: MessageRow) {
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

function itemFilter(item?: string): Record<string, unknown> {
  if (!item) return {};
  const [entityType, id] = item.split(':');
  return { entityType, entityId: Number(id) };
}

export function runRoutes(engine: Engine): Router {
  const router = Router();
  router.get('/', requireOperation('runs.read'), async (request, response) => {
    const query = parse(RunQuery, request.query);
    const runs = await engine.store.manager.find(RobotRunEntity, {
      where: { ...(query.status ? { status: query.status } : {}), ...(query.robot ? { robotId: query.robot } : {}), ...itemFilter(query.item) },
      order: { id: 'DESC' },
      take: query.limit,
    });
    response.json({ runs: runs.map(runView) });
  });
  router.post('/:id/retry', requireOperation('runs.retry'), async (request, response) => {
    const { id } = parse(z.object({ id: z.coerce.number().int().positive() }), request.params);
    const run = await retryRun(engine, id, `user:${request.user!.login}`);
    if (!run) throw new NotFoundError(`run ${id} not found`);
    engine.scheduler.wake();
    response.json(runView(run));
  });
  return router;
}

export function messageRoutes(engine: Engine): Router {
  const router = Router();
  router.get('/', requireOperation('messages.read'), async (request, response) => {
    const query = parse(MessageQuery, request.query);
    const messages = await engine.store.manager.find(MessageEntity, {
      where: {
        ...(query.channel ? { channel: query.channel } : {}),
        ...(query.status ? { status: query.status as MessageRow['status'] } : {}),
        ...(query.audience ? { audience: query.audience } : {}),
        ...(query.recipient_login ? { recipientLogin: query.recipient_login } : {}),
        ...itemFilter(query.item),
      },
      order: { id: 'DESC' },
      take: query.limit,
    });
    response.json({ messages: messages.map(messageView) });
  });
  return router;
}
