import { migrations } from '../../server/db/migrations';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase } from '../../server/db/data-source';
import { TEST_POSTGRES_URL } from '../support/global-setup';
import { testDatabaseKinds } from '../support/databases';

const postgres = testDatabaseKinds().includes('postgres');

describe('starting on a fresh Postgres', () => {
  (postgres ? it : it.skip)('three processes starting together all come up: one migrates, the others wait for it', async () => {
    const schema = `robots_test_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
    const opened = await Promise.allSettled([1, 2, 3].map(() => openDatabase({ url: TEST_POSTGRES_URL, schema })));
    try {
      expect(opened.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      const [first] = opened;
      if (first?.status !== 'fulfilled') throw new Error('the first process did not open the database');
      const applied = await first.value.query('SELECT name FROM migrations ORDER BY id');
      expect(applied.map((row: { name: string }) => row.name)).toEqual(migrations.map((migration) => new migration().name)); // each applied exactly once
    } finally {
      for (const result of opened) if (result.status === 'fulfilled') await result.value.destroy();
      const client = new Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });
});
