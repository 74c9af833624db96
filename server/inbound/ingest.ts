import type { EntityManager } from 'typeorm';
import { escalationLevelOf, stageOf } from '../core/compiled-config';
import { evaluateCondition } from '../core/conditions';
import { MoveRefusedError } from '../core/errors';
import type { EventType } from '../../config/event-types';
import type { Item, ItemRef } from '../core/items';
import type { EventRow } from '../core/rows';
import { scoreEvent, type ScoreChange } from '../core/scoring';
import { chooseTrigger } from '../core/trigger-matching';
import { loadItem, updateItemRow } from '../records/item-rows';
import { loadContext } from '../pipeline/load-context';
import type { EvaluationContext } from '../core/context';
import type { Engine } from '../engine/engine';
import { stopTouches } from './replies';

export interface EventInput {
  type: EventType;
  item?: ItemRef | null;
  payload?: Record<string, unknown>;
  /** Who or what reported it: `form:contact_us`, `hook:billing`, `channel:email`, `user:anna`. */
  actor?: string;
  /** Set when a robot's own action caused the event, so trigger moves keep the loop guard. */
  causalDepth?: number;
  /** Why no item, when the source could not match one. */
  unmatched?: string;
}

export interface EventResult {
  event: EventRow;
  item: Item | null;
  outcome: string;
  moved: boolean;
  score: ScoreChange | null;
}

/**
 * One inbound event, end to end: stored, matched to its item, scored, and handed to the
 * triggers listening to its type, which may move the item (through the same transition as a
 * person). The event row says what came of it.
 */
export async function ingestEvent(engine: Engine, input: EventInput, outer?: EntityManager): Promise<EventResult> {
  const payload = input.payload ?? {};
  // Inside a caller's transaction (a form's new lead and its event commit together) every read
  // and write goes through it: on SQLite a transaction of its own would wait behind this one.
  const reader = outer ?? engine.store.manager;
  const item = input.item ? await loadItem(reader, input.item) : null;
  if (!item) {
    const outcome = input.item ? `${input.item.kind} ${input.item.id} not found` : input.unmatched ?? 'no matching lead or deal';
    const event = await engine.recordEvent({ type: input.type, entity: null, actor: input.actor, payload, outcome }, outer);
    return { event, item: null, outcome, moved: false, score: null };
  }
  const ref = { kind: item.kind, id: item.row.id };
  const notes: string[] = [];

  if (input.type === 'message_inbound') {
    const stopped = await stopTouches(engine, item, 'client replied', outer);
    if (stopped > 0) notes.push(`stopped ${stopped} pending touch${stopped === 1 ? '' : 'es'}`);
  }

  const eventContext = { type: input.type, ...payload };
  const context = await loadContext(reader, engine.config, item, engine.now(), engine.publicUrl, eventContext);
  const score = input.type === 'score_changed' ? null : scoreEvent(engine.config, item, input.type, context, engine.now());
  if (score) {
    const tags = [...new Set([...(item.row.tags ?? []), ...score.tags])];
    const changes = { score: score.to, tags, scoredAt: engine.now(), updatedAt: engine.now() };
    await engine.store.transaction((manager) => updateItemRow(manager, { kind: item.kind, id: item.row.id }, changes), outer);
    // The card's score is live too (held until an outer transaction commits).
    engine.itemChanges.publish({ kind: item.kind, id: item.row.id, change: 'updated' }, outer);
    Object.assign(item.row, changes);
    notes.push(`score ${score.from} → ${score.to} (+${score.points}${score.decayed ? `, −${score.decayed} decay` : ''})`);
  }

  const decision = chooseTrigger(engine.config, item, { type: input.type, payload }, context);
  let moved = false;
  let triggerId: string | null = null;
  if (decision.kind === 'move') {
    triggerId = decision.placement.trigger.id;
    try {
      await engine.move(ref, decision.placement.stage, { actor: `trigger:${triggerId}`, causalDepth: input.causalDepth ?? 0 }, outer);
      moved = true;
      notes.push(`moved to "${decision.placement.stage}" by trigger ${triggerId}`);
    } catch (error) {
      if (!(error instanceof MoveRefusedError)) throw error;
      notes.push(`trigger ${triggerId} could not move it: ${error.message}`);
    }
  } else if (decision.kind === 'ignored') {
    triggerId = decision.placement.trigger.id;
    notes.push(`ignored by trigger ${triggerId}: ${decision.reason}`);
  } else if (!score) {
    notes.push(decision.reason);
  }
  if (!moved) notes.push(...(await afterChange(engine, item, eventContext, outer)));
  const outcome = notes.join('; ');
  const event = await engine.recordEvent({ type: input.type, entity: ref, actor: input.actor, payload, outcome, triggerId }, outer);

  if (score && score.to !== score.from) {
    await ingestEvent(engine, { type: 'score_changed', item: ref, actor: 'scoring', payload: { from: score.from, to: score.to, reason: input.type, tags: score.tags } }, outer);
  }
  const current = (await loadItem(reader, ref)) ?? item;
  return { event, item: current, outcome, moved, score };
}


