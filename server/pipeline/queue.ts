import { In, IsNull, type EntityManager } from 'typeorm';
import type { RobotRunRow, RunStatus } from '../core/rows';
import { defaultReasonCode, type RunReason } from '../core/run-reasons';
import { RobotRunEntity } from '../db/entities';
import { allSql, hydrate, insertSql, runSql, updateById } from '../db/hot-path';
import type { Store } from '../db/store';

/**
 * The durable queue is the robot_runs table (semantics 5): runs are written in the move's
 * transaction, claimed atomically, finished with a compare-and-set on `running`. This is the
 * one module that reads or writes that table; the status sets below are written once.
 */

/** Waiting for their due time: a first attempt, or a retry after a failure. */
export const PENDING_STATUSES = ['scheduled', 'failed'] as const satisfies readonly RunStatus[];
/** What a person may put back in the queue by hand. */
export const RETRYABLE_STATUSES = ['dead', 'failed', 'unknown'] as const satisfies readonly RunStatus[];
/** Still to happen, or happening: what "queue depth" counts. */
const OPEN_STATUSES = [...PENDING_STATUSES, 'running'] as const satisfies readonly RunStatus[];

const PENDING_SQL = `status IN (${PENDING_STATUSES.map((status) => `'${status}'`).join(', ')})`;

/**
 * The statements of the hot path, with `?` placeholders (numbered for Postgres by hot-path.ts).
 * The benchmark's raw sqlite3 ceiling prepares these same texts.
 */
export const RUN_SQL = {
  cancelPendingOfEntry: `UPDATE robot_runs SET status = 'cancelled', detail = ?, reason_code = ?, reason_params = ?, finished_at = ?, due_at = NULL WHERE entry_id = ? AND ${PENDING_SQL}`,
  /** `count` runs in one statement; values in the order of `runValues`. */
  insertRuns: (count: number) =>
    `INSERT INTO robot_runs (entry_id, entity_type, entity_id, pipeline, stage, robot_id, robot_type, position, status, due_at, waits_for,
      attempts, causal_depth, detail, last_error, locked_by, started_at, finished_at, created_at)
    VALUES ${Array.from({ length: count }, () => "(?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, 0, ?, ?, NULL, NULL, NULL, NULL, ?)").join(', ')}`,
  openCount: `SELECT COUNT(*) AS count FROM robot_runs WHERE status IN (${OPEN_STATUSES.map((status) => `'${status}'`).join(', ')}) AND due_at IS NOT NULL`,
  countByStatus: 'SELECT status, COUNT(*) AS count FROM robot_runs GROUP BY status',
  nextDueAt: `SELECT MIN(due_at) AS due FROM robot_runs WHERE ${PENDING_SQL} AND due_at IS NOT NULL`,
  oldestDue: `SELECT MIN(due_at) AS due FROM robot_runs WHERE ${PENDING_SQL} AND due_at <= ?`,
  /**
   * Takes up to `limit` due runs and marks them running in one statement, so two workers never
   * take the same run (Postgres: SKIP LOCKED; SQLite: the single writer). Written as
   * WITH … UPDATE … RETURNING: TypeORM's SQLite runner sends statements that begin with UPDATE
   * through run(), which drops the RETURNING rows.
   */
  claimDue: (skipLocked: boolean, excludedTypes = 0) => `WITH due AS (
        SELECT id FROM robot_runs WHERE ${PENDING_SQL} AND due_at IS NOT NULL AND due_at <= ?${excludedTypes > 0 ? ` AND robot_type NOT IN (${Array.from({ length: excludedTypes }, () => '?').join(', ')})` : ''}
        ORDER BY due_at, id LIMIT ? ${skipLocked ? 'FOR UPDATE SKIP LOCKED' : ''})
      UPDATE robot_runs SET status = 'running', locked_by = ?, started_at = ?, lease_until = ?
      WHERE id IN (SELECT id FROM due)
      RETURNING *`,
  /** A working worker pushes its leases forward; a stopped one cannot, and the reaper takes them. */
  renewLeases: (count: number) => `UPDATE robot_runs SET lease_until = ? WHERE status = 'running' AND locked_by = ? AND id IN (${Array.from({ length: count }, () => '?').join(', ')})`,
  /** The same on Postgres, one text for any count (prepared once): the ids as one array. */
  renewLeasesArray: "UPDATE robot_runs SET lease_until = ? WHERE status = 'running' AND locked_by = ? AND id = ANY(?::integer[])",
  expiredLeases: "SELECT * FROM robot_runs WHERE status = 'running' AND (lease_until IS NULL OR lease_until < ?) ORDER BY id LIMIT ?",
  /**
   * The outcomes of many runs in one statement, from one JSON array (one text for any count, so
   * it is prepared once): each row is written only while its run is still `running` under the
   * lock that claimed it, and the ids written come back. A run whose lease was lost meanwhile
   * (the reaper took it back, another worker holds it now) is left as it is.
   */
  finishMany: `UPDATE robot_runs SET status = v.status, detail = v.detail, reason_code = v.reason_code, reason_params = v.reason_params,
      last_error = v.last_error, attempts = v.attempts, due_at = v.due_at, finished_at = v.finished_at, locked_by = NULL, lease_until = NULL
    FROM json_to_recordset(?::json) AS v(id integer, locked_by text, status text, detail text, reason_code text, reason_params text, last_error text, attempts integer, due_at bigint, finished_at bigint)
    WHERE robot_runs.id = v.id AND robot_runs.status = 'running' AND robot_runs.locked_by = v.locked_by
    RETURNING robot_runs.id`,
  /** The same for one run (SQLite, whose group commit batches the writes already). */
  finishOne: `UPDATE robot_runs SET status = ?, detail = ?, reason_code = ?, reason_params = ?, last_error = ?, attempts = ?, due_at = ?, finished_at = ?,
      locked_by = NULL, lease_until = NULL
    WHERE id = ? AND status = 'running' AND locked_by IS ?
    RETURNING id`,
} as const;

