/**
 * (d) How fast the queue drains: LEADS leads each enter a stage whose three robots (two
 * `notify`, one `set_fields`, outbox channel) are all due at one moment T; a worker starts at T.
 * Runs drained/s and the due-lag (started_at − due_at) come from the runs' own timestamps.
 * On SQLite beside a raw sqlite3 ceiling: one 3-statement transaction a run (claim, message,
 * finish) with prepared statements. Prints figures; asserts nothing.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Client } from 'pg';
import sqlite3 from 'sqlite3';
import { loadConfigText } from '../config/loader';
import { ChannelRegistry } from '../server/channels/channel';
import { OutboxChannel } from '../server/channels/outbox';
import { systemClock } from '../server/core/clock';
import { openDatabase } from '../server/db/data-source';
import { Runtime } from '../server/runtime';
import { fmt, percentile } from './stats';

const QUICK = process.env.BENCH_QUICK === '1';
const LEADS = Number(process.env.BENCH_DRAIN_LEADS ?? (QUICK ? 300 : 3000));
const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const CONFIG = `
users:
  - { login: root, name: Root, role: admin }
  - { login: anna, name: Anna, role: sales }
fields:
  touched: { type: string }
leads:
  stages:
    - id: new
    - id: burst
      robots:
        - { id: tell_root, type: notify, to: [root], channel: outbox, text: "Lead {{item.id}}" }
        - { id: tell_anna, type: notify, to: [anna], channel: outbox, text: "Lead {{item.id}} for Anna" }
        - { id: mark, type: set_fields, values: { touched: "yes" } }
`;

export interface DrainFigures {
  runs: number;
  perSecond: number;
  lagP50: number;
  lagP99: number;
  /** The worker's CPU a run (JavaScript and the sqlite3 threads). */
  cpuMsPerRun: number;
  /** With worker processes on Postgres: the database server's CPU a run, read from /proc. */
  databaseCpuMsPerRun?: number;
}

/** CPU seconds so far of the processes `select` picks, from /proc (Linux); 0 elsewhere. */
function processCpuSeconds(select: (pid: number, command: string) => boolean): number {
  if (!fs.existsSync('/proc/self/stat')) return 0;
  let ticks = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!select(Number(entry), command)) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/**
 * `mode: 'processes'` runs the workers as `robots worker` child processes on the same
 * database (how a deployment scales out); otherwise one worker runs in this process.
 */
