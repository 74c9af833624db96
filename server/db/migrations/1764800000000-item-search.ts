import type { MigrationInterface, QueryRunner } from 'typeorm';
import { itemSearchText } from '../../core/search-text';

const TABLES = ['leads', 'deals'] as const;
const BACKFILL_BATCH = 1000;

/**
 * `search_text` on leads and deals: the searched words folded in JavaScript (server/core/search-text.ts),
 * so search is case-insensitive in Cyrillic on both databases and a phone is found however it is
 * typed. Existing rows are back-filled in batches by the same function the app writes with.
 *
 * The index finds a substring anywhere, by trigrams: on SQLite an FTS5 table with the `trigram`
 * tokenizer over the column (external content: it stores only the index), kept in step by
 * triggers; on Postgres a pg_trgm GIN index that answers `LIKE '%…%'`.
 *
 * SQLite: the triggers live on the leads and deals tables. TypeORM's addColumn/changeColumn on
 * SQLite rebuild a table and lose its triggers, so later changes to these two tables use plain
 * `ALTER TABLE … ADD COLUMN` (the search tests fail if the triggers go missing).
 */
export class ItemSearch1764800000000 implements MigrationInterface {
  name = 'ItemSearch1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    for (const table of TABLES) {
      await queryRunner.query(`ALTER TABLE "${table}" ADD COLUMN "search_text" ${postgres ? 'text' : 'varchar'}`);
      await backfill(queryRunner, table, postgres);
      if (postgres) await indexOnPostgres(queryRunner, table);
      else await indexOnSqlite(queryRunner, table);
    }
    // A manager's or a rep's board: their people's items by stage, counted and paged from the index alone.
    await queryRunner.query('CREATE INDEX "ix_leads_responsible_stage" ON "leads" ("responsible", "stage")');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    await queryRunner.query('DROP INDEX IF EXISTS "ix_leads_responsible_stage"');
    for (const table of TABLES) {
      if (postgres) {
        await queryRunner.query(`DROP INDEX IF EXISTS "ix_${table}_search_trgm"`);
      } else {
        for (const trigger of ['insert', 'delete', 'update']) await queryRunner.query(`DROP TRIGGER IF EXISTS "${table}_search_${trigger}"`);
        await queryRunner.query(`DROP TABLE IF EXISTS "${table}_search"`);
      }
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "search_text"`);
    }
  }
}

async function backfill(queryRunner: QueryRunner, table: string, postgres: boolean): Promise<void> {
  const mark = (index: number) => (postgres ? `$${index}` : '?');
  let after = 0;
  for (;;) {
    const rows: Array<{ id: number; title: string | null; name: string | null; phone: string | null; email: string | null; company_name: string | null; fields: string | null }> = await queryRunner.query(
      `SELECT id, title, name, phone, email, company_name, fields FROM "${table}" WHERE id > ${mark(1)} ORDER BY id LIMIT ${BACKFILL_BATCH}`,
      [after],
    );
    if (rows.length === 0) return;
    for (const row of rows) {
      const text = itemSearchText({ title: row.title, name: row.name, phone: row.phone, email: row.email, companyName: row.company_name, fields: parseFields(row.fields) });
      await queryRunner.query(`UPDATE "${table}" SET search_text = ${mark(1)} WHERE id = ${mark(2)}`, [text, row.id]);
    }
    after = Number(rows[rows.length - 1]!.id);
  }
}

function parseFields(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

async function indexOnSqlite(queryRunner: QueryRunner, table: string): Promise<void> {
  const index = `${table}_search`;
  await queryRunner.query(`CREATE VIRTUAL TABLE "${index}" USING fts5(search_text, content='${table}', content_rowid='id', tokenize='trigram')`);
  await queryRunner.query(`INSERT INTO "${index}"("${index}") VALUES ('rebuild')`);
  await queryRunner.query(`CREATE TRIGGER "${table}_search_insert" AFTER INSERT ON "${table}" BEGIN INSERT INTO "${index}"(rowid, search_text) VALUES (new.id, new.search_text); END`);
  await queryRunner.query(`CREATE TRIGGER "${table}_search_delete" AFTER DELETE ON "${table}" BEGIN INSERT INTO "${index}"("${index}", rowid, search_text) VALUES ('delete', old.id, old.search_text); END`);
  await queryRunner.query(
    `CREATE TRIGGER "${table}_search_update" AFTER UPDATE OF search_text ON "${table}" BEGIN ` +
      `INSERT INTO "${index}"("${index}", rowid, search_text) VALUES ('delete', old.id, old.search_text); ` +
      `INSERT INTO "${index}"(rowid, search_text) VALUES (new.id, new.search_text); END`,
  );
}

/**
 * pg_trgm is created in `public` (an extension exists once per database; each test schema
 * dropping its own copy would take the others' indexes with it), and its operator class is named
 * with the schema it is in. Where it cannot be created (a managed database without it), search
 * still answers, by scanning.
 */
async function indexOnPostgres(queryRunner: QueryRunner, table: string): Promise<void> {
  const schema = await trigramSchema(queryRunner);
  if (!schema) return;
  await queryRunner.query(`CREATE INDEX "ix_${table}_search_trgm" ON "${table}" USING gin (search_text "${schema}".gin_trgm_ops)`);
}

async function trigramSchema(queryRunner: QueryRunner): Promise<string | null> {
  const installed = async (): Promise<string | null> => {
    const rows: Array<{ schema: string }> = await queryRunner.query("SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'");
    return rows[0]?.schema ?? null;
  };
  const existing = await installed();
  if (existing) return existing;
  const available: unknown[] = await queryRunner.query("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'");
  if (available.length === 0) return null;
  await queryRunner.query('SAVEPOINT create_pg_trgm');
  try {
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
    await queryRunner.query('RELEASE SAVEPOINT create_pg_trgm');
  } catch {
    // No right to create it, or another process created it this instant: either way, look again.
    await queryRunner.query('ROLLBACK TO SAVEPOINT create_pg_trgm');
  }
  return installed();
}
