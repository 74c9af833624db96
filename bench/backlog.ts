/**
 * (e) Steady arrivals over a backlog: PENDING delayed runs sit in the queue (written straight
 * into the database, as a seeding script would) while RATE runs/s come due for SECONDS; one
 * `robots worker` process (bin/robots.js) executes them. Measured from the runs' own
 * timestamps (started_at − due_at), the worker's peak RSS from /proc, and the claim's cost and
 * plan (EXPLAIN QUERY PLAN) with the backlog in place. Run with no backlog and with 1,000,000
 * to show the claim stays flat. Prints figures; asserts nothing.
 *
 * `tsx bench/backlog.ts sqlite|postgres [pending]` runs one case alone.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import sqlite3 from 'sqlite3';
import { openDatabase } from '../server/db/data-source';
import { RUN_SQL } from '../server/pipeline/queue';
import { fmt, percentile } from './stats';

const QUICK = process.env.BENCH_QUICK === '1';
const RATE = Number(process.env.BENCH_BACKLOG_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_BACKLOG_SECONDS ?? (QUICK ? 5 : 20));
const ROBOTS_PER_ITEM = 10;
const DAY = 86_400_000;

const CONFIG = `
users:
  - { login: root, name: Root, role: admin }
leads:
  stages:
    - id: new
    - id: nurture
      robots:
${Array.from({ length: ROBOTS_PER_ITEM }, (_, index) => `        - { id: r${index}, type: notify, to: [root], channel: outbox, after: ${index + 1}d, text: "Lead {{item.id}} touch ${index}" }`).join('\n')}
`;

export interface BacklogFigures {
  pending: number;
  arrived: number;
  done: number;
  lagP50: number;
  lagP99: number;
  lagMax: number;
  /** Peak resident memory of the worker process (VmHWM). */
  peakRssMb: number;
  /** One claim's SELECT with the backlog in place, none of it due yet, averaged. */
  claimMicros: number;
  /** The same once every pending run is due (a restart after downtime), and without the pending index. */
  claimAllDueMicros: number;
  claimAllDueWithoutIndexMicros: number;
  claimPlan: string;
  seedSeconds: number;
}