/** A run as it is written when its stage is entered. */
export type NewRun = Pick<RobotRunRow, 'entryId' | 'entityType' | 'entityId' | 'pipeline' | 'stage' | 'robotId' | 'robotType' | 'position' | 'dueAt' | 'waitsFor' | 'causalDepth' | 'detail' | 'createdAt'>;

/** The parameters of one run in `RUN_SQL.insertRuns`. */
export function runValues(run: NewRun): unknown[] {
  return [run.entryId, run.entityType, run.entityId, run.pipeline, run.stage, run.robotId, run.robotType, run.position, run.dueAt, run.waitsFor, run.causalDepth, run.detail, run.createdAt];
}

/** How a run ended (or when it runs again): written only while the run is still `running`. */
export interface RunFinish {
  status: RunStatus;
  detail: string | null;
  /** The same as a code the web app translates; the status's default code when absent. */
  reason?: RunReason;
  lastError?: string | null;
  dueAt?: number | null;
  attempts?: number;
  /** A branch's choice: of the robots waiting for this run, only these run; the others are cancelled. */
  release?: string[];
}

export interface RunFilter {
  status?: RunStatus;
  robotId?: string;
  item?: { kind: RobotRunRow['entityType']; id: number };
  limit?: number;
}

/** One run's outcome waiting for the next batched write. */
interface PendingFinish {
  row: { id: number } & Record<string, unknown>;
  resolve(written: boolean): void;
  reject(error: unknown): void;
}

export class RunQueue {
  /** Outcomes waiting to be written together; see finishBatched. */
  private pendingFinishes: PendingFinish[] = [];
  private finishing = false;

  constructor(private readonly store: Store) {}

  private get manager(): EntityManager {
    return this.store.manager;
  }

  // ── inside a move's transaction ─────────────────────────────────────────────────────────

  /** The runs of a stage just entered, in the move's transaction. */
  async insert(manager: EntityManager, runs: NewRun[]): Promise<RobotRunRow[]> {
    if (runs.length === 0) return [];
    const ids = await insertSql(manager, RUN_SQL.insertRuns(runs.length), runs.flatMap(runValues), runs.length);
    if (ids.length !== runs.length) throw new Error(`inserted ${runs.length} runs but the database returned ${ids.length} ids`);
    return runs.map((run, index) => ({ ...run, id: ids[index]!, status: 'scheduled', attempts: 0, lastError: null, lockedBy: null, leaseUntil: null, startedAt: null, finishedAt: null }));
  }

