import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';

export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Decides once whether the Postgres half of the suite runs. In CI a missing Postgres is a
 * failure, never a silent skip; on a laptop without one the SQLite half still runs.
 */
export default async function globalSetup(): Promise<void> {
  buildTheBoard();
  const client = new Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    process.env.ROBOTS_TEST_POSTGRES = 'yes';
    // Drop schemas left behind by interrupted runs; only old ones, so a run going on beside
    // this one (another terminal, another developer) keeps its live schemas.
    const stale = await client.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'robots_test_%'");
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    for (const row of stale.rows as Array<{ nspname: string }>) {
      const createdAt = Number(row.nspname.split('_')[2]);
      if (!Number.isFinite(createdAt) || createdAt < hourAgo) await client.query(`DROP SCHEMA IF EXISTS "${row.nspname}" CASCADE`);
    }
  } catch (error) {
    if (process.env.CI) throw new Error(`Postgres at ${TEST_POSTGRES_URL} is required in CI: ${(error as Error).message}`, { cause: error });
    process.env.ROBOTS_TEST_POSTGRES = 'no';
    console.warn(`\n⚠ Postgres unreachable at ${TEST_POSTGRES_URL}: running the SQLite half only (${(error as Error).message})\n`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The pages under test are the built app (web/dist): built here when missing or older than web/src. */
function buildTheBoard(): void {
  const script = path.join(__dirname, '..', '..', 'scripts', 'ensure-web-build.js');
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the board (web/) did not build: see the Vite output above');
}
