import type { DataSource, EntityManager } from 'typeorm';
import { sqliteStatement } from './hot-path';
import { DatabaseUnavailableError } from '../core/errors';
import { sqliteFileWatchOf, type SqliteFileWatch } from './sqlite-file';
import { ApiTokenEntity, CompanyEntity, ContactEntity, DealEntity, EventEntity, LeadEntity, MessageEntity, RobotRunEntity, StageEntryEntity, TaskEntity, UserEntity } from './entities';

/**
 * BEGIN IMMEDIATE answers SQLITE_BUSY at once, without waiting out busy_timeout, when this
 * connection is still reading an older snapshot (another reader of ours is mid-statement and
 * another process has committed since). That passes in milliseconds: try again a while.
 */
async function beginImmediate(manager: EntityManager): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await sqliteStatement(manager, 'BEGIN IMMEDIATE');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, attempt * 2)));
    }
  }
}

/** How many waiting transactions one SQLite commit may carry. */
const MAX_GROUP = 256;

interface Job {
  work: (manager: EntityManager) => Promise<unknown>;
  /**
   * One statement: atomic by itself (a failing statement is undone alone and leaves the
   * transaction as it was), so it needs no savepoint of its own — two round trips saved.
   */
  atomic: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The database as the engine sees it.
 *
 * SQLite has one writer and TypeORM's driver one connection, so writes are queued here — and
 * committed in groups (group commit): the transactions waiting while one commits are run
 * together in the next BEGIN IMMEDIATE … COMMIT, each inside its own SAVEPOINT so one that
 * fails is rolled back alone, and each caller is answered only after the COMMIT that holds
 * its writes. A burst of moves, runs or form posts then costs one commit, not one each. The
 * statements go straight to the connection (hot-path.ts), skipping TypeORM's transaction
 * machinery; work inside uses `manager` for reads and writes but never starts a transaction of
 * its own (no `manager.save`, which would).
 *
 * Postgres runs transactions concurrently from its pool.
 */
export class Store {
  readonly kind: 'sqlite' | 'postgres';
  private waiting: Job[] = [];
  private committing = false;

  /** A SQLite file's watch: once the path names another file, or none, writes are refused. */
  private readonly fileWatch: SqliteFileWatch | undefined;

  constructor(readonly dataSource: DataSource) {
    this.kind = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
    this.fileWatch = sqliteFileWatchOf(dataSource);
  }

  /** What is wrong with the database file now (looked at again), or null: /healthz asks. */
  fileProblem(): string | null {
    return this.fileWatch?.check() ?? null;
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** One transaction; `outer` joins a transaction already under way (a robot moving an item). */
  transaction<T>(work: (manager: EntityManager) => Promise<T>, outer?: EntityManager): Promise<T> {
    if (outer) return work(outer);
    if (this.kind === 'postgres') return this.dataSource.transaction(work);
    return this.enqueue(work);
  }

  /**
   * Exactly one statement that writes (a claim, a lease renewal, a run's outcome): on SQLite it
   * waits its turn in the write queue and joins the next group commit; on Postgres it runs on
   * its own. `work` must send one statement and nothing else.
   */
  serialized<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.kind === 'postgres') return work(this.manager);
    return this.enqueue(work, true);
  }

  /** Resolves once no transaction is waiting or committing: what closing the database waits for. */
  async settled(): Promise<void> {
    while (this.committing || this.waiting.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  private enqueue<T>(work: (manager: EntityManager) => Promise<T>, atomic = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, atomic, resolve: resolve as (value: unknown) => void, reject });
      if (!this.committing) void this.commitGroups();
    });
  }

  private async commitGroups(): Promise<void> {
    this.committing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, MAX_GROUP);
        await this.commitGroup(group);
      }
    } finally {
      this.committing = false;
    }
  }

  private async commitGroup(group: Job[]): Promise<void> {
    const manager = this.manager;
    const settled: Array<{ job: Job; outcome: { ok: true; value: unknown } | { ok: false; error: unknown } }> = [];
    // Looked at once a group commit (one stat): a file moved away since must not take these writes.
    const gone = this.fileWatch?.check();
    if (gone) {
      for (const job of group) job.reject(new DatabaseUnavailableError(gone));
      return;
    }
    try {
      await beginImmediate(manager);
      // The group's own savepoint is the canary: SQLite may roll a whole transaction back by
      // itself after some errors (SQLITE_BUSY, SQLITE_FULL …); then this savepoint is gone and
      // releasing it fails, so no job is told its writes committed when they did not.
      await sqliteStatement(manager, 'SAVEPOINT grouped');
    } catch (error) {
      await sqliteStatement(manager, 'ROLLBACK').catch(() => undefined);
      for (const job of group) job.reject(error);
      return;
    }
    for (const job of group) {
      if (job.atomic) {
        settled.push({
          job,
          outcome: await job.work(manager).then(
            (value) => ({ ok: true as const, value }),
            (error: unknown) => ({ ok: false as const, error }),
          ),
        });
        continue;
      }
      try {
        await sqliteStatement(manager, 'SAVEPOINT job');
        const value = await job.work(manager);
        await sqliteStatement(manager, 'RELEASE job');
        settled.push({ job, outcome: { ok: true, value } });
      } catch (error) {
        await sqliteStatement(manager, 'ROLLBACK TO job').catch(() => undefined);
        await sqliteStatement(manager, 'RELEASE job').catch(() => undefined);
        settled.push({ job, outcome: { ok: false, error } });
      }
    }
    try {
      await sqliteStatement(manager, 'RELEASE grouped');
      await sqliteStatement(manager, 'COMMIT');
    } catch (error) {
      await sqliteStatement(manager, 'ROLLBACK').catch(() => undefined);
      for (const job of group) job.reject(error);
      return;
    }
    for (const { job, outcome } of settled) {
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    }
  }
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