  /**
   * Runs of a stage entry that do not run this time (a re-entry their `reenter:` rule skips):
   * written as skipped with why, so the item's timeline says so. In the move's transaction.
   */
  async insertSkipped(manager: EntityManager, runs: NewRun[], reason: RunReason, now: number): Promise<void> {
    if (runs.length === 0) return;
    const saved = await this.insert(manager, runs);
    await manager.update(RobotRunEntity, { id: In(saved.map((run) => run.id)) }, { status: 'skipped', reasonCode: reason.code, reasonParams: reason.params ?? {}, finishedAt: now, dueAt: null });
  }

  /**
   * A run timed from a date field whose value changed: still scheduled (not running, not a retry),
   * it is due at the new time, or waits (null) for the field to be set again.
   */
  async moveDue(manager: EntityManager, runId: number, dueAt: number | null, detail: string, reason: RunReason): Promise<void> {
    await manager.update(RobotRunEntity, { id: runId, status: 'scheduled' }, { dueAt, detail, reasonCode: reason.code, reasonParams: reason.params ?? {} });
  }

  /** Leaving a stage cancels the pending runs of that entry (semantics 4). */
  cancelPendingOfEntry(manager: EntityManager, entryId: number, detail: string, reason: RunReason, now: number): Promise<void> {
    return runSql(manager, RUN_SQL.cancelPendingOfEntry, [detail, reason.code, JSON.stringify(reason.params ?? {}), now, entryId]);
  }

  /**
   * The item changed: its pending `robotType` runs of this entry are looked at now rather than at
   * their next recheck (a `wait_for` whose condition may hold). Returns how many.
   */
  async dueNow(manager: EntityManager, entryId: number, robotType: string, now: number): Promise<number> {
    const rows = await allSql(manager, "UPDATE robot_runs SET due_at = ? WHERE entry_id = ? AND robot_type = ? AND status = 'scheduled' AND due_at > ? RETURNING id", [now, entryId, robotType, now]);
    return rows.length;
  }

  /** Cancels the given runs if they are still pending; the others are left as they are. */
  async cancelPending(ids: number[], detail: string, reason: RunReason, now: number, outer?: EntityManager): Promise<void> {
    if (ids.length === 0) return;
    await this.store.transaction(
      (manager) =>
        manager.update(RobotRunEntity, { id: In(ids), status: In([...PENDING_STATUSES]) }, { status: 'cancelled', detail, reasonCode: reason.code, reasonParams: reason.params ?? {}, finishedAt: now, dueAt: null }),
      outer,
    );
  }

