import type { EntityManager } from 'typeorm';
import { escalationLevelOf, stageOf, type CompiledConfig } from '../core/compiled-config';
import { computeDueAt } from '../core/calendar';
import { dueFromField, fieldTimingOf } from '../core/field-timing';
import type { Clock } from '../core/clock';
import { evaluateCondition } from '../core/conditions';
import type { EvaluationContext } from '../core/context';
import { ConflictError, InvalidRequestError } from '../core/errors';
import type { NewItemInput } from '../core/inputs';
import type { Item, ItemRef } from '../core/items';
import type { LiveConfig } from '../core/live-config';
import { planMove, type MoveOptions } from '../core/plan-move';
import { stageLimitsReentry } from '../core/reentry';
import type { RunReason } from '../core/run-reasons';
import type { DealRow, EntityKind, LeadRow, RobotRunRow, StageEntryRow } from '../core/rows';
import { StageEntryEntity } from '../db/entities';
import type { Store } from '../db/store';
import { approveResend } from '../messaging/send-once';
import { loadItem } from '../records/item-rows';
import type { PreparedItem, Records } from '../records/records';
import { loadContext } from './load-context';
import { RETRYABLE_STATUSES, type RunQueue } from './queue';
import { reloadEffects } from './reload-effects';
import type { Scheduler } from './scheduler';
import { enterFirstStages, enterStage } from './transition';

export interface PipelineDeps {
  store: Store;
  clock: Clock;
  config: LiveConfig;
  records: Records;
  queue: RunQueue;
  scheduler: Pick<Scheduler, 'scheduled' | 'wake' | 'runDue'>;
}

export interface MoveResult {
  item: Item;
  entry: StageEntryRow | null;
  changed: boolean;
}

/**
 * Move → run: an item enters a stage in one transaction with its robots' runs, leaves one and its
 * pending runs are cancelled, and the pending runs of an entry stop when the client replies, a
 * stage goal holds or someone takes the item. It knows no robot and no channel by name.
 */
export class Pipeline {
  constructor(private readonly deps: PipelineDeps) {}

  private now(): number {
    return this.deps.clock.now();
  }

  /**
   * A move by a person, a trigger or a robot: refused moves change nothing (semantics 1).
   * `authorize` sees the item as loaded inside the transaction (the API's role check).
   */
  async move(ref: ItemRef, toStage: string, options: MoveOptions, outer?: EntityManager, authorize?: (item: Item) => void): Promise<MoveResult> {
    const { current, calendar } = this.deps.config;
    const result = await this.deps.store.transaction(async (manager) => {
      // Concurrent identical moves of one item: the second waits for the first, then finds it there.
      const item = await this.deps.records.requireItem(ref, manager, { forUpdate: true });
      authorize?.(item);
      if (options.fromStage !== undefined && item.row.stage !== options.fromStage) {
        throw new ConflictError(`${ref.kind} ${ref.id} is in "${item.row.stage}" now, not "${options.fromStage}"`);
      }
      if (item.row.stage === toStage) return { item, entry: null, changed: false, runs: [] };
      // Asked only of a stage that skips its robots on re-entry: every other move costs no query more.
      const target = stageOf(current, item.pipeline, toStage);
      const lastEntry =
        target && (target.on_reenter === 'skip' || stageLimitsReentry(target))
          ? await manager.findOne(StageEntryEntity, { where: { entityType: item.kind, entityId: item.row.id, stage: toStage }, order: { enteredAt: 'DESC' }, select: ['id', 'enteredAt'] })
          : null;
      const previousEntryAt = lastEntry ? Number(lastEntry.enteredAt) : null;
      const plan = planMove(current, item, toStage, { ...options, reentry: lastEntry !== null });
      const { entry, runs } = await enterStage(manager, this.deps.queue, calendar, item, plan, { ...options, previousEntryAt }, this.now());
      return { item, entry, changed: true, runs };
    }, outer);
    this.deps.scheduler.scheduled(result.runs.map((run) => run.dueAt));
    if (result.changed) this.deps.records.published({ kind: ref.kind, id: ref.id, change: 'moved' }, outer);
    return { item: result.item, entry: result.entry, changed: result.changed };
  }

