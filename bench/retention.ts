/**
 * Retention at size: 1,000,000 finished runs older than the config keeps (written straight into
 * the database, as bench/backlog.ts seeds), then the retention sweep's passes back to back until
 * nothing is left to delete, in a runtime whose scheduler executes runs coming due at RATE a
 * second meanwhile: one process sharing one store, as `robots serve` runs its sweeps. Prints the database's size before and after (SQLite: the file after a WAL
 * checkpoint, then after VACUUM; Postgres: pg_total_relation_size of robot_runs, then after
 * VACUUM FULL), the sweep's time, and the due-lag of the runs that came due meanwhile.
 *
 * `tsx bench/retention.ts sqlite|postgres [finished]` runs one database alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfigOrThrow } from '../config/loader';
import { systemClock } from '../server/core/clock';
import pino from 'pino';
import { ChannelRegistry } from '../server/channels/channel';
import { OutboxChannel } from '../server/channels/outbox';
import { openDatabase } from '../server/db/data-source';
import { Runtime } from '../server/runtime';
import { pruneOldRows } from '../server/sweeps/retention';
import { openBench, type Db } from './backlog';
import { fmt, percentile } from './stats';

const QUICK = process.env.BENCH_QUICK === '1';
const RATE = Number(process.env.BENCH_RETENTION_RATE ?? 100);
const ROBOTS_PER_ENTRY = 10;
const DAY = 86_400_000;
/** Leads whose current stage has runs coming due during the sweep. */
const LEADS = 2000;

const CONFIG = `
users:
  - { login: root, name: Root, role: admin }
retention: { runs: 180d, messages: 365d, events: 365d }
leads:
  stages:
    - id: new
    - id: nurture
      robots:
${Array.from({ length: ROBOTS_PER_ENTRY }, (_, index) => `        - { id: r${index}, type: notify, to: [root], channel: outbox, after: ${index + 1}d, text: "Lead {{item.id}} touch ${index}" }`).join('\n')}
`;

export interface RetentionFigures {
  finished: number;
  deleted: number;
  passes: number;
  sweepSeconds: number;
  /** The longest single pass (20 batches of 1,000): how long the queue shares the writer at most. */
  longestPassMs: number;
  sizeBeforeMb: number;
  sizeAfterMb: number;
  sizeCompactedMb: number;
  compactSeconds: number;
  compactHow: string;
  arrived: number;
  lagP50: number;
  lagP99: number;
  lagMax: number;
  seedSeconds: number;
}