export async function drainOn(kind: 'sqlite' | 'postgres', workers = 1, mode: 'in-process' | 'processes' = 'in-process'): Promise<DrainFigures> {
  const result = loadConfigText(CONFIG, 'drain.yaml');
  if (!result.ok) throw new Error('bench config refused');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-drain-'));
  const schema = `robots_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const open = () => (kind === 'sqlite' ? openDatabase({ sqlitePath: path.join(dir, 'drain.sqlite') }) : openDatabase({ url: POSTGRES_URL, schema }));
  const runtimes: Runtime[] = [];
  const children: ChildProcess[] = [];
  const configFile = path.join(dir, 'drain.yaml');
  fs.writeFileSync(configFile, CONFIG);
  try {
    for (let index = 0; index < (mode === 'processes' ? 1 : workers); index += 1) {
      runtimes.push(
        await Runtime.start({
          dataSource: await open(),
          configFile: 'drain.yaml',
          config: result.config,
          clock: systemClock,
          channels: new ChannelRegistry(new OutboxChannel()),
          logger: pino({ level: 'silent' }),
          concurrency: process.env.ROBOTS_CONCURRENCY ? Number(process.env.ROBOTS_CONCURRENCY) : undefined,
        }),
      );
    }
    const [first] = runtimes;
    if (!first) throw new Error('no runtime started');
    const engine = first;
    for (let index = 0; index < LEADS; index += 1) {
      const lead = await engine.pipeline.createItem('lead', { name: `Lead ${index}` }, 'user:root');
      await engine.pipeline.move({ kind: 'lead', id: lead.row.id }, 'burst', { actor: 'user:root' });
    }
    // Set-up straight in the database: every run due at one moment T, a little ahead (far enough
    // for worker processes to have started and be waiting for it).
    const at = Date.now() + (mode === 'processes' ? 5000 : 500);
    await first.store.manager.query(`UPDATE robot_runs SET due_at = ${at} WHERE status = 'scheduled'`);
    const cpuBefore = process.cpuUsage();
    // Only the Postgres backends serving these workers (named by application_name): other work
    // on a shared database server is not this drain's cost.
    const backends = new Set<number>();
    const findBackends = async () => {
      const rows: Array<{ pid: number }> = await first.store.manager.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [schema]);
      for (const row of rows) backends.add(Number(row.pid));
    };
    const isDatabase = (pid: number) => backends.has(pid);
    const isWorker = (pid: number) => children.some((child) => child.pid === pid);
    let databaseBefore = 0;
    let workersBefore = 0;
    if (mode === 'processes') {
      const url = kind === 'sqlite' ? `sqlite:${path.join(dir, 'drain.sqlite')}` : `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}&application_name=${schema}`;
      for (let index = 0; index < workers; index += 1) {
        children.push(
          spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'robots.js'), 'worker', '--no-watch', '-c', configFile], { env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' }, stdio: 'ignore' }),
        );
      }
      // Measured from T on: the workers' start-up is not the drain's cost.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now() - 50)));
      if (kind === 'postgres') await findBackends();
      databaseBefore = processCpuSeconds(isDatabase);
      workersBefore = processCpuSeconds(isWorker);
    } else {
      for (const runtime of runtimes) runtime.scheduler.start();
    }
    const expected = LEADS * 3;
    for (;;) {
      const counts = await engine.queue.countByStatus();
      if (counts.done + counts.skipped + counts.dead + counts.cancelled >= expected) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const cpu = process.cpuUsage(cpuBefore);
    // Connections opened during the drain count from their start.
    if (mode === 'processes' && kind === 'postgres') await findBackends();
    const databaseCpu = processCpuSeconds(isDatabase) - databaseBefore;
    const workersCpu = processCpuSeconds(isWorker) - workersBefore;
    const rows: Array<{ started_at: string | number; finished_at: string | number; due_at: string | number }> = await first.store.manager.query(
      "SELECT started_at, finished_at, due_at FROM robot_runs WHERE status = 'done'",
    );
    const lags = rows.map((row) => Number(row.started_at) - Number(row.due_at));
    const last = Math.max(...rows.map((row) => Number(row.finished_at)));
    return {
      runs: rows.length,
      perSecond: rows.length / ((last - at) / 1000),
      lagP50: percentile(lags, 50),
      lagP99: percentile(lags, 99),
      cpuMsPerRun: mode === 'processes' ? (workersCpu * 1000) / rows.length : (cpu.user + cpu.system) / 1000 / rows.length,
      ...(mode === 'processes' && kind === 'postgres' ? { databaseCpuMsPerRun: (databaseCpu * 1000) / rows.length } : {}),
    };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    for (const runtime of runtimes) await runtime.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const client = new Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  }
}

/** The ceiling: per run, BEGIN; claim it; insert its message; mark it done; COMMIT — raw sqlite3, prepared. */
async function rawCeiling(): Promise<number> {
  const child = fork(__filename, ['--raw'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<number>((resolve, reject) => {
    child.once('message', (message: number) => resolve(message));
    child.once('exit', (code) => reject(new Error(`raw child exited ${code}`)));
  });
}

async function rawChild(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-drain-raw-'));
  const file = path.join(dir, 'raw.sqlite');
  const seeded = await openDatabase({ sqlitePath: file });
  await seeded.destroy();
  const db = new sqlite3.Database(file);
  const exec = (sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (error) => (error ? reject(error) : resolve())));
  const run = (statement: sqlite3.Statement, params: unknown[]) => new Promise<void>((resolve, reject) => statement.run(params, (error) => (error ? reject(error) : resolve())));
  await exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
  const total = LEADS * 3;
  await exec('BEGIN');
  const insertRun = db.prepare(
    "INSERT INTO robot_runs (entry_id, entity_type, entity_id, pipeline, stage, robot_id, robot_type, position, status, due_at, attempts, causal_depth, created_at) VALUES (?, 'lead', ?, 'leads', 'burst', 'r', 'notify', 0, 'scheduled', 0, 0, 0, 0)",
  );
  for (let index = 1; index <= total; index += 1) await run(insertRun, [index, index]);
  await exec('COMMIT');
  const begin = db.prepare('BEGIN');
  const commit = db.prepare('COMMIT');
  const claim = db.prepare("UPDATE robot_runs SET status = 'running', started_at = ?, locked_by = 'raw' WHERE id = ?");
  const message = db.prepare(
    "INSERT INTO messages (idempotency_key, run_id, entity_type, entity_id, direction, channel, audience, recipient, body, meta, status, created_at) VALUES (?, ?, 'lead', ?, 'out', 'outbox', 'user', 'root', 'hello', '{}', 'recorded', ?)",
  );
  const finish = db.prepare("UPDATE robot_runs SET status = 'done', finished_at = ? WHERE id = ?");
  const started = performance.now();
  for (let id = 1; id <= total; id += 1) {
    const now = Date.now();
    await run(begin, []);
    await run(claim, [now, id]);
    await run(message, [`raw:${id}`, id, id, now]);
    await run(finish, [now, id]);
    await run(commit, []);
  }
  const perSecond = total / ((performance.now() - started) / 1000);
  for (const statement of [insertRun, begin, commit, claim, message, finish]) await new Promise<void>((resolve) => statement.finalize(() => resolve()));
  await new Promise<void>((resolve) => db.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
  process.send?.(perSecond);
}

export async function runDrainBenchmarks(log: (line: string) => void): Promise<Array<[string, string, string, string]>> {
  log(`(d) queue drain: ${LEADS} leads × 3 robots (2 notify + set_fields, outbox) all due at one moment, one worker in this process`);
  const sqlite = await drainOn('sqlite');
  log(`    SQLite:   ${fmt(sqlite.perSecond)} runs/s, due-lag p50 ${fmt(sqlite.lagP50)} ms, p99 ${fmt(sqlite.lagP99)} ms, ${fmt(sqlite.cpuMsPerRun, 2)} ms CPU a run [${sqlite.runs} runs]`);
  const ceiling = await rawCeiling();
  log(`    raw sqlite3, 1 tx of 3 statements a run: ${fmt(ceiling)} runs/s`);
  const postgres = await drainOn('postgres');
  log(`    Postgres: ${fmt(postgres.perSecond)} runs/s, due-lag p50 ${fmt(postgres.lagP50)} ms, p99 ${fmt(postgres.lagP99)} ms, ${fmt(postgres.cpuMsPerRun, 2)} ms CPU a run [${postgres.runs} runs]`);
  // Scale-out is measured with worker processes: two workers in one process share one JS thread.
  const postgres1p = await drainOn('postgres', 1, 'processes');
  const postgres2 = await drainOn('postgres', 2, 'processes');
  log(
    `    Postgres, \`robots worker\` processes: 1 → ${fmt(postgres1p.perSecond)} runs/s, 2 → ${fmt(postgres2.perSecond)} runs/s (${fmt(postgres2.perSecond / postgres1p.perSecond, 2)}×), due-lag p99 ${fmt(postgres1p.lagP99)} / ${fmt(postgres2.lagP99)} ms`,
  );
  const cpuOf = (figures: DrainFigures) => figures.cpuMsPerRun + (figures.databaseCpuMsPerRun ?? 0);
  log(`    CPU a run with 1 worker process: worker ${fmt(postgres1p.cpuMsPerRun, 2)} ms + Postgres ${fmt(postgres1p.databaseCpuMsPerRun ?? NaN, 2)} ms → at most ${fmt(2000 / cpuOf(postgres1p))} runs/s on 2 cores`);
  log(`    CPU a run with 2 worker processes: workers ${fmt(postgres2.cpuMsPerRun, 2)} ms + Postgres ${fmt(postgres2.databaseCpuMsPerRun ?? NaN, 2)} ms (${fmt(cpuOf(postgres2) / cpuOf(postgres1p), 2)}× one worker's)\n`);
  const ratio = sqlite.perSecond / ceiling;
  const scaleOut = postgres2.perSecond / postgres1p.perSecond;
  const cpuGrowth = cpuOf(postgres2) / cpuOf(postgres1p);
  return [
    ['(d) runs drained/s, SQLite, outbox', fmt(sqlite.perSecond), '≥ 1,000', sqlite.perSecond >= 1000 ? 'meets' : 'BELOW'],
    ['(d) SQLite drain / raw 3-statement tx a run', `${fmt(ratio * 100)} %`, '≥ 55 %', ratio >= 0.55 ? 'meets' : 'BELOW'],
    ['(d) due-lag p50 / p99 of the burst, SQLite', `${fmt(sqlite.lagP50)} / ${fmt(sqlite.lagP99)} ms`, '(info)', ''],
    ['(d) runs drained/s, Postgres', fmt(postgres.perSecond), '(info)', ''],
    ['(d) Postgres, one `robots worker` process, runs/s', fmt(postgres1p.perSecond), '≥ 1,500', postgres1p.perSecond >= 1500 ? 'meets' : 'BELOW'],
    ['(d) Postgres 2 worker processes ÷ 1', `${fmt(scaleOut, 2)}×`, '≥ 1.0 on 2 cores', scaleOut >= 1 ? 'meets' : 'BELOW'],
    ['(d) Postgres CPU a run, 2 workers ÷ 1 (workers + database)', `${fmt(cpuGrowth, 2)}×`, '≤ 1.1×', cpuGrowth <= 1.1 ? 'meets' : 'BELOW'],
    ['(d) CPU a run (SQLite / Postgres)', `${fmt(sqlite.cpuMsPerRun, 2)} / ${fmt(postgres.cpuMsPerRun, 2)} ms`, '(info)', ''],
    ['(d) Postgres: worker + database CPU a run', `${fmt(postgres1p.cpuMsPerRun, 2)} + ${fmt(postgres1p.databaseCpuMsPerRun ?? NaN, 2)} ms`, '(info)', ''],
  ];
}

if (require.main === module) {
  if (process.argv.includes('--raw')) void rawChild();
  else
    void runDrainBenchmarks((line) => process.stdout.write(`${line}\n`)).then((rows) => {
      for (const row of rows) process.stdout.write(`  ${row.join('  ')}\n`);
    });
}
