import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { DataSource, DataSourceOptions } from 'typeorm';
import { allEntities } from './entities';
import { migrations } from './migrations';
import { finalizeStatements } from './hot-path';

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

function sqliteFile(options: DatabaseOptions): string {
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

export async function openDatabase(options: DatabaseOptions, { migrate = true } = {}): Promise<DataSource> {
  if (options.url && isPostgresUrl(options.url) && options.schema) await ensurePostgresSchema(options.url, options.schema);
  const dataSource = new DataSource(dataSourceOptions(options));
  await dataSource.initialize();
  if (dataSource.options.type === 'sqlite') {
    const destroy = dataSource.destroy.bind(dataSource);
    dataSource.destroy = async () => {
      await finalizeStatements((dataSource.driver as unknown as { databaseConnection?: object }).databaseConnection);
      return destroy();
    };
  }
  // In WAL mode NORMAL keeps every commit atomic and durable across a crash of the process,
  // and skips the fsync per commit (TypeORM's sqlite driver has no option for it).
  if (dataSource.options.type === 'sqlite') await dataSource.query('PRAGMA synchronous = NORMAL');
  if (migrate) await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

async function ensurePostgresSchema(url: string, schema: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
}