/** `finished` old runs on 100k past stage entries; LEADS leads in `nurture` with runs coming due later. */
async function seed(db: Db, finished: number, arriving: number, start: number): Promise<void> {
  const pastEntries = Math.ceil(finished / ROBOTS_PER_ENTRY);
  const old = start - 200 * DAY;
  await db.exec('BEGIN');
  await db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${LEADS + pastEntries}) INSERT INTO stage_entries (id, entity_type, entity_id, pipeline, stage, from_stage, actor, entered_at, left_at)
    SELECT i, 'lead', ((i - 1) % ${LEADS}) + 1, 'leads', 'nurture', NULL, 'seed', CASE WHEN i <= ${LEADS} THEN ${start} ELSE ${old} END, CASE WHEN i <= ${LEADS} THEN NULL ELSE ${old + 1000} END FROM n`);
  await db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${LEADS}) INSERT INTO leads (id, name, stage, stage_entry_id, entered_stage_at, fields, created_at, updated_at)
    SELECT i, 'Лид ' || i, 'nurture', i, ${start}, '{}', ${start}, ${start} FROM n`);
  // Finished run k (from 0): past entry LEADS + k / R + 1, robot k % R, done 200 days ago.
  await db.exec(`WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ${finished - 1})
    INSERT INTO robot_runs (entry_id, entity_type, entity_id, pipeline, stage, robot_id, robot_type, position, status, due_at, attempts, causal_depth, detail, started_at, finished_at, created_at)
    SELECT ${LEADS} + i / ${ROBOTS_PER_ENTRY} + 1, 'lead', ((i / ${ROBOTS_PER_ENTRY}) % ${LEADS}) + 1, 'leads', 'nurture', 'r' || (i % ${ROBOTS_PER_ENTRY}), 'notify', i % ${ROBOTS_PER_ENTRY}, 'done',
      ${old} + i, 1, 0, 'notified root (outbox)', ${old} + i, ${old} + i + 5, ${old} FROM k`);
  // Arriving run k: current entry k / R + 1, due RATE a second from `start` (shifted once the worker is up).
  await db.exec(`WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ${arriving - 1})
    INSERT INTO robot_runs (entry_id, entity_type, entity_id, pipeline, stage, robot_id, robot_type, position, status, due_at, attempts, causal_depth, created_at)
    SELECT i / ${ROBOTS_PER_ENTRY} + 1, 'lead', i / ${ROBOTS_PER_ENTRY} + 1, 'leads', 'nurture', 'r' || (i % ${ROBOTS_PER_ENTRY}), 'notify', i % ${ROBOTS_PER_ENTRY}, 'scheduled',
      ${start} + (i * 1000) / ${RATE}, 0, 0, ${start} FROM k`);
  if (db.kind === 'postgres') {
    for (const table of ['stage_entries', 'leads']) await db.exec(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT MAX(id) FROM ${table}))`);
  }
  await db.exec('COMMIT');
  await db.exec('ANALYZE');
}

async function sizeMb(db: Db, file: string | null): Promise<number> {
  if (file) {
    await db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const wal = fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0;
    return (fs.statSync(file).size + wal) / 1024 / 1024;
  }
  const [row] = await db.all<{ size: string }>("SELECT pg_total_relation_size('robot_runs') AS size");
  return Number(row?.size ?? NaN) / 1024 / 1024;
}

export async function retentionOn(kind: 'sqlite' | 'postgres', finished: number): Promise<RetentionFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-retention-'));
  const configFile = path.join(dir, 'retention.yaml');
  fs.writeFileSync(configFile, CONFIG);
  const db = await openBench(kind, dir);
  const file = kind === 'sqlite' ? db.url.replace(/^sqlite:/, '') : null;
  // Runs coming due for as long as the sweep may take; the lag is read for those due while it ran.
  const arriving = Math.min(LEADS * ROBOTS_PER_ENTRY, RATE * (QUICK ? 60 : 180));
  const seedStarted = performance.now();
  const start = Date.now() + 3_600_000;
  await seed(db, finished, arriving, start);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const sizeBeforeMb = await sizeMb(db, file);

  // The sweep as the server runs it: beside the scheduler, through the same store (its group commits).
  const dataSource = await openDatabase(kind === 'sqlite' ? { sqlitePath: file! } : { url: db.url });
  const runtime = await Runtime.start({
    dataSource,
    configFile,
    config: loadConfigOrThrow(configFile, Date.now()),
    clock: systemClock,
    channels: new ChannelRegistry(new OutboxChannel()),
    logger: pino({ level: 'silent' }),
  });
  const deps = { store: runtime.store, clock: systemClock, config: runtime.config, queue: runtime.queue };
  try {
    const begin = Date.now() + 1000;
    await db.exec(`UPDATE robot_runs SET due_at = due_at - ${start - begin} WHERE status = 'scheduled'`);
    runtime.scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const sweepStarted = performance.now();
    const sweepBegan = Date.now();
    const cursor = { runsAfterId: 0 };
    let passes = 0;
    let longestPassMs = 0;
    for (;;) {
      const passStarted = performance.now();
      const pass = await pruneOldRows(deps, cursor);
      longestPassMs = Math.max(longestPassMs, performance.now() - passStarted);
      passes += 1;
      if ((pass.runs ?? 0) === 0) break;
    }
    // The scheduler's own retention sweep took a pass too: what is gone is what was seeded less what is left.
    const [left] = await db.all<{ count: number }>(`SELECT COUNT(*) AS count FROM robot_runs WHERE status = 'done' AND finished_at < ?`, [start - 180 * DAY]);
    const deleted = finished - Number(left?.count ?? 0);
    const sweepSeconds = (performance.now() - sweepStarted) / 1000;
    const sweepEnded = Date.now();
    // Runs due while the sweep ran, once the worker has had a moment to finish them.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const lags = (await db.all<{ lag: number }>(`SELECT started_at - due_at AS lag FROM robot_runs WHERE status = 'done' AND due_at >= ? AND due_at <= ? AND started_at IS NOT NULL`, [sweepBegan, sweepEnded])).map(
      (row) => Number(row.lag),
    );
    const [stillDue] = await db.all<{ count: number }>(`SELECT COUNT(*) AS count FROM robot_runs WHERE status = 'scheduled' AND due_at >= ? AND due_at <= ?`, [sweepBegan, sweepEnded]);
    await runtime.stop();
    const sizeAfterMb = await sizeMb(db, file);
    const compactStarted = performance.now();
    await db.exec(file ? 'VACUUM' : 'VACUUM FULL robot_runs');
    const compactSeconds = (performance.now() - compactStarted) / 1000;
    const sizeCompactedMb = await sizeMb(db, file);
    return {
      finished,
      deleted,
      passes,
      sweepSeconds,
      longestPassMs,
      sizeBeforeMb,
      sizeAfterMb,
      sizeCompactedMb,
      compactSeconds,
      compactHow: file ? 'VACUUM' : 'VACUUM FULL robot_runs',
      arrived: lags.length + Number(stillDue?.count ?? 0),
      lagP50: percentile(lags, 50),
      lagP99: percentile(lags, 99),
      lagMax: lags.length > 0 ? Math.max(...lags) : NaN,
      seedSeconds,
    };
  } finally {
    if (dataSource.isInitialized) await runtime.stop();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runRetentionBenchmarks(log: (line: string) => void): Promise<Array<[string, string, string, string]>> {
  const finished = Number(process.env.BENCH_RETENTION_FINISHED ?? (QUICK ? 100_000 : 1_000_000));
  log(`(retention) ${fmt(finished)} finished runs older than \`retention: runs: 180d\`; the retention sweep's passes back to back while the scheduler beside it executes ${RATE} runs/s coming due`);
  const rows: Array<[string, string, string, string]> = [];
  for (const kind of ['sqlite', 'postgres'] as const) {
    const f = await retentionOn(kind, finished);
    const name = kind === 'sqlite' ? 'SQLite' : 'Postgres';
    const what = kind === 'sqlite' ? 'file + WAL after a checkpoint' : "pg_total_relation_size('robot_runs')";
    log(
      `    ${kind.padEnd(8)} deleted ${fmt(f.deleted)} in ${fmt(f.sweepSeconds, 1)} s (${f.passes} passes of ≤ 20,000, longest ${fmt(f.longestPassMs)} ms); ${what}: ${fmt(f.sizeBeforeMb, 1)} MB → ${fmt(f.sizeAfterMb, 1)} MB, after ${f.compactHow} ${fmt(f.sizeCompactedMb, 1)} MB (${fmt(f.compactSeconds, 1)} s); ${f.arrived} runs due meanwhile: due-lag p50 ${fmt(f.lagP50)} ms, p99 ${fmt(f.lagP99)} ms, max ${fmt(f.lagMax)} ms [seeded in ${fmt(f.seedSeconds, 1)} s]`,
    );
    rows.push(
      [`(retention) ${name}: ${fmt(f.deleted)} old runs deleted`, `${fmt(f.sweepSeconds, 1)} s`, '(info)', ''],
      [
        `(retention) ${name}: size before → after → after ${f.compactHow.split(' ')[0]!} ${f.compactHow.includes('FULL') ? 'FULL' : ''}`.trimEnd(),
        `${fmt(f.sizeBeforeMb)} → ${fmt(f.sizeAfterMb)} → ${fmt(f.sizeCompactedMb)} MB`,
        '(info)',
        '',
      ],
      [`(retention) ${name}: due-lag p99 during the sweep`, `${fmt(f.lagP99)} ms`, '< 1 s', f.lagP99 < 1000 ? 'meets' : 'BELOW'],
    );
  }
  log('');
  return rows;
}

if (require.main === module) {
  const [kind = 'sqlite', finished = '1000000'] = process.argv.slice(2);
  void retentionOn(kind as 'sqlite' | 'postgres', Number(finished)).then((figures) => console.log(JSON.stringify(figures)));
}