  /**
   * Creates a lead (or a deal in `pipeline`) and enters its first stage in one transaction,
   * so the entry robots of that stage are scheduled with it.
   */
  async createItem(kind: EntityKind, input: NewItemInput & { pipeline?: string }, actor: string, extra: Partial<LeadRow & DealRow> = {}, outer?: EntityManager): Promise<Item> {
    return this.insertItem(await this.deps.records.prepareItem(kind, input), actor, extra, outer);
  }

  /**
   * Writes a prepared item and enters its first stage in one transaction (`extra`: links and flags
   * found meanwhile). `robots: false` enters the stage without scheduling its robots: an imported
   * lead is history, not a new enquiry to greet.
   */
  async insertItem(prepared: PreparedItem, actor: string, extra: Partial<LeadRow & DealRow> = {}, outer?: EntityManager, options: { robots?: boolean } = {}): Promise<Item> {
    const { current, calendar } = this.deps.config;
    const now = prepared.row.createdAt;
    const created = await this.deps.store.transaction(async (manager) => {
      const item = await this.deps.records.insertItem(manager, prepared, extra);
      const planned = planMove(current, item, item.row.stage, { actor });
      const plan = options.robots === false ? { ...planned, robots: [] } : planned;
      const { runs } = await enterStage(manager, this.deps.queue, calendar, item, plan, { actor }, now);
      return { item, runs };
    }, outer);
    this.deps.scheduler.scheduled(created.runs.map((run) => run.dueAt));
    this.deps.records.published({ kind: prepared.kind, id: created.item.row.id, change: 'created' }, outer);
    return created.item;
  }

  /**
   * Many prepared items at once (an import), inside the caller's transaction: written in a few
   * multi-row statements, each entering its first stage; `robots: false` as for `insertItem`.
   * Whoever commits calls `runsCommitted` when robots were scheduled.
   */
  async insertItems(manager: EntityManager, prepared: PreparedItem[], actor: string, options: { robots?: boolean } = {}): Promise<Item[]> {
    const { current, calendar } = this.deps.config;
    const items = await this.deps.records.insertItems(manager, prepared);
    const moves = items.map((item) => {
      const planned = planMove(current, item, item.row.stage, { actor });
      return { item, plan: options.robots === false ? { ...planned, robots: [] } : planned };
    });
    await enterFirstStages(manager, this.deps.queue, calendar, moves, { actor }, this.now());
    for (const item of items) this.deps.records.published({ kind: item.kind, id: item.row.id, change: 'created' }, manager);
    return items;
  }

  /** Runs written inside a caller's transaction are committed now: workers on other connections may take them. */
  runsCommitted(dueAts: Array<number | null> = [this.now()]): void {
    this.deps.scheduler.scheduled(dueAts);
  }

  /**
   * A reply ends the cadence: pending runs of client-touch robots (or any robot marked
   * `stop_on_reply: true`) in the item's current stage entry are cancelled.
   */
  async stopTouches(item: Item, reason: string, outer?: EntityManager, code: RunReason = { code: 'cancelled.client_replied' }): Promise<number> {
    if (item.row.stageEntryId === null) return 0;
    const config = this.deps.config.current;
    const pending = await this.deps.queue.pendingOfEntry(item.row.stageEntryId, outer);
    const touches = pending.filter((run) => {
      const placement = config.robots.get(run.robotId);
      return placement ? (placement.robot.stop_on_reply ?? placement.touch) : false;
    });
    if (touches.length === 0) return 0;
    await this.deps.queue.cancelPending(
      touches.map((run) => run.id),
      reason,
      code,
      this.now(),
      outer,
    );
    return touches.length;
  }

