import type { DataSource, EntityManager } from 'typeorm';
import { sqliteTransaction } from './hot-path';
import {
  ApiTokenEntity, CompanyEntity, ContactEntity, DealEntity, EventEntity, LeadEntity, MessageEntity, RobotRunEntity,
  StageEntryEntity, TaskEntity, UserEntity, type RobotRunRow,
} from './entities';

/**
 * The database as the engine sees it. TypeORM's SQLite driver shares one connection, so two
 * overlapping transactions would nest as savepoints of each other; writes on SQLite are
 * therefore queued here, one transaction at a time (SQLite has one writer anyway).
 */
export class Store {
  readonly kind: 'sqlite' | 'postgres';
  private writeQueue: Promise<unknown> = Promise.resolve();

  constructor(readonly dataSource: DataSource) {
    this.kind = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** One transaction; `outer` joins a transaction already under way (a robot moving an item). */
  transaction<T>(work: (manager: EntityManager) => Promise<T>, outer?: EntityManager): Promise<T> {
    if (outer) return work(outer);
    if (this.kind === 'postgres') return this.dataSource.transaction(work);
    const result = this.writeQueue.then(() => this.dataSource.transaction(work));
    this.writeQueue = result.catch(() => undefined);
    return result;
  }

  /**
   * A transaction for work that uses only the plain-SQL helpers of hot-path.ts (a move): on
   * SQLite it skips TypeORM's transaction machinery; elsewhere it is `transaction`.
   */
  plainTransaction<T>(work: (manager: EntityManager) => Promise<T>, outer?: EntityManager): Promise<T> {
    if (outer || this.kind === 'postgres') return this.transaction(work, outer);
    return this.serialized(() => sqliteTransaction(this.manager, () => work(this.manager)));
  }

  /** Runs single statements in the SQLite write queue, outside any transaction of another caller. */
  serialized<T>(work: () => Promise<T>): Promise<T> {
    if (this.kind === 'postgres') return work();
    const result = this.writeQueue.then(work);
    this.writeQueue = result.catch(() => undefined);
    return result;
  }

  /**
   * Takes up to `limit` due runs and marks them running in one statement, so two workers
   * never take the same run (Postgres: SKIP LOCKED; SQLite: the single writer).
   */
  async claimDueRuns(now: number, limit: number, workerId: string): Promise<RobotRunRow[]> {
    const metadata = this.dataSource.getMetadata(RobotRunEntity);
    const skipLocked = this.kind === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
    // Parameters are numbered in the order they appear, so SQLite's positional `?` lines up too.
    const parameter = (index: number) => (this.kind === 'postgres' ? `$${index}` : '?');
    // Written as WITH … UPDATE … RETURNING: TypeORM's SQLite runner sends statements that begin
    // with UPDATE through run(), which drops the RETURNING rows.
    const sql = `WITH due AS (
        SELECT id FROM robot_runs WHERE status IN ('scheduled', 'failed') AND due_at IS NOT NULL AND due_at <= ${parameter(1)}
        ORDER BY due_at, id LIMIT ${parameter(2)} ${skipLocked})
      UPDATE robot_runs SET status = 'running', locked_by = ${parameter(3)}, started_at = ${parameter(4)}
      WHERE id IN (SELECT id FROM due)
      RETURNING *`;
    const run = (manager: EntityManager) => manager.query(sql, [now, limit, workerId, now]);
    // One statement is atomic on its own; on SQLite it only has to wait its turn for the connection.
    const raw: Array<Record<string, unknown>> = this.kind === 'postgres' ? await run(this.manager) : await this.serialized(() => run(this.manager));
    const rows = Array.isArray(raw[0]) ? (raw[0] as Array<Record<string, unknown>>) : raw;
    return rows
      .map((row) => fromRaw<RobotRunRow>(row, metadata.columns))
      .sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0) || a.id - b.id);
  }

  /** The earliest moment a run (or a task's overdue check) becomes due, so a worker sleeps exactly until then. */
  async nextDueAt(): Promise<number | null> {
    const row = await this.manager
      .createQueryBuilder(RobotRunEntity, 'run')
      .select('MIN(run.due_at)', 'due')
      .where("run.status IN ('scheduled', 'failed') AND run.due_at IS NOT NULL")
      .getRawOne<{ due: string | number | null }>();
    const task = await this.manager
      .createQueryBuilder(TaskEntity, 'task')
      .select('MIN(task.due_at)', 'due')
      .where("task.status = 'open' AND task.overdue_at IS NULL AND task.due_at IS NOT NULL")
      .getRawOne<{ due: string | number | null }>();
    const times = [row?.due, task?.due].filter((due) => due !== null && due !== undefined).map(Number);
    return times.length ? Math.min(...times) : null;
  }
}

function fromRaw<T>(row: Record<string, unknown>, columns: Array<{ propertyName: string; databaseName: string; type: unknown; transformer?: unknown }>): T {
  const result: Record<string, unknown> = {};
  for (const column of columns) {
    const value = row[column.databaseName];
    if (value === undefined || value === null) result[column.propertyName] = value ?? null;
    else if (column.type === 'bigint' || column.type === 'integer') result[column.propertyName] = Number(value);
    else result[column.propertyName] = value;
  }
  return result as T;
}

export const entities = {
  User: UserEntity,
  ApiToken: ApiTokenEntity,
  Lead: LeadEntity,
  Deal: DealEntity,
  Contact: ContactEntity,
  Company: CompanyEntity,
  StageEntry: StageEntryEntity,
  RobotRun: RobotRunEntity,
  Message: MessageEntity,
  Event: EventEntity,
  Task: TaskEntity,
};
