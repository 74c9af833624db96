import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../server/db/data-source';
import { TEST_POSTGRES_URL } from './global-setup';

export type DatabaseKind = 'sqlite' | 'postgres';

/** The databases every integration test runs on: a real SQLite file, and real Postgres. */
export function testDatabaseKinds(): DatabaseKind[] {
  return process.env.ROBOTS_TEST_POSTGRES === 'no' ? ['sqlite'] : ['sqlite', 'postgres'];
}

export interface TestDatabase {
  dataSource: DataSource;
  cleanup(): Promise<void>;
}

/** A fresh, migrated database: a temp SQLite file, or a Postgres schema of its own. */
export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-test-'));
    const dataSource = await openDatabase({ sqlitePath: path.join(dir, 'robots.sqlite') });
    return {
      dataSource,
      cleanup: async () => {
        await dataSource.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `robots_test_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  const dataSource = await openDatabase({ url: TEST_POSTGRES_URL, schema });
  return {
    dataSource,
    cleanup: async () => {
      await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await dataSource.destroy();
    },
  };
}