  /**
   * Something happened to an item that stayed in its stage: a stage goal (`stop_when`) that now
   * holds cancels the stage's pending robots, an alert whose item was taken stops escalating,
   * and `wait_for` robots look again at once. Returns what it did, for the event's outcome.
   */
  async afterItemChanged(item: Item, event: Record<string, unknown>, outer?: EntityManager): Promise<string[]> {
    const entryId = item.row.stageEntryId;
    if (entryId === null) return [];
    const config = this.deps.config.current;
    const stage = stageOf(config, item.pipeline, item.row.stage);
    const notes: string[] = [];
    const reader = outer ?? this.deps.store.manager;
    let context: EvaluationContext | null = null;
    const contextNow = async () => {
      const current = (await loadItem(reader, { kind: item.kind, id: item.row.id })) ?? item;
      return (context ??= await loadContext(reader, config, current, this.now(), this.deps.config.publicUrl, event));
    };
    if (event.type === 'field_changed' && typeof event.field === 'string' && stage?.robots.some((robot) => fieldTimingOf(robot)?.field === event.field)) {
      notes.push(...(await this.moveFieldTimed(entryId, event.field, event.to, outer)));
    }
    if (stage?.stop_when !== undefined && evaluateCondition(stage.stop_when, await contextNow())) {
      const pending = await this.deps.queue.pendingOfEntry(entryId, outer);
      if (pending.length > 0) {
        await this.deps.store.transaction(
          (manager) => this.deps.queue.cancelPendingOfEntry(manager, entryId, `the goal of "${stage.id}" was reached (stop_when)`, { code: 'cancelled.goal_reached', params: { stage: stage.id } }, this.now()),
          outer,
        );
        notes.push(`goal of "${stage.id}" reached: ${pending.length} pending robot${pending.length === 1 ? '' : 's'} cancelled`);
      }
      return notes;
    }
    // Someone took the item: the escalation levels of an alert whose condition no longer holds are
    // cancelled now, not when each comes due (other changes are left to the level's own check).
    if (event.type === 'responsible_changed' && stage?.robots.some((robot) => escalationLevelOf(robot.id) !== null)) {
      const taken = await this.takenEscalations(config, await this.deps.queue.pendingOfEntry(entryId, outer), contextNow);
      for (const { run, of, level } of taken) {
        await this.deps.queue.cancelPending([run.id], `taken: the condition of ${of} no longer holds, escalation ${level} not sent`, { code: 'cancelled.taken', params: { robot: of, level } }, this.now(), outer);
      }
      if (taken.length > 0) notes.push(`taken: ${taken.length} escalation level${taken.length === 1 ? '' : 's'} cancelled`);
    }
    if (stage?.robots.some((robot) => robot.type === 'wait_for')) {
      const woken = await this.deps.store.transaction((manager) => this.deps.queue.dueNow(manager, entryId, 'wait_for', this.now()), outer);
      if (woken > 0) this.deps.scheduler.scheduled([this.now()]);
    }
    return notes;
  }

