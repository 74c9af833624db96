import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { allEntities } from './entities';
import { migrations } from './migrations';
import { finalizeStatements } from './hot-path';
import { markInstall, refuseMissingDatabase, watchSqliteFile } from './sqlite-file';

export { DatabaseMissingError } from './sqlite-file';

export interface DatabaseOptions {
  /** `postgres://…` selects Postgres; otherwise a SQLite file path (or `:memory:`). */
  url?: string;
  sqlitePath?: string;
  /** Postgres schema to work in (tests give every file its own). */
  schema?: string;
  logging?: boolean;
}

export const DEFAULT_SQLITE_PATH = path.join('data', 'robots.sqlite');

export function describeDatabase(options: DatabaseOptions): string {
  return options.url && isPostgresUrl(options.url) ? `postgres ${redact(options.url)}` : `sqlite ${sqliteFile(options)}`;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

const untracedSqlite3 = Object.assign(Object.create(sqlite3) as typeof sqlite3, { verbose: () => sqlite3 });

export function sqliteFile(options: DatabaseOptions): string {
  return options.sqlitePath ?? (options.url?.replace(/^sqlite:(\/\/)?/, '') || DEFAULT_SQLITE_PATH);
}

export function dataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  const common = { entities: allEntities, migrations, logging: options.logging ?? false, synchronize: false } as const;
  if (options.url && isPostgresUrl(options.url)) {
    return {
      ...common,
      type: 'postgres',
      url: options.url,
      schema: options.schema,
      extra: options.schema ? { options: `-c search_path=${options.schema}`, max: 10 } : { max: 10 },
    };
  }
  const database = sqliteFile(options);
  if (database !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(database)), { recursive: true });
  return {
    ...common,
    type: 'sqlite',
    database,
    // TypeORM calls verbose() on the driver it is given; sqlite3's verbose mode captures a stack
    // and inspects every argument of every statement, which halves throughput. Keep it off.
    driver: untracedSqlite3,
    // WAL lets readers proceed during a write; busy_timeout makes a second process wait instead of failing.
    enableWAL: true,
    busyTimeout: 5000,
    busyErrorRetry: 50,
  } as DataSourceOptions;
}

export async function openDatabase(options: DatabaseOptions, { migrate = true, init = false } = {}): Promise<DataSource> {
  if (options.url && isPostgresUrl(options.url) && options.schema) await ensurePostgresSchema(options.url, options.schema);
  const postgres = Boolean(options.url && isPostgresUrl(options.url));
  const file = postgres ? null : sqliteFile(options);
  const onDisk = file !== null && file !== ':memory:';
  if (onDisk) refuseMissingDatabase(file, init);
  const dataSource = new DataSource(dataSourceOptions(options));
  await dataSource.initialize();
  if (onDisk) watchSqliteFile(dataSource, file);
  if (onDisk) markInstall(file);
  if (dataSource.options.type === 'sqlite') {
    const destroy = dataSource.destroy.bind(dataSource);
    dataSource.destroy = async () => {
      await finalizeStatements((dataSource.driver as unknown as { databaseConnection?: object }).databaseConnection);
      return destroy();
    };
  }
  if (dataSource.options.type === 'sqlite') beginImmediately(dataSource);
  // In WAL mode NORMAL keeps every commit atomic and durable across a crash of the process,
  // and skips the fsync per commit (TypeORM's sqlite driver has no option for it).
  if (dataSource.options.type === 'sqlite') await dataSource.query('PRAGMA synchronous = NORMAL');
  if (migrate) await migrateUnderLock(dataSource, options.schema);
  return dataSource;
}

/**
 * TypeORM opens SQLite transactions with a plain BEGIN (deferred): the write lock is taken at
 * the first write, and if another process wrote meanwhile SQLite answers SQLITE_BUSY at once —
 * busy_timeout cannot help a transaction whose snapshot is already stale. BEGIN IMMEDIATE
 * takes the write lock first, waiting its turn under busy_timeout, so two processes on one
 * file (a worker beside `serve`, the CLI) queue instead of failing. The SQLite driver has one
 * query runner, so rewriting its BEGIN once covers every transaction.
 */
function beginImmediately(dataSource: DataSource): void {
  const runner = dataSource.driver.createQueryRunner('master');
  const query = runner.query.bind(runner) as (sql: string, ...rest: unknown[]) => Promise<unknown>;
  Object.assign(runner, { query: (sql: string, ...rest: unknown[]) => query(sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql, ...rest) });
}

/**
 * Any number of processes may start together on one database: the first to take the lock
 * migrates, the others wait for it and then find nothing left to do. Postgres: an advisory lock
 * (without it two concurrent CREATE TABLEs collide in pg_type). SQLite: the file's write lock,
 * held from before TypeORM looks for its migrations table until the last migration commits —
 * two processes each creating that table, or adding one column twice, stopped one of them.
 */
export async function migrateUnderLock(dataSource: DataSource, schema = 'public'): Promise<void> {
  if (dataSource.options.type !== 'postgres') {
    // busy_timeout makes a twin wait here for the write lock instead of failing.
    await dataSource.query('BEGIN IMMEDIATE');
    try {
      await dataSource.runMigrations({ transaction: 'none' });
      await dataSource.query('COMMIT');
    } catch (error) {
      await dataSource.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    return;
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const key = `robots-migrations:${schema}`;
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
    await runner.release();
  }
}

async function ensurePostgresSchema(url: string, schema: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '')}"`);
  } catch (error) {
    // Two processes creating the same schema at once: the loser's IF NOT EXISTS still trips the unique index.
    if ((error as { code?: string }).code !== '23505') throw error;
  } finally {
    await client.end();
  }
}
