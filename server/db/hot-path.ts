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
  if (manager.connection.options.type === 'postgres') return postgresQuery(manager, sql, parameters);
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

interface PostgresClient {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * On Postgres the hot path's statements are named prepared statements (as graphile-worker and
 * postgres.js prepare theirs): each connection parses and plans a text once, then only binds
 * and executes it — the database's CPU a statement, not our JavaScript, bounds the drain. The
 * statement goes to the connection of the transaction under way, or to the pool, skipping
 * TypeORM's query runner (a few hundred microseconds of JavaScript a statement). Its rows
 * come back as they are.
 */
async function postgresQuery(manager: EntityManager, sql: string, parameters: unknown[]): Promise<unknown[]> {
  const config = { name: statementName(sql), text: sql, values: parameters };
  const runner = manager.queryRunner;
  if (runner && !runner.isReleased) {
    const client = (await runner.connect()) as PostgresClient;
    return (await client.query(config)).rows;
  }
  const pool = (manager.connection.driver as unknown as { master: PostgresClient }).master;
  return (await pool.query(config)).rows;
}

/**
 * A name per distinct text, the same in every connection. Texts whose length varies with a
 * count (a multi-row INSERT) are few in practice; past PREPARED_TEXTS they run unnamed, so a
 * connection never holds an unbounded number of prepared statements.
 */
const statementNames = new Map<string, string>();
const PREPARED_TEXTS = 500;
function statementName(sql: string): string | undefined {
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < PREPARED_TEXTS) statementNames.set(sql, (name = `robots_${statementNames.size + 1}`));
  return name;
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
    const result = (await execute(manager, `${sql} RETURNING id`, parameters, 'all')) as Array<{ id: number | string }>;
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

/**
 * Postgres only: a row and the row that goes with it (a message and the person's notification
 * of it) in one statement — one round trip instead of a transaction's four. The second is
 * written only if the first was; each is skipped when its unique `conflict` column holds the
 * value already. Returns both ids, the second null when it existed; null when the first did.
 */
export async function insertPairIfAbsent<First extends ObjectLiteral, Second extends ObjectLiteral>(
  manager: EntityManager,
  first: { entity: EntitySchema<First>; row: Omit<First, 'id'>; conflict: keyof First & string },
  second: { entity: EntitySchema<Second>; row: Omit<Second, 'id'>; conflict: keyof Second & string },
): Promise<{ first: number; second: number | null } | null> {
  const head = insertStatement(manager, first.entity, [first.row as unknown as First]);
  const tail = insertStatement(manager, second.entity, [second.row as unknown as Second], head.parameters.length);
  const conflictOf = (entity: EntitySchema, property: string) => {
    const column = shapeOf(manager, entity).columns.find((candidate) => candidate.propertyName === property);
    if (!column) throw new Error(`no column for ${property}`);
    return `"${column.databaseName}"`;
  };
  // A SELECT's parameters carry no column type the way VALUES' do, hence the casts.
  const tailSelect = tail.sql.replace(/ VALUES \((.*)\)$/, (_, marks: string) => ` SELECT ${marks} FROM first_row`);
  const sql = `WITH first_row AS (${head.sql} ON CONFLICT (${conflictOf(first.entity as EntitySchema, first.conflict)}) DO NOTHING RETURNING id),
    second_row AS (${tailSelect} ON CONFLICT (${conflictOf(second.entity as EntitySchema, second.conflict)}) DO NOTHING RETURNING id)
    SELECT first_row.id AS first, (SELECT id FROM second_row) AS second FROM first_row`;
  const [row] = (await execute(manager, sql, [...head.parameters, ...tail.parameters], 'all')) as Array<{ first: number | string; second: number | string | null }>;
  return row === undefined ? null : { first: Number(row.first), second: row.second === null ? null : Number(row.second) };
}

/** The Postgres type a parameter is cast to where no column gives it one. */
function castOf(column: ColumnMetadata): string {
  const type = String(column.type);
  if (type === 'integer' || type === 'bigint' || type === 'text' || type === 'varchar') return type;
  if (type === 'simple-json' || type === 'simple-array') return 'text';
  if (type === 'boolean') return 'boolean';
  throw new Error(`no cast for a ${type} column (${column.propertyName})`);
}

/** `offset`: parameters already taken by statements before this one in the same text (Postgres numbering). */
function insertStatement<Row extends ObjectLiteral>(manager: EntityManager, entity: EntitySchema<Row>, rows: Row[], offset = 0): { sql: string; parameters: unknown[] } {
  const { table, insertable } = shapeOf(manager, entity as EntitySchema);
  const driver = manager.connection.driver;
  const postgres = manager.connection.options.type === 'postgres';
  const parameters: unknown[] = [];
  const tuples = rows.map((row) => {
    const values = insertable.map((column) => {
      const value = row[column.propertyName];
      // A property left out takes the column's default as stored (already in database form).
      if (value === undefined) return column.default ?? null;
      return driver.preparePersistentValue(value, column);
    });
    const marks = placeholders(manager, values.length, offset + parameters.length).map((mark, index) => (postgres && offset > 0 ? `${mark}::${castOf(insertable[index]!)}` : mark));
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
    const rows = (await execute(manager, `${dialect(manager, sql)} RETURNING id`, parameters, 'all')) as Array<{ id: number | string }>;
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