  /**
   * A date field changed: the scheduled runs of this entry timed from it move to their new due
   * time (a past one runs at once, as the late policy says), or are cancelled when it was cleared.
   * Runs still waiting for their predecessor take the field when they are released.
   */
  private async moveFieldTimed(entryId: number, field: string, value: unknown, outer?: EntityManager): Promise<string[]> {
    const config = this.deps.config.current;
    const calendar = this.deps.config.calendar;
    const now = this.now();
    const notes: string[] = [];
    const dueAts: number[] = [];
    await this.deps.store.transaction(async (manager) => {
      for (const run of await this.deps.queue.pendingOfEntry(entryId, manager)) {
        const robot = config.robots.get(run.robotId)?.robot;
        const timing = robot ? fieldTimingOf(robot) : null;
        if (!robot || timing?.field !== field || run.status !== 'scheduled' || (run.waitsFor !== null && run.dueAt === null)) continue;
        const dueAt = dueFromField(timing, value, calendar, robot.working_hours === true);
        if (dueAt === null) {
          await this.deps.queue.cancelPending([run.id], `${field} was cleared`, { code: 'cancelled.field_cleared', params: { field } }, now, manager);
          notes.push(`${field} cleared: ${run.robotId} cancelled`);
          continue;
        }
        const at = new Date(dueAt).toISOString();
        await this.deps.queue.moveDue(manager, run.id, dueAt, `${field} changed: due ${at}`, { code: 'scheduled.field_moved', params: { field, due_at: at } });
        dueAts.push(dueAt);
        notes.push(`${field} changed: ${run.robotId} moved to ${at}`);
      }
    }, outer);
    if (dueAts.length > 0) this.deps.scheduler.scheduled(dueAts);
    return notes;
  }

  /** Pending escalation levels whose alert's condition no longer holds. */
  private async takenEscalations(config: CompiledConfig, pending: RobotRunRow[], contextNow: () => Promise<EvaluationContext>) {
    const taken: Array<{ run: RobotRunRow; of: string; level: number }> = [];
    for (const run of pending) {
      const level = escalationLevelOf(run.robotId);
      if (!level) continue;
      const base = config.robots.get(level.of)?.robot;
      if (base?.condition !== undefined && !evaluateCondition(base.condition, await contextNow())) taken.push({ run, ...level });
    }
    return taken;
  }

  /**
   * Swaps the config atomically (semantics 8): pending runs of robots that no longer exist
   * are cancelled with that reason; the others will run with the robot as it now stands.
   */
  async applyConfig(next: CompiledConfig): Promise<{ cancelledRuns: number }> {
    this.deps.config.replace(next);
    const { cancelled, cancelledFollowers, released } = reloadEffects(next, await this.deps.queue.pendingPlacements());
    const now = this.now();
    const queue = this.deps.queue;
    await queue.cancelPending(
      cancelled.map((run) => run.id),
      'robot no longer in the config',
      { code: 'cancelled.robot_removed' },
      now,
    );
    for (const run of cancelledFollowers) await queue.cancelPending([run.id], `${run.waitsFor} is no longer in the config`, { code: 'cancelled.predecessor_removed', params: { robot: run.waitsFor ?? '' } }, now);
    await queue.releaseWaiting(
      released.map((run) => {
        const robot = next.robots.get(run.robotId)?.robot;
        return { id: run.id, dueAt: robot ? computeDueAt(robot, now, this.deps.config.calendar) : now, detail: `${run.waitsFor} is no longer in the config; runs without it` };
      }),
    );
    this.deps.scheduler.wake();
    return { cancelledRuns: cancelled.length + cancelledFollowers.length };
  }

  /** A dead, failed or unknown run put back in the queue by a person. */
  async retryRun(runId: number, actor: string): Promise<RobotRunRow | null> {
    const retried = await this.deps.store.transaction(async (manager) => {
      const change = await this.deps.queue.retry(manager, runId, `retried by ${actor}`, actor, this.now());
      if (!change) return null;
      if (change.before === change.after) {
        throw new InvalidRequestError(`only ${RETRYABLE_STATUSES.join(', ')} runs can be retried; run ${runId} is ${change.before.status}`);
      }
      // A person retrying an `unknown` run has decided the message may go out again.
      await approveResend(manager, runId, actor);
      return change.after;
    });
    if (retried) this.deps.scheduler.wake();
    return retried;
  }

  /** Runs everything due now; returns how many runs were processed. */
  runDue(): Promise<number> {
    return this.deps.scheduler.runDue();
  }

  /** Runs pending or running with a due time. */
  pendingRunCount(): Promise<number> {
    return this.deps.queue.openCount();
  }
}
