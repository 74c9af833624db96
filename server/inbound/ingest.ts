import type { EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import type { ChannelRegistry } from '../channels/channel';
import type { Clock } from '../core/clock';
import { MoveRefusedError } from '../core/errors';
import type { ItemPatch } from '../core/inputs';
import type { LiveConfig } from '../core/live-config';
import type { Store } from '../db/store';
import type { Messaging } from '../messaging/messaging';
import type { Pipeline } from '../pipeline/pipeline';
import type { FieldChange, Records } from '../records/records';
import type { WhenNobodyOnDuty } from '../../config/primitives';
import type { CallChain } from '../voice/call-chain';
import type { EventType } from '../../config/event-types';
import type { Item, ItemRef } from '../core/items';
import type { EventRow } from '../core/rows';
import { scoreEvent, type ScoreChange } from '../core/scoring';
import { chooseTrigger } from '../core/trigger-matching';
import { loadItem } from '../records/item-rows';
import { loadContext } from '../pipeline/load-context';

/** What the inbound side works with: records to write, the pipeline to move and stop runs, messaging for opt-outs. */
export interface InboundDeps {
  store: Store;
  clock: Clock;
  config: LiveConfig;
  records: Records;
  pipeline: Pipeline;
  messaging: Messaging;
  channels: ChannelRegistry;
  /** "Call now" under a manager alert. */
  voice: Pick<CallChain, 'callNow'>;
  logger: Pick<Logger, 'warn' | 'error'>;
}

export interface EventInput {
  type: EventType;
  item?: ItemRef | null;
  /** The item as its caller has just read it (its own write committed), so it is not read again. */
  loaded?: Item;
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
export async function ingestEvent(deps: InboundDeps, input: EventInput, outer?: EntityManager): Promise<EventResult> {
  const payload = input.payload ?? {};
  // Inside a caller's transaction (a form's new lead and its event commit together) every read
  // and write goes through it: on SQLite a transaction of its own would wait behind this one.
  const reader = outer ?? deps.store.manager;
  const item = input.item ? (input.loaded ?? (await loadItem(reader, input.item))) : null;
  if (!item) {
    const outcome = input.item ? `${input.item.kind} ${input.item.id} not found` : (input.unmatched ?? 'no matching lead or deal');
    const event = await deps.records.recordEvent({ type: input.type, entity: null, actor: input.actor, payload, outcome }, outer);
    return { event, item: null, outcome, moved: false, score: null };
  }
  const ref = { kind: item.kind, id: item.row.id };
  const notes: string[] = [];

  if (input.type === 'message_inbound') {
    const stopped = await deps.pipeline.stopTouches(item, 'client replied', outer);
    if (stopped > 0) notes.push(`stopped ${stopped} pending touch${stopped === 1 ? '' : 'es'}`);
  }

  const eventContext = { type: input.type, ...payload };
  const context = await loadContext(reader, deps.config.current, item, deps.clock.now(), deps.config.publicUrl, eventContext);
  // Scored on the item as locked for the write (the card hears of it once an outer transaction commits).
  // Asked first of the item as read, so an event no rule scores locks and writes nothing.
  const scores = input.type !== 'score_changed' && scoreEvent(deps.config.current, item, input.type, context, deps.clock.now()) !== null;
  const scored = !scores ? null : await deps.records.addScore(ref, (current) => scoreEvent(deps.config.current, current, input.type, context, deps.clock.now()), outer);
  const score = scored?.score ?? null;
  if (scored && score) {
    Object.assign(item.row, scored.columns);
    notes.push(`score ${score.from} → ${score.to} (+${score.points}${score.decayed ? `, −${score.decayed} decay` : ''})`);
  }

  const decision = chooseTrigger(deps.config.current, item, { type: input.type, payload }, context);
  let moved = false;
  let triggerId: string | null = null;
  if (decision.kind === 'move') {
    triggerId = decision.placement.trigger.id;
    try {
      await deps.pipeline.move(ref, decision.placement.stage, { actor: `trigger:${triggerId}`, causalDepth: input.causalDepth ?? 0, reason: decision.placement.trigger.reason }, outer);
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
  if (!moved) notes.push(...(await deps.pipeline.afterItemChanged(item, eventContext, outer)));
  const outcome = notes.join('; ');
  const event = await deps.records.recordEvent({ type: input.type, entity: ref, actor: input.actor, payload, outcome, triggerId }, outer);

  if (score && score.to !== score.from) {
    await ingestEvent(deps, { type: 'score_changed', item: ref, actor: 'scoring', payload: { from: score.from, to: score.to, reason: input.type, tags: score.tags } }, outer);
  }
  const current = (await loadItem(reader, ref)) ?? item;
  return { event, item: current, outcome, moved, score };
}

/**
 * A person, a robot or a button changes fields: every changed field becomes a `field_changed`
 * event (and a new responsible a `responsible_changed` one) so triggers can react, as in Bitrix24.
 */
export async function changeFields(deps: InboundDeps, ref: ItemRef, patch: ItemPatch, actor: string, causalDepth = 0): Promise<Item> {
  const { item, changes } = await deps.records.updateItem(ref, patch);
  return fieldEvents(deps, ref, item, changes, actor, causalDepth);
}

/**
 * A responsible picked from `team` and written in one transaction, then its event: picks at the
 * same moment (least open counts open items) see one another's writes. Null when the team has
 * nobody to pick.
 */
export async function assignFromTeam(deps: InboundDeps, ref: ItemRef, team: string, pipeline: string, whenNobodyOnDuty: WhenNobodyOnDuty | undefined, actor: string, causalDepth = 0): Promise<string | null> {
  const assigned = await deps.store.transaction(async (manager) => {
    const responsible = await deps.records.pickResponsible(team, pipeline, manager, whenNobodyOnDuty);
    if (responsible === null) return null;
    return { responsible, ...(await deps.records.updateItem(ref, { responsible }, manager)) };
  });
  if (!assigned) return null;
  await fieldEvents(deps, ref, assigned.item, assigned.changes, actor, causalDepth);
  return assigned.responsible;
}

async function fieldEvents(deps: InboundDeps, ref: ItemRef, item: Item, changes: FieldChange[], actor: string, causalDepth: number): Promise<Item> {
  // Each event starts from the item as the write (then the event before it) left it: ingestEvent
  // reads the item again when it is done, after its triggers and scoring.
  let current: Item | null = item;
  for (const change of changes) {
    const type = change.field === 'responsible' ? 'responsible_changed' : 'field_changed';
    current = (await ingestEvent(deps, { type, item: ref, loaded: current ?? undefined, actor, payload: { ...change }, causalDepth })).item;
  }
  return current ?? item;
}