  /** The pending runs of these items, all their entries (items merged away), cancelled inside the caller's transaction. */
  async cancelPendingOfItems(manager: EntityManager, kind: 'lead' | 'deal', ids: number[], detail: string, reason: RunReason, now: number): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await allSql(
      manager,
      `UPDATE robot_runs SET status = 'cancelled', detail = ?, reason_code = ?, reason_params = ?, finished_at = ?, due_at = NULL WHERE entity_type = ? AND entity_id IN (${ids.map(() => '?').join(', ')}) AND ${PENDING_SQL} RETURNING id`,
      [detail, reason.code, JSON.stringify(reason.params ?? {}), now, kind, ...ids],
    );
    return rows.length;
  }

  // ── the worker ────────────────────────────────────────────────────────────────────────

  /** `excludedTypes`: robot types this worker has no slot for now (scheduler lanes); their runs stay for another worker or later. */
  async claimDue(now: number, limit: number, workerId: string, leaseMs: number, excludedTypes: readonly string[] = []): Promise<RobotRunRow[]> {
    const sql = RUN_SQL.claimDue(this.store.kind === 'postgres', excludedTypes.length);
    // One statement is atomic on its own; on SQLite it only has to wait its turn for the connection.
    const raw = await this.store.serialized((manager) => allSql(manager, sql, [now, ...excludedTypes, limit, workerId, now, now + leaseMs]));
    return raw.map((row) => hydrate(this.manager, RobotRunEntity, row)).sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0) || a.id - b.id);
  }

  async nextDueAt(): Promise<number | null> {
    const [row] = await allSql(this.manager, RUN_SQL.nextDueAt, []);
    return row?.due === null || row?.due === undefined ? null : Number(row.due);
  }

  async renewLeases(ids: number[], workerId: string, until: number): Promise<void> {
    if (ids.length === 0) return;
    if (this.store.kind === 'postgres') await runSql(this.manager, RUN_SQL.renewLeasesArray, [until, workerId, ids]);
    else await this.store.serialized((manager) => runSql(manager, RUN_SQL.renewLeases(ids.length), [until, workerId, ...ids]));
  }

  /** Runs left `running` by a worker that stopped (kill -9, lost connection): their lease ran out. */
  async expiredLeases(now: number, limit = 100): Promise<RobotRunRow[]> {
    const raw = await allSql(this.manager, RUN_SQL.expiredLeases, [now, limit]);
    return raw.map((row) => hydrate(this.manager, RobotRunEntity, row));
  }

  /**
   * Takes back a run whose lease expired, if it still is as the reaper saw it: `scheduled`
   * again when re-running is safe, or a final status (`unknown`) when a send is in doubt.
   */
  async reclaim(manager: EntityManager, run: RobotRunRow, outcome: { status: 'scheduled' | 'unknown'; detail: string; reason: RunReason }, now: number): Promise<void> {
    const final = outcome.status !== 'scheduled';
    await updateById(
      manager,
      RobotRunEntity,
      run.id,
      {
        status: outcome.status,
        detail: outcome.detail,
        reasonCode: outcome.reason.code,
        reasonParams: outcome.reason.params ?? {},
        lockedBy: null,
        leaseUntil: null,
        finishedAt: final ? now : null,
        ...(final ? {} : { dueAt: run.dueAt ?? now }),
      },
      { status: 'running', lockedBy: run.lockedBy, leaseUntil: run.leaseUntil },
    );
  }

  /** Writes the outcome, only while the run is still ours (`running` under our lock). One statement. */
  finish(manager: EntityManager, run: RobotRunRow, finish: RunFinish, now: number): Promise<void> {
    return updateById(manager, RobotRunEntity, run.id, { ...finishedColumns(run, finish, now), lockedBy: null, leaseUntil: null }, { status: 'running', lockedBy: run.lockedBy });
  }

  /**
   * The same write for a run nothing waits for, made together with the outcomes of the other
   * runs finishing meanwhile: one statement for all of them (graphile-worker batches its
   * completions so), instead of one a run. While a batch is being written the next one
   * gathers. Resolves once the batch holding it is committed: true when it was written, false
   * when the run was no longer ours (its lease was lost) and nothing was.
   */
  async finishBatched(run: RobotRunRow, finish: RunFinish, now: number): Promise<boolean> {
    const columns = finishedColumns(run, finish, now);
    const row = {
      id: run.id,
      locked_by: run.lockedBy,
      status: columns.status,
      detail: columns.detail,
      reason_code: columns.reasonCode,
      // As the column keeps it: JSON text on both databases.
      reason_params: JSON.stringify(columns.reasonParams),
      last_error: columns.lastError,
      attempts: columns.attempts,
      due_at: columns.dueAt,
      finished_at: columns.finishedAt,
    };
    // SQLite already commits the writes of a moment together (one group commit); a JSON batch on
    // top of it only costs: measured 1,350 → 920 runs/s on the drain bench.
    if (this.store.kind !== 'postgres') {
      const parameters = [row.status, row.detail, row.reason_code, row.reason_params, row.last_error, row.attempts, row.due_at, row.finished_at, row.id, row.locked_by];
      const written = await this.store.serialized((manager) => allSql(manager, RUN_SQL.finishOne, parameters));
      return written.length > 0;
    }
    return new Promise<boolean>((resolve, reject) => {
      this.pendingFinishes.push({ row, resolve, reject });
      // The outcomes of the same turn of the event loop go in one batch.
      if (!this.finishing) {
        this.finishing = true;
        setImmediate(() => void this.writeFinishes());
      }
    });
  }

  private async writeFinishes(): Promise<void> {
    while (this.pendingFinishes.length > 0) {
      const batch = this.pendingFinishes.splice(0, FINISH_BATCH);
      try {
        const sql = RUN_SQL.finishMany;
        const payload = JSON.stringify(batch.map((pending) => pending.row));
        const rows = await this.store.serialized((manager) => allSql(manager, sql, [payload]));
        const written = new Set(rows.map((row) => Number(row.id)));
        for (const pending of batch) pending.resolve(written.has(pending.row.id));
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.finishing = false;
  }

  /** `after_robot:` followers of a finished run become due; `dueAtOf` says when, from their own delay. */
  async releaseFollowers(manager: EntityManager, run: RobotRunRow, dueAtOf: (follower: RobotRunRow) => number | null, only?: readonly string[], now = Date.now()): Promise<void> {
    const followers = await manager.find(RobotRunEntity, { where: { entryId: run.entryId, waitsFor: run.robotId, status: 'scheduled', dueAt: IsNull() } });
    const notChosen = only ? followers.filter((follower) => !only.includes(follower.robotId)).map((follower) => follower.id) : [];
    if (notChosen.length > 0) await this.cancelPending(notChosen, `not chosen by ${run.robotId}`, { code: 'cancelled.not_chosen', params: { robot: run.robotId } }, now, manager);
    for (const follower of followers) {
      if (notChosen.includes(follower.id)) continue;
      const dueAt = dueAtOf(follower);
      // Null: timed from a date field the item does not have yet; it waits for the field, no longer for this run.
      const changes =
        dueAt === null
          ? { dueAt: null, waitsFor: null, detail: 'waits for its date field to be set', reasonCode: 'scheduled.waiting_for_field' as const, reasonParams: {} }
          : { dueAt, detail: null, reasonCode: null, reasonParams: null };
      await updateById(manager, RobotRunEntity, follower.id, changes, { status: 'scheduled' });
    }
  }

  /** A cancelled predecessor cancels the runs that wait for it. */
  async cancelFollowers(manager: EntityManager, run: RobotRunRow, now: number): Promise<void> {
    const followers = await manager.find(RobotRunEntity, { where: { entryId: run.entryId, waitsFor: run.robotId, status: 'scheduled', dueAt: IsNull() }, select: ['id'] });
    const waiting = followers.map((follower) => follower.id);
    if (waiting.length > 0) await this.cancelPending(waiting, `${run.robotId} was cancelled`, { code: 'cancelled.predecessor_cancelled', params: { robot: run.robotId } }, now, manager);
  }

  // ── people and reloads ────────────────────────────────────────────────────────────────

  /** Puts a dead, failed or unknown run back in the queue, due now. Null when there is no such run. */
  async retry(manager: EntityManager, runId: number, detail: string, actor: string, now: number): Promise<{ before: RobotRunRow; after: RobotRunRow } | null> {
    const changes = { status: 'scheduled' as const, dueAt: now, attempts: 0, detail, reasonCode: 'scheduled.retried' as const, reasonParams: { by: actor }, finishedAt: null };
    for (let attempt = 1; ; attempt += 1) {
      const run = await manager.findOne(RobotRunEntity, { where: { id: runId } });
      if (!run) return null;
      if (!(RETRYABLE_STATUSES as readonly RunStatus[]).includes(run.status)) return { before: run, after: run };
      // Only while it is still as read: another person (or the reconciler) may have put it back
      // since, and a worker may be running it; an update by id alone would queue it a second time.
      const result = await manager.update(RobotRunEntity, { id: runId, status: run.status }, changes);
      if (result.affected === 1) return { before: run, after: { ...run, ...changes } };
      if (attempt >= 3) throw new Error(`run ${runId} kept changing while it was retried`);
    }
  }

  /**
   * A person decided a run in doubt needs nothing more (the message arrived after all, or no
   * longer matters): `unknown` → `cancelled`, with who said so. Null when it was not in doubt.
   */
  async settleUnknown(manager: EntityManager, runId: number, actor: string, now: number): Promise<RobotRunRow | null> {
    const run = await manager.findOne(RobotRunEntity, { where: { id: runId, status: 'unknown' } });
    if (!run) return null;
    const changes = { status: 'cancelled' as const, detail: `dropped by ${actor}: not resent`, finishedAt: now };
    const result = await manager.update(RobotRunEntity, { id: runId, status: 'unknown' }, changes);
    return result.affected === 1 ? { ...run, ...changes } : null;
  }

  /**
   * The provider was asked and has the message the run was in doubt about: `unknown` → `done`,
   * as if the answer had come back in time. Null when it was not in doubt.
   */
  async settleDelivered(manager: EntityManager, runId: number, outcome: { detail: string; reason: RunReason }, now: number): Promise<RobotRunRow | null> {
    const run = await manager.findOne(RobotRunEntity, { where: { id: runId, status: 'unknown' } });
    if (!run) return null;
    const changes = { status: 'done' as const, detail: outcome.detail, reasonCode: outcome.reason.code, reasonParams: outcome.reason.params ?? {}, finishedAt: now };
    const result = await manager.update(RobotRunEntity, { id: runId, status: 'unknown' }, changes);
    return result.affected === 1 ? { ...run, ...changes } : null;
  }

  /** Every pending run with the robot it belongs to: a reload checks them against the new config. */
  pendingPlacements(): Promise<Array<Pick<RobotRunRow, 'id' | 'entryId' | 'robotId' | 'stage' | 'pipeline' | 'dueAt' | 'waitsFor'>>> {
    return this.manager.find(RobotRunEntity, { where: { status: In([...PENDING_STATUSES]) }, select: ['id', 'entryId', 'robotId', 'stage', 'pipeline', 'dueAt', 'waitsFor'] });
  }

  /** Runs that were waiting become due at `dueAt` and wait for nothing (a reload dropped what they waited for). */
  async releaseWaiting(runs: Array<{ id: number; dueAt: number; detail: string }>): Promise<void> {
    if (runs.length === 0) return;
    await this.store.transaction(async (manager) => {
      for (const run of runs) await updateById(manager, RobotRunEntity, run.id, { dueAt: run.dueAt, waitsFor: null, detail: run.detail }, { status: 'scheduled' });
    });
  }

  pendingOfEntry(entryId: number, manager: EntityManager = this.manager): Promise<RobotRunRow[]> {
    return manager.find(RobotRunEntity, { where: { entryId, status: In([...PENDING_STATUSES]) } });
  }

  /** Runs pending or running with a due time: what `fastForward` waits on. */
  async openCount(): Promise<number> {
    const [row] = await allSql(this.manager, RUN_SQL.openCount, []);
    return Number(row?.count ?? 0);
  }

  /**
   * Deletes up to `limit` finished runs (done, skipped, cancelled) that finished before `before`
   * (the retention sweep); runs that may still run or need a person stay. One transaction, so on
   * SQLite it takes its turn among the group commits. The batch is read from past `afterId`: the
   * rows an earlier batch deleted are still in Postgres's index until a vacuum, and reading past
   * them again made each batch slower than the last (a 1 M-row sweep's passes grew to 12 s).
   * Returns what it deleted and the last id it looked at (the next batch's `afterId`).
   */
  async deleteFinishedBefore(before: number, limit: number, afterId = 0): Promise<{ deleted: number; lastId: number }> {
    const postgres = this.store.kind === 'postgres';
    const select = `SELECT id FROM robot_runs WHERE status IN ('done', 'skipped', 'cancelled') AND finished_at < ${postgres ? '$1' : '?'} AND id > ${postgres ? '$2' : '?'} ORDER BY id LIMIT ${Math.trunc(limit)}`;
    return this.store.transaction(async (manager) => {
      const ids = ((await manager.query(select, [before, afterId])) as Array<{ id: number | string }>).map((row) => Number(row.id));
      if (ids.length === 0) return { deleted: 0, lastId: afterId };
      const list = ids.map((_, index) => (postgres ? `$${index + 1}` : '?')).join(', ');
      const deleted = await deletedRows(manager, await manager.query(`DELETE FROM robot_runs WHERE id IN (${list})`, ids), postgres);
      return { deleted, lastId: ids[ids.length - 1]! };
    });
  }

  /** The due time of the oldest run waiting to be claimed, if any is due by `now`. */
  async oldestDueAt(now: number): Promise<number | null> {
    const [row] = await allSql(this.manager, RUN_SQL.oldestDue, [now]);
    return row?.due === null || row?.due === undefined ? null : Number(row.due);
  }

  async countByStatus(): Promise<Record<RunStatus, number>> {
    const rows = await allSql(this.manager, RUN_SQL.countByStatus, []);
    const counts = { scheduled: 0, running: 0, done: 0, skipped: 0, cancelled: 0, failed: 0, dead: 0, unknown: 0 } as Record<RunStatus, number>;
    for (const row of rows) counts[row.status as RunStatus] = Number(row.count);
    return counts;
  }

  /** The stage entry a run belongs to: its robot's side effects end when the item leaves it. */
  entryOf(runId: number): Promise<number | null> {
    return this.manager.findOne(RobotRunEntity, { where: { id: runId }, select: ['id', 'entryId'] }).then((run) => run?.entryId ?? null);
  }

  robotIdOf(runId: number): Promise<string | null> {
    return this.manager.findOne(RobotRunEntity, { where: { id: runId }, select: ['id', 'robotId'] }).then((run) => run?.robotId ?? null);
  }

  /**
   * One robot at a glance (the studio's map): its runs waiting now, and how its runs that
   * finished since `since` ended.
   */
  async robotActivity(robotId: string, since: number): Promise<{ pending: number; finished: Record<'done' | 'skipped' | 'failed' | 'unknown' | 'dead' | 'cancelled', number> }> {
    const [pending] = await allSql(this.manager, `SELECT COUNT(*) AS count FROM robot_runs WHERE robot_id = ? AND ${PENDING_SQL}`, [robotId]);
    const rows = await allSql(
      this.manager,
      "SELECT status, COUNT(*) AS count FROM robot_runs WHERE robot_id = ? AND status IN ('done', 'skipped', 'failed', 'unknown', 'dead', 'cancelled') AND COALESCE(finished_at, created_at) >= ? GROUP BY status",
      [robotId, since],
    );
    const finished = { done: 0, skipped: 0, failed: 0, unknown: 0, dead: 0, cancelled: 0 };
    for (const row of rows) if (String(row.status) in finished) finished[String(row.status) as keyof typeof finished] = Number(row.count);
    return { pending: Number(pending?.count ?? 0), finished };
  }

  /** Newest first, for the API's run list. */
  list(filter: RunFilter): Promise<RobotRunRow[]> {
    return this.manager.find(RobotRunEntity, {
      where: {
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.robotId ? { robotId: filter.robotId } : {}),
        ...(filter.item ? { entityType: filter.item.kind, entityId: filter.item.id } : {}),
      },
      order: { id: 'DESC' },
      take: filter.limit,
    });
  }

  /** Every run of an item, oldest first, for its timeline. */
  ofItem(manager: EntityManager, item: { kind: RobotRunRow['entityType']; id: number }): Promise<RobotRunRow[]> {
    return manager.find(RobotRunEntity, { where: { entityType: item.kind, entityId: item.id }, order: { id: 'ASC' } });
  }
}

