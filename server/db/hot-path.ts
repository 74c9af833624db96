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
  const cache = statementCacheOf(manager);
  if (cache.closing) return Promise.reject(new Error('the database is closing'));
  const statement = preparedStatement(connectionOf(manager), cache, sql);
  cache.inFlight += 1;
  return new Promise<unknown>((resolve, reject) => {
    if (mode === 'all') statement.all(parameters, (error, rows) => (error ? reject(error) : resolve(rows)));
    else
      statement.run(parameters, function (this: { lastID: number }, error: Error | null) {
        if (error) reject(error);
        else resolve(this.lastID);
      });
  }).finally(() => {
    cache.inFlight -= 1;
    if (cache.inFlight === 0) for (const idle of cache.idleWaiters.splice(0)) idle();
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

/**
 * Prepared once per connection and SQL text: preparing costs as much as running. The cache also
 * counts statements in flight: finalizing one mid-step crashes the native driver (a segfault, not
 * an error), so closing waits for them and refuses new ones.
 */
interface StatementCache {
  statements: Map<string, SqliteStatement>;
  inFlight: number;
  idleWaiters: Array<() => void>;
  closing: boolean;
}

const statementCaches = new WeakMap<object, StatementCache>();

function connectionOf(manager: EntityManager): SqliteConnection {
  return (manager.connection.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
}

function statementCacheOf(manager: EntityManager): StatementCache {
  const connection = connectionOf(manager);
  let cache = statementCaches.get(connection);
  if (!cache) statementCaches.set(connection, (cache = { statements: new Map(), inFlight: 0, idleWaiters: [], closing: false }));
  return cache;
}

function preparedStatement(connection: SqliteConnection, cache: StatementCache, sql: string): SqliteStatement {
  let statement = cache.statements.get(sql);
  if (!statement) cache.statements.set(sql, (statement = connection.prepare(sql)));
  return statement;
}

/** Called before the data source is destroyed: waits for statements in flight, then finalizes them all. */
export async function finalizeStatements(connection: object | undefined): Promise<void> {
  const cache = connection ? statementCaches.get(connection) : undefined;
  if (!cache) return;
  cache.closing = true;
  if (cache.inFlight > 0) await new Promise<void>((resolve) => cache.idleWaiters.push(resolve));
  await Promise.all([...cache.statements.values()].map((statement) => new Promise<void>((resolve) => statement.finalize(() => resolve()))));
  cache.statements.clear();
}

function placeholders(manager: EntityManager, count: number, offset = 0): string[] {
  const postgres = manager.connection.options.type === 'postgres';
  return Array.from({ length: count }, (_, index) => (postgres ? `$${offset + index + 1}` : '?'));
}

/** Inserts rows in one statement and returns their ids (SQLite: consecutive rowids of one INSERT under the single writer). */
export async function insertRows<Row extends ObjectLiteral>(manager: EntityManager, entity: EntitySchema<Row>, rows: Row[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const { sql, parameters } = insertStatement(manager, entity, rows);
  if (manager.connection.options.type === 'postgres') {
    const result: Array<{ id: number | string }> = await manager.query(`${sql} RETURNING id`, parameters);
    return result.map((row) => Number(row.id));
  }
  const last = Number(await execute(manager, sql, parameters, 'run'));
  return rows.map((_, index) => last - rows.length + 1 + index);
}

/**
 * One row in, unless a row with the same unique `conflictProperty` is there already: then
 * nothing is written and null comes back. One statement (INSERT … ON CONFLICT DO NOTHING
 * RETURNING), so it needs no transaction of its own.
 */
export async function insertOneIfAbsent<Row extends ObjectLiteral>(manager: EntityManager, entity: EntitySchema<Row>, row: Omit<Row, 'id'>, conflictProperty: keyof Row & string): Promise<Row | null> {
  const { columns } = shapeOf(manager, entity as EntitySchema);
  const conflict = columns.find((column) => column.propertyName === conflictProperty);
  if (!conflict) throw new Error(`no column for ${conflictProperty}`);
  const { sql, parameters } = insertStatement(manager, entity, [row as unknown as Row]);
  const raw = (await execute(manager, `${sql} ON CONFLICT ("${conflict.databaseName}") DO NOTHING RETURNING id`, parameters, 'all')) as Array<{ id: number | string }>;
  const [inserted] = raw;
  return inserted === undefined ? null : { ...(row as unknown as Row), id: Number(inserted.id) };
}

function insertStatement<Row extends ObjectLiteral>(manager: EntityManager, entity: EntitySchema<Row>, rows: Row[]): { sql: string; parameters: unknown[] } {
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
  return { sql: `INSERT INTO "${table}" (${columns}) VALUES ${tuples.join(', ')}`, parameters };
}

/** A statement of transaction control on SQLite (BEGIN, SAVEPOINT, COMMIT …), prepared once. */
export async function sqliteStatement(manager: EntityManager, sql: string): Promise<void> {
  await execute(manager, sql, [], 'run');
}

/** One row in, the row with its id out. */
export async function insertOne<Row extends ObjectLiteral>(manager: EntityManager, entity: EntitySchema<Row>, row: Omit<Row, 'id'>): Promise<Row> {
  const [id] = await insertRows(manager, entity, [row as unknown as Row]);
  return { ...(row as unknown as Row), id };
}

/**
 * `forUpdate` locks the row until the transaction ends (Postgres), so two transactions that
 * read-then-write the same item take turns; SQLite's single writer already serialises them.
 */
export async function selectById<Row extends ObjectLiteral>(manager: EntityManager, entity: EntitySchema<Row>, id: number, options: { forUpdate?: boolean } = {}): Promise<Row | null> {
  const { table } = shapeOf(manager, entity as EntitySchema);
  const [mark] = placeholders(manager, 1);
  const lock = options.forUpdate && manager.connection.options.type === 'postgres' ? ' FOR UPDATE' : '';
  const rows = (await execute(manager, `SELECT * FROM "${table}" WHERE id = ${mark}${lock}`, [id], 'all')) as Array<Record<string, unknown>>;
  const [found] = rows;
  return found === undefined ? null : hydrate(manager, entity, found);
}

/** The first row whose `property` equals `value` (an indexed lookup such as an idempotency key). */
export async function selectOneBy<Row extends ObjectLiteral>(manager: EntityManager, entity: EntitySchema<Row>, property: keyof Row & string, value: unknown): Promise<Row | null> {
  const { table, columns } = shapeOf(manager, entity as EntitySchema);
  const column = columns.find((candidate) => candidate.propertyName === property);
  if (!column) throw new Error(`${table} has no column for ${property}`);
  const [mark] = placeholders(manager, 1);
  const rows = (await execute(manager, `SELECT * FROM "${table}" WHERE "${column.databaseName}" = ${mark} LIMIT 1`, [value], 'all')) as Array<Record<string, unknown>>;
  const [found] = rows;
  return found === undefined ? null : hydrate(manager, entity, found);
}

/**
 * UPDATE … SET the given properties WHERE id = ?, and only while the row still matches `guard`
 * (a compare-and-set: `{ status: 'running' }`, `{ leftAt: null }` for IS NULL). Returns whether
 * the row changed.
 */
export async function updateById<Row extends ObjectLiteral>(manager: EntityManager, entity: EntitySchema<Row>, id: number, changes: Partial<Row>, guard: Partial<Row> = {}): Promise<void> {
  const { table, columns } = shapeOf(manager, entity as EntitySchema);
  const driver = manager.connection.driver;
  const set = columns.filter((column) => column.propertyName in changes);
  const guarded = columns.filter((column) => column.propertyName in guard);
  const guardedValues = guarded.filter((column) => guard[column.propertyName] !== null);
  const marks = placeholders(manager, set.length + 1 + guardedValues.length);
  const assignments = set.map((column, index) => `"${column.databaseName}" = ${marks[index]}`).join(', ');
  let next = set.length + 1;
  const conditions = guarded.map((column) => (guard[column.propertyName] === null ? ` AND "${column.databaseName}" IS NULL` : ` AND "${column.databaseName}" = ${marks[next++]}`));
  const values = set.map((column) => driver.preparePersistentValue(changes[column.propertyName], column));
  const guardParameters = guardedValues.map((column) => driver.preparePersistentValue(guard[column.propertyName], column));
  await execute(manager, `UPDATE "${table}" SET ${assignments} WHERE id = ${marks[set.length]}${conditions.join('')}`, [...values, id, ...guardParameters], 'run');
}

/** SQL written with `?` placeholders, numbered for Postgres (`$1`, `$2` …); cached per text. */
const numbered = new Map<string, string>();
function dialect(manager: EntityManager, sql: string): string {
  if (manager.connection.options.type !== 'postgres') return sql;
  let converted = numbered.get(sql);
  if (converted === undefined) {
    let index = 0;
    converted = sql.replace(/\?/g, () => `$${++index}`);
    numbered.set(sql, converted);
  }
  return converted;
}

/** An INSERT of `count` rows written with `?` placeholders; returns their ids. */
export async function insertSql(manager: EntityManager, sql: string, parameters: unknown[], count: number): Promise<number[]> {
  if (manager.connection.options.type === 'postgres') {
    const rows: Array<{ id: number | string }> = await manager.query(`${dialect(manager, sql)} RETURNING id`, parameters);
    return rows.map((row) => Number(row.id));
  }
  // Consecutive rowids of one INSERT under the single writer.
  const last = Number(await execute(manager, sql, parameters, 'run'));
  return Array.from({ length: count }, (_, index) => last - count + 1 + index);
}

/** A statement that returns nothing, prepared once on SQLite. */
export async function runSql(manager: EntityManager, sql: string, parameters: unknown[]): Promise<void> {
  await execute(manager, dialect(manager, sql), parameters, 'run');
}

/** A statement that returns rows (SELECT, or WITH … UPDATE … RETURNING), as raw database rows. */
export async function allSql(manager: EntityManager, sql: string, parameters: unknown[]): Promise<Array<Record<string, unknown>>> {
  const raw = (await execute(manager, dialect(manager, sql), parameters, 'all')) as unknown[];
  // TypeORM's Postgres runner answers an UPDATE … RETURNING with [rows, count].
  return (Array.isArray(raw[0]) ? raw[0] : raw) as Array<Record<string, unknown>>;
}

/** A raw database row as the repository would return it: property names, hydrated values. */
export function hydrate<Row extends ObjectLiteral>(manager: EntityManager, entity: EntitySchema<Row>, raw: Record<string, unknown>): Row {
  const { columns } = shapeOf(manager, entity as EntitySchema);
  const driver = manager.connection.driver;
  const row: Record<string, unknown> = {};
  for (const column of columns) {
    const value = raw[column.databaseName];
    row[column.propertyName] = value === null || value === undefined ? null : driver.prepareHydratedValue(value, column);
  }
  return row as Row;
}
