import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityManager, EntitySchema, ObjectLiteral } from 'typeorm';

/**
 * Plain SQL for the move's hot path. TypeORM's query builders cost a few hundred
 * microseconds of JavaScript per statement, several times SQLite's own time; these helpers
 * build the statement once per entity from its metadata and convert values with the driver's
 * own hydration, so rows look exactly as the repository would return them.
 */
interface Shape {
  table: string;
  columns: ColumnMetadata[];
  insertable: ColumnMetadata[];
}

const shapes = new WeakMap<object, Shape>();

function shapeOf(manager: EntityManager, entity: EntitySchema): Shape {
  const metadata = manager.connection.getMetadata(entity);
  let shape = shapes.get(metadata);
  if (!shape) {
    shape = {
      table: metadata.tableName, // the schema comes from search_path
      columns: metadata.columns,
      insertable: metadata.columns.filter((column) => !column.isGenerated),
    };
    shapes.set(metadata, shape);
  }
  return shape;
}

/**
 * On SQLite the statement goes straight to the connection TypeORM holds (the same one, so it is
 * part of the transaction under way): TypeORM's query() wrapper costs more than SQLite itself.
 */
function execute(manager: EntityManager, sql: string, parameters: unknown[], mode: 'run' | 'all'): Promise<unknown> {
  if (manager.connection.options.type !== 'sqlite') return manager.query(sql, parameters);
  const statement = preparedStatement(manager, sql);
  return new Promise((resolve, reject) => {
    if (mode === 'all') statement.all(parameters, (error, rows) => (error ? reject(error) : resolve(rows)));
    else
      statement.run(parameters, function (this: { lastID: number }, error: Error | null) {
        if (error) reject(error);
        else resolve(this.lastID);
      });
  });
}

interface SqliteStatement {
  all(parameters: unknown[], callback: (error: Error | null, rows: unknown[]) => void): void;
  run(parameters: unknown[], callback: (this: { lastID: number }, error: Error | null) => void): void;
  finalize(callback?: () => void): void;
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

/** Prepared once per connection and SQL text: preparing costs as much as running. */
const statementCaches = new WeakMap<object, Map<string, SqliteStatement>>();

function preparedStatement(manager: EntityManager, sql: string): SqliteStatement {
  const connection = (manager.connection.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
  let cache = statementCaches.get(connection);
  if (!cache) statementCaches.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = connection.prepare(sql)));
  return statement;
}

/** A connection cannot close with statements open: called before the data source is destroyed. */
export async function finalizeStatements(connection: object | undefined): Promise<void> {
  const cache = connection ? statementCaches.get(connection) : undefined;
  if (!cache) return;
  statementCaches.delete(connection as object);
  await Promise.all([...cache.values()].map((statement) => new Promise<void>((resolve) => statement.finalize(() => resolve()))));
}

function placeholders(manager: EntityManager, count: number, offset = 0): string[] {
  const postgres = manager.connection.options.type === 'postgres';
  return Array.from({ length: count }, (_, index) => (postgres ? `$${offset + index + 1}` : '?'));
}

/** Inserts rows in one statement and returns their ids (SQLite: consecutive rowids of one INSERT under the single writer). */
export async function insertRows<Row extends ObjectLiteral>(manager: EntityManager, entity: EntitySchema<Row>, rows: Row[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const { table, insertable } = shapeOf(manager, entity as EntitySchema);
  const driver = manager.connection.driver;
  const parameters: unknown[] = [];
  const tuples = rows.map((row) => {
    const values = insertable.map((column) => {
      const value = row[column.propertyName];
      // A property left out takes the column's default as stored (already in database form).
      if (value === undefined) return column.default ?? null;
      return driver.preparePersistentValue(value, column);
    });
    const marks = placeholders(manager, values.length, parameters.length);
    parameters.push(...values);
    return `(${marks.join(', ')})`;
  });
  const columns = insertable.map((column) => `"${column.databaseName}"`).join(', ');
  const sql = `INSERT INTO "${table}" (${columns}) VALUES ${tuples.join(', ')}`;
  if (manager.connection.options.type === 'postgres') {
    const result: Array<{ id: number | string }> = await manager.query(`${sql} RETURNING id`, parameters);
    return result.map((row) => Number(row.id));
  }
  const last = Number(await execute(manager, sql, parameters, 'run'));
  return rows.map((_, index) => last - rows.length + 1 + index);
}

/**
 * A transaction whose every statement goes through this file (a move): BEGIN IMMEDIATE and
 * COMMIT as prepared statements too, skipping TypeORM's transaction machinery. SQLite only,
 * and only inside Store's write queue, which keeps every other writer out meanwhile.
 */
export async function sqliteTransaction<T>(manager: EntityManager, work: () => Promise<T>): Promise<T> {
  await execute(manager, 'BEGIN IMMEDIATE', [], 'run');
  try {
    const result = await work();
    await execute(manager, 'COMMIT', [], 'run');
    return result;
  } catch (error) {
    await execute(manager, 'ROLLBACK', [], 'run');
    throw error;
  }
}

/** One row in, the row with its id out. */
export async function insertOne<Row extends ObjectLiteral>(manager: EntityManager, entity: EntitySchema<Row>, row: Omit<Row, 'id'>): Promise<Row> {
  const [id] = await insertRows(manager, entity, [row as unknown as Row]);
  return { ...(row as unknown as Row), id };
}

export async function selectById<Row extends ObjectLiteral>(manager: EntityManager, entity: EntitySchema<Row>, id: number): Promise<Row | null> {
  const { table, columns } = shapeOf(manager, entity as EntitySchema);
  const [mark] = placeholders(manager, 1);
  const rows = (await execute(manager, `SELECT * FROM "${table}" WHERE id = ${mark}`, [id], 'all')) as Array<Record<string, unknown>>;
  if (rows.length === 0) return null;
  const driver = manager.connection.driver;
  const row: Record<string, unknown> = {};
  for (const column of columns) {
    const value = rows[0][column.databaseName];
    row[column.propertyName] = value === null || value === undefined ? null : driver.prepareHydratedValue(value, column);
  }
  return row as Row;
}

/** UPDATE … SET the given properties WHERE id = ? [AND extra] */
export async function updateById<Row extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntitySchema<Row>,
  id: number,
  changes: Partial<Row>,
  extraCondition = '',
): Promise<void> {
  const { table, columns } = shapeOf(manager, entity as EntitySchema);
  const driver = manager.connection.driver;
  const set = columns.filter((column) => column.propertyName in changes);
  const marks = placeholders(manager, set.length + 1);
  const assignments = set.map((column, index) => `"${column.databaseName}" = ${marks[index]}`).join(', ');
  const values = set.map((column) => driver.preparePersistentValue(changes[column.propertyName], column));
  await execute(manager, `UPDATE "${table}" SET ${assignments} WHERE id = ${marks[set.length]}${extraCondition}`, [...values, id], 'run');
}

/** The pending runs of a stage entry become cancelled, with the reason shown on the timeline. */
export async function cancelPendingRuns(manager: EntityManager, entryId: number, detail: string, now: number): Promise<void> {
  const marks = placeholders(manager, 3);
  await execute(
    manager,
    `UPDATE robot_runs SET status = 'cancelled', detail = ${marks[0]}, finished_at = ${marks[1]}, due_at = NULL WHERE entry_id = ${marks[2]} AND status IN ('scheduled', 'failed')`,
    [detail, now, entryId],
    'run',
  );
}