/** Outcomes written in one statement at most: a claim takes 64 runs, and a few claims may finish together. */
const FINISH_BATCH = 256;

/** A run's columns once it has ended (or is due again), as `finish` and `finishBatched` write them. */
function finishedColumns(run: RobotRunRow, finish: RunFinish, now: number): Pick<RobotRunRow, 'status' | 'detail' | 'reasonCode' | 'reasonParams' | 'lastError' | 'attempts' | 'dueAt' | 'finishedAt'> {
  const final = finish.status !== 'failed' && finish.status !== 'scheduled';
  return {
    status: finish.status,
    detail: finish.detail,
    reasonCode: finish.reason?.code ?? defaultReasonCode(finish.status),
    reasonParams: finish.reason?.params ?? {},
    lastError: finish.lastError ?? null,
    attempts: finish.attempts ?? run.attempts,
    // A finished run keeps the time it was due, so the timeline can say how late it ran.
    dueAt: final ? run.dueAt : (finish.dueAt ?? null),
    finishedAt: final ? now : null,
  };
}

/** How many rows a DELETE just removed: Postgres answers [rows, count]; SQLite tells through changes(). */
export async function deletedRows(manager: EntityManager, result: unknown, postgres: boolean): Promise<number> {
  if (postgres) return Number((result as [unknown, number])[1] ?? 0);
  const [row] = (await manager.query('SELECT changes() AS count')) as Array<{ count: number }>;
  return Number(row?.count ?? 0);
}