/**
 * Something happened to an item that stayed in its stage: a stage goal (`stop_when`) that now
 * holds cancels the stage's pending robots, and `wait_for` robots look again at once.
 */
async function afterChange(engine: Engine, item: Item, event: Record<string, unknown>, outer?: EntityManager): Promise<string[]> {
  const entryId = item.row.stageEntryId;
  if (entryId === null) return [];
  const stage = stageOf(engine.config, item.pipeline, item.row.stage);
  const notes: string[] = [];
  const reader = outer ?? engine.store.manager;
  let context: EvaluationContext | null = null;
  const contextNow = async () => {
    const current = (await loadItem(reader, { kind: item.kind, id: item.row.id })) ?? item;
    return (context ??= await loadContext(reader, engine.config, current, engine.now(), engine.publicUrl, event));
  };
  if (stage?.stop_when !== undefined) {
    if (evaluateCondition(stage.stop_when, await contextNow())) {
      const pending = await engine.queue.pendingOfEntry(entryId, outer);
      if (pending.length > 0) {
        await engine.store.transaction((manager) => engine.queue.cancelPendingOfEntry(manager, entryId, `the goal of "${stage.id}" was reached (stop_when)`, engine.now()), outer);
        notes.push(`goal of "${stage.id}" reached: ${pending.length} pending robot${pending.length === 1 ? '' : 's'} cancelled`);
      }
      return notes;
    }
  }
  // Someone took the item: the escalation levels of an alert whose condition no longer holds are
  // cancelled now, not when each comes due (other changes are left to the level's own check).
  if (event.type === 'responsible_changed' && stage?.robots.some((robot) => escalationLevelOf(robot.id) !== null)) {
    const levels = (await engine.queue.pendingOfEntry(entryId, outer)).map((run) => ({ run, level: escalationLevelOf(run.robotId) })).filter((entry) => entry.level !== null);
    const taken = [];
    for (const { run, level } of levels) {
      const base = engine.config.robots.get(level!.of)?.robot;
      if (base?.condition !== undefined && !evaluateCondition(base.condition, await contextNow())) taken.push({ run, level: level! });
    }
    for (const { run, level } of taken) {
      await engine.queue.cancelPending([run.id], `taken: the condition of ${level.of} no longer holds, escalation ${level.level} not sent`, engine.now(), outer);
    }
    if (taken.length > 0) notes.push(`taken: ${taken.length} escalation level${taken.length === 1 ? '' : 's'} cancelled`);
  }
  if (stage?.robots.some((robot) => robot.type === 'wait_for')) {
    const woken = await engine.store.transaction((manager) => engine.queue.dueNow(manager, entryId, 'wait_for', engine.now()), outer);
    if (woken > 0) engine.scheduler.scheduled([engine.now()]);
  }
  return notes;
}