/** The benchmark's own connection, on either database; SQL written with `?` placeholders. */
export interface Db {
  kind: 'sqlite' | 'postgres';
  /** What the worker process is given as DATABASE_URL. */
  url: string;
  exec(sql: string): Promise<void>;
  all<T>(sql: string, parameters?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function openBench(kind: 'sqlite' | 'postgres', dir: string): Promise<Db> {
  if (kind === 'sqlite') {
    const file = path.join(dir, 'backlog.sqlite');
    await (await openDatabase({ sqlitePath: file })).destroy();
    const db = new sqlite3.Database(file);
    const exec = (sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (error) => (error ? reject(error) : resolve())));
    await exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
    return {
      kind,
      url: `sqlite:${file}`,
      exec,
      all: <T>(sql: string, parameters: unknown[] = []) => new Promise<T[]>((resolve, reject) => db.all(sql, parameters, (error, rows) => (error ? reject(error) : resolve(rows as T[])))),
      close: () => new Promise<void>((resolve) => db.close(() => resolve())),
    };
  }
  const schema = `robots_backlog_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await (await openDatabase({ url: POSTGRES_URL, schema })).destroy();
  const url = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const client = new Client({ connectionString: url });
  await client.connect();
  const numbered = (sql: string) => {
    let index = 0;
    return sql.replace(/\?/g, () => `$${++index}`);
  };
  return {
    kind,
    url,
    exec: async (sql) => void (await client.query(sql)),
    all: async <T>(sql: string, parameters: unknown[] = []) => (await client.query(numbered(sql), parameters)).rows as T[],
    close: async () => {
      await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/**
 * `items` leads in `nurture`, each with its stage entry and ROBOTS_PER_ITEM scheduled runs. The
 * first `arriving` runs come due at RATE a second from `start`; every other run is due a month on.
 */
async function seed(db: Db, items: number, arriving: number, start: number): Promise<void> {
  const numbers = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${items})`;
  await db.exec('BEGIN');
  await db.exec(`${numbers} INSERT INTO stage_entries (id, entity_type, entity_id, pipeline, stage, from_stage, actor, entered_at, left_at)
    SELECT i, 'lead', i, 'leads', 'nurture', NULL, 'seed', ${start}, NULL FROM n`);
  await db.exec(`${numbers} INSERT INTO leads (id, name, stage, stage_entry_id, entered_stage_at, fields, created_at, updated_at)
    SELECT i, 'Lead ' || i, 'nurture', i, ${start}, '{}', ${start}, ${start} FROM n`);
  // Run k (from 0) belongs to item k / R + 1 and robot k % R; it arrives at k / RATE seconds if k < arriving.
  const runs = items * ROBOTS_PER_ITEM;
  await db.exec(`WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ${runs - 1})
    INSERT INTO robot_runs (entry_id, entity_type, entity_id, pipeline, stage, robot_id, robot_type, position, status, due_at, attempts, causal_depth, created_at)
    SELECT i / ${ROBOTS_PER_ITEM} + 1, 'lead', i / ${ROBOTS_PER_ITEM} + 1, 'leads', 'nurture', 'r' || (i % ${ROBOTS_PER_ITEM}), 'notify', i % ${ROBOTS_PER_ITEM}, 'scheduled',
      CASE WHEN i < ${arriving} THEN ${start} + (i * 1000) / ${RATE} ELSE ${start + 30 * DAY} + i END, 0, 0, ${start} FROM k`);
  if (db.kind === 'postgres') {
    // The ids were written explicitly: the sequences move past them.
    for (const table of ['stage_entries', 'leads']) await db.exec(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), ${items})`);
  }
  await db.exec('COMMIT');
  await db.exec('ANALYZE');
}

/** Peak and current resident set of a process, in MB, from /proc (Linux). */
function memoryOf(pid: number): { peak: number; now: number } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
  } catch {
    return { peak: NaN, now: NaN };
  }
}

export async function backlogOn(kind: 'sqlite' | 'postgres', pending: number): Promise<BacklogFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-backlog-'));
  const configFile = path.join(dir, 'backlog.yaml');
  fs.writeFileSync(configFile, CONFIG);
  const db = await openBench(kind, dir);
  const arriving = RATE * SECONDS;
  const items = Math.ceil(Math.max(pending, arriving) / ROBOTS_PER_ITEM);
  const seedStarted = performance.now();
  const start = Date.now() + 60_000; // moved forward below, once seeding and start-up are done
  await seed(db, items, arriving, start);
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const claimSelect = `SELECT id FROM robot_runs WHERE status IN ('scheduled', 'failed') AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id LIMIT 64`;
  if (!RUN_SQL.claimDue(false).includes(claimSelect.slice(0, 60))) throw new Error('the claim statement changed: update the benchmark');
  const explain = async (now: number) =>
    kind === 'sqlite'
      ? (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${claimSelect}`, [now])).map((row) => row.detail).join('; ')
      : (await db.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${claimSelect.replace('?', String(now))}`)).map((row) => row['QUERY PLAN'].trim()).join('; ');
  const plan = await explain(start);
  // After downtime every run is due: the claim must still read only its first rows.
  const allDue = start + 90 * DAY;
  const claimAllDueMicros = await timeClaim(db, claimSelect, allDue, 50);
  await db.exec('DROP INDEX ix_robot_runs_pending_due');
  const claimAllDueWithoutIndexMicros = await timeClaim(db, claimSelect, allDue, pending > 100_000 ? 5 : 20);
  await db.exec(`CREATE INDEX ix_robot_runs_pending_due ON robot_runs (due_at, id) WHERE status IN ('scheduled', 'failed') AND due_at IS NOT NULL`);

  const worker = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'robots.js'), 'worker', '--no-watch', '-c', configFile], {
    env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  try {
    // The arrivals begin once the worker is up: shift them to a moment two seconds from now.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const begin = Date.now() + 2000;
    await db.exec(`UPDATE robot_runs SET due_at = due_at - ${start - begin} WHERE due_at < ${start + DAY}`);
    const claimMicros = await timeClaim(db, claimSelect, begin);
    const deadline = begin + SECONDS * 1000 + 60_000;
    let done = 0;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const [count] = await db.all<{ done: number }>("SELECT COUNT(*) AS done FROM robot_runs WHERE status = 'done'");
      done = Number(count?.done ?? 0);
      if (done >= arriving) break;
    }
    const lags = (await db.all<{ lag: number }>("SELECT started_at - due_at AS lag FROM robot_runs WHERE status = 'done'")).map((row) => Number(row.lag));
    const memory = memoryOf(worker.pid ?? 0);
    return {
      pending: items * ROBOTS_PER_ITEM,
      arrived: arriving,
      done,
      lagP50: percentile(lags, 50),
      lagP99: percentile(lags, 99),
      lagMax: Math.max(...lags),
      peakRssMb: memory.peak,
      claimMicros,
      claimAllDueMicros,
      claimAllDueWithoutIndexMicros,
      claimPlan: plan,
      seedSeconds,
    };
  } finally {
    worker.kill('SIGKILL');
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The claim's SELECT as the worker runs it, with the backlog in place: average µs over `times` runs. */
async function timeClaim(db: Db, sql: string, now: number, times = 200): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < times; index += 1) await db.all(sql, [now + index]);
  return ((performance.now() - started) / times) * 1000;
}

export async function runBacklogBenchmarks(log: (line: string) => void): Promise<Array<[string, string, string, string]>> {
  const big = Number(process.env.BENCH_BACKLOG_PENDING ?? (QUICK ? 100_000 : 1_000_000));
  log(`(e) ${RATE} runs/s coming due for ${SECONDS} s, one \`robots worker\` process; without and with ${fmt(big)} delayed runs pending`);
  const rows: Array<[string, string, string, string]> = [];
  for (const kind of ['sqlite', 'postgres'] as const) {
    const results: BacklogFigures[] = [];
    for (const pending of [0, big]) {
      const figures = await backlogOn(kind, pending);
      results.push(figures);
      log(
        `    ${kind.padEnd(8)} ${fmt(figures.pending).padStart(9)} pending: ${figures.done}/${figures.arrived} done, due-lag p50 ${fmt(figures.lagP50)} ms, p99 ${fmt(figures.lagP99)} ms, max ${fmt(figures.lagMax)} ms; worker peak RSS ${fmt(figures.peakRssMb)} MB; claim ${fmt(figures.claimMicros)} µs, all due ${fmt(figures.claimAllDueMicros)} µs (${fmt(figures.claimAllDueWithoutIndexMicros)} µs without the pending index) [seeded in ${fmt(figures.seedSeconds, 1)} s]`,
      );
    }
    const [steady, backlog] = results;
    if (!steady || !backlog) throw new Error(`the ${kind} backlog runs gave ${results.length} results, not 2`);
    log(`    ${kind} claim plan: ${backlog.claimPlan}`);
    const name = kind === 'sqlite' ? 'SQLite' : 'Postgres';
    rows.push(
      [`(e) ${name}: due-lag p99 at a steady ${RATE} runs/s`, `${fmt(steady.lagP99)} ms`, '< 1 s', steady.lagP99 < 1000 && steady.done >= steady.arrived ? 'meets' : 'BELOW'],
      [
        `(e) ${name}, ${fmt(backlog.pending)} pending: due-lag p99 / worker peak RSS`,
        `${fmt(backlog.lagP99)} ms / ${fmt(backlog.peakRssMb)} MB`,
        '< 1 s / < 300 MB',
        backlog.lagP99 < 1000 && backlog.peakRssMb < 300 && backlog.done >= backlog.arrived ? 'meets' : 'BELOW',
      ],
      [`(e) ${name}: claim, no backlog → backlog`, `${fmt(steady.claimMicros)} → ${fmt(backlog.claimMicros)} µs`, 'flat', backlog.claimMicros < steady.claimMicros * 3 ? 'meets' : 'BELOW'],
      [`(e) ${name}: claim with all ${fmt(backlog.pending)} due (after downtime)`, `${fmt(backlog.claimAllDueMicros)} µs`, `(was ${fmt(backlog.claimAllDueWithoutIndexMicros)} µs)`, ''],
    );
  }
  log('');
  return rows;
}

if (require.main === module) {
  const [kind = 'sqlite', pending = '0'] = process.argv.slice(2);
  void backlogOn(kind as 'sqlite' | 'postgres', Number(pending)).then((figures) => console.log(JSON.stringify(figures)));
}
