/**
 * `npm run bench` — throughput and latency figures of the engine, the HTTP API and the
 * scheduler, each on a fresh temp SQLite file, with a real clock, on loopback only.
 * It prints figures and targets; it never asserts on time (see bench/README.md).
 *
 *   (a) engine moves/s (each move cancels 3 runs and schedules 3) vs the same writes as one raw
 *       sqlite3 transaction per move (the ceiling)
 *   (b) HTTP POST /api/leads/:id/move req/s and p50/p99 (autocannon) vs a bare express endpoint;
 *       the servers run in a child process so autocannon does not share their event loop
 *   (c) latency from engine.pipeline.move() to the immediate robot's message reaching the outbox channel
 *       at 100 moves/s, with the scheduler running
 *
 * Knobs (env): BENCH_ENGINE_SECONDS (default 6), BENCH_HTTP_SECONDS (10), BENCH_LATENCY_SECONDS (10),
 * BENCH_LATENCY_RATE (100 moves/s), BENCH_QUICK=1 (short everything, for a smoke run).
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import express from 'express';
import pino from 'pino';
import sqlite3 from 'sqlite3';
import { loadConfigText } from '../config/loader';
import { LEAD_PIPELINE, type CompiledConfig } from '../server/core/compiled-config';
import { createToken } from '../server/auth/users';
import { ChannelRegistry, type OutgoingMessage, type SendReceipt } from '../server/channels/channel';
import { OutboxChannel } from '../server/channels/outbox';
import { openDatabase } from '../server/db/data-source';
import { systemClock } from '../server/core/clock';
import { ConfigError } from '../server/core/errors';
import { createApp } from '../server/http/app';
import { Runtime } from '../server/runtime';
import { runChannelBenchmarks } from './channels';
import { runIntakeBenchmarks } from './intake';
import { fmt, percentile, roundRobin } from './stats';
import { RUN_SQL, runValues } from '../server/pipeline/queue';
import { runDrainBenchmarks } from './drain';
import { runRetentionBenchmarks } from './retention';
import { runBacklogBenchmarks } from './backlog';
import { runSearchBenchmarks } from './search';
import { runBoardPaintBenchmark } from './board-paint';
import { runImportBenchmarks } from './import';

// ── settings ─────────────────────────────────────────────────────────────────────────────

const QUICK = process.env.BENCH_QUICK === '1';
const seconds = (name: string, normal: number) => Number(process.env[name] ?? (QUICK ? Math.min(2, normal) : normal));
const ENGINE_SECONDS = seconds('BENCH_ENGINE_SECONDS', 6);
const HTTP_SECONDS = seconds('BENCH_HTTP_SECONDS', 10);
const LATENCY_SECONDS = seconds('BENCH_LATENCY_SECONDS', 10);
const LATENCY_RATE = Number(process.env.BENCH_LATENCY_RATE ?? 100);
const HTTP_WARMUP_SECONDS = QUICK ? 1 : 2;
const ENGINE_LEADS = 200;
const HTTP_LEADS = 1000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ACTOR = { actor: 'user:root' };

const USERS = `
timezone: UTC
default_region: RU
users:
  - { login: root, name: Root, role: admin }
  - { login: ann, name: Ann Sales, role: sales, team: sales }
teams:
  sales: { members: [ann], manager: root }
`;

/** Two lead stages, three delayed robots each: a move cancels the 3 pending runs and schedules 3. */
const BACK_AND_FORTH_YAML = `${USERS}
leads:
  team: sales
  stages:
    - id: a
      robots:
        - { id: a1, type: notify, after: 1d, to: [responsible], text: "a1 for lead {{item.id}}" }
        - { id: a2, type: notify, after: 1d, to: [responsible], text: "a2 for lead {{item.id}}" }
        - { id: a3, type: notify, after: 1d, to: [responsible], text: "a3 for lead {{item.id}}" }
    - id: b
      robots:
        - { id: b1, type: notify, after: 1d, to: [responsible], text: "b1 for lead {{item.id}}" }
        - { id: b2, type: notify, after: 1d, to: [responsible], text: "b2 for lead {{item.id}}" }
        - { id: b3, type: notify, after: 1d, to: [responsible], text: "b3 for lead {{item.id}}" }
`;
const ROBOTS_PER_STAGE = 3;

/** An idle stage and a stage whose robot fires at once. */
const IMMEDIATE_YAML = `${USERS}
leads:
  team: sales
  stages:
    - id: idle
    - id: hot
      robots:
        - { id: ping, type: notify, to: [responsible], text: "ping lead {{item.id}}" }
`;

const silent = pino({ level: 'silent' });

// ── helpers ──────────────────────────────────────────────────────────────────────────────

const tempDirs: string[] = [];
function freshDbPath(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `robots-bench-${label}-`));
  tempDirs.push(dir);
  return path.join(dir, 'robots.sqlite');
}

function compile(yaml: string, name: string): CompiledConfig {
  const result = loadConfigText(yaml, path.join(os.tmpdir(), name), systemClock.now());
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}

async function startRuntime(sqlitePath: string, yaml: string, channels = new ChannelRegistry(new OutboxChannel())): Promise<Runtime> {
  const dataSource = await openDatabase({ sqlitePath });
  return Runtime.start({ dataSource, configFile: path.join(os.tmpdir(), 'bench.yaml'), config: compile(yaml, 'bench.yaml'), clock: systemClock, channels, logger: silent });
}

async function createLeads(runtime: Runtime, count: number, stage: string): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const item = await runtime.pipeline.createItem('lead', { name: `Bench lead ${i}`, responsible: 'ann', stage }, 'user:root');
    ids.push(item.row.id);
  }
  return ids;
}

const log = (line: string) => process.stdout.write(`${line}\n`);

// ── (a) engine moves vs raw sqlite3 ──────────────────────────────────────────────────────

interface MoveRate {
  moves: number;
  seconds: number;
  perSecond: number;
  check: string;
}

async function benchEngineMoves(withScheduler: boolean): Promise<MoveRate> {
  const runtime = await startRuntime(freshDbPath('engine'), BACK_AND_FORTH_YAML);
  const engine = runtime;
  try {
    const ids = await createLeads(runtime, ENGINE_LEADS, 'a');
    const stageOf = new Map(ids.map((id) => [id, 'a']));
    if (withScheduler) engine.scheduler.start();
    let total = 0;
    const moveNext = async () => {
      const id = roundRobin(ids, total);
      const to = stageOf.get(id) === 'a' ? 'b' : 'a';
      const result = await engine.pipeline.move({ kind: 'lead', id }, to, ACTOR);
      if (!result.changed) throw new Error(`lead ${id} did not move to ${to}`);
      stageOf.set(id, to);
      total++;
    };
    // Warm-up, not reported: every lead moved once, and at least a second so the JIT has settled.
    const warmUntil = performance.now() + 1000;
    while (total < ENGINE_LEADS || performance.now() < warmUntil) await moveNext();
    const warm = total;
    const start = performance.now();
    const budget = ENGINE_SECONDS * 1000;
    while (performance.now() - start < budget) await moveNext();
    const elapsed = (performance.now() - start) / 1000;
    const moves = total - warm;
    const [entries] = await runtime.store.manager.query('SELECT COUNT(*) AS entries FROM stage_entries');
    const runs = await runtime.queue.countByStatus();
    const counts = { entries: Number(entries.entries), scheduled: runs.scheduled, cancelled: runs.cancelled };
    const ok = Number(counts.entries) === ENGINE_LEADS + total && Number(counts.scheduled) === ENGINE_LEADS * ROBOTS_PER_STAGE && Number(counts.cancelled) === total * ROBOTS_PER_STAGE;
    const check = `${counts.entries} entries, ${counts.scheduled} scheduled, ${counts.cancelled} cancelled runs${ok ? ' (as expected)' : ' (UNEXPECTED)'}`;
    return { moves, seconds: elapsed, perSecond: moves / elapsed, check };
  } finally {
    await runtime.stop();
  }
}

function sqliteRun(statement: sqlite3.Statement, params: unknown[] = []): Promise<{ lastID: number; changes: number }> {
  return new Promise((resolve, reject) => {
    statement.run(params, function (this: sqlite3.RunResult, error: Error | null) {
      if (error) reject(error);
      else resolve({ lastID: this.lastID, changes: this.changes });
    });
  });
}

function sqliteExec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(sql, (error) => (error ? reject(error) : resolve())));
}

function sqliteAll<T>(db: sqlite3.Database, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => db.all(sql, (error, rows) => (error ? reject(error) : resolve(rows as T[]))));
}

/** Same schema and same starting rows as the engine run: migrated and seeded through the engine, then closed. */
async function seedRawFile(): Promise<string> {
  const file = freshDbPath('raw');
  const seeding = await startRuntime(file, BACK_AND_FORTH_YAML);
  await createLeads(seeding, ENGINE_LEADS, 'a');
  await seeding.stop();
  return file;
}

/**
 * The ceiling, measured in a child process: TypeORM calls sqlite3.verbose(), which wraps every
 * sqlite3 call of the whole process in a stack-capturing, util.inspect-ing tracer; the child
 * never opens a DataSource, so it measures the driver as it is. `traced` repeats it in-process.
 */
async function benchRawMoves(traced: boolean): Promise<MoveRate> {
  const file = await seedRawFile();
  if (traced) return rawMoves(file);
  const child = fork(__filename, ['--raw', file], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<MoveRate>((resolve, reject) => {
    child.once('message', (message: MoveRate) => resolve(message));
    child.once('exit', (code) => reject(new Error(`raw sqlite3 child exited (code ${code})`)));
  });
}

/** One transaction a move: BEGIN; close the entry; cancel its runs; new entry; 3 runs; update the lead; COMMIT. */
async function rawMoves(file: string): Promise<MoveRate> {
  const db = new sqlite3.Database(file);
  try {
    await sqliteExec(db, 'PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    const leads = await sqliteAll<{ id: number; stage: string; stage_entry_id: number }>(db, 'SELECT id, stage, stage_entry_id FROM leads ORDER BY id');
    const state = new Map(leads.map((lead) => [lead.id, { stage: lead.stage, entryId: lead.stage_entry_id }]));
    const ids = leads.map((lead) => lead.id);
    const prepare = (sql: string) => db.prepare(sql);
    const begin = prepare('BEGIN');
    const commit = prepare('COMMIT');
    const closeEntry = prepare('UPDATE stage_entries SET left_at = ? WHERE id = ? AND left_at IS NULL');
    const cancelRuns = prepare(RUN_SQL.cancelPendingOfEntry);
    const insertEntry = prepare(
      `INSERT INTO stage_entries (entity_type, entity_id, pipeline, stage, from_stage, entered_at, left_at, actor, reason, refused_by, causal_depth)
       VALUES ('lead', ?, ?, ?, ?, ?, NULL, ?, NULL, NULL, 0)`,
    );
    // The engine writes a stage's runs in one statement: the ceiling prepares that same text.
    const insertRun = prepare(RUN_SQL.insertRuns(ROBOTS_PER_STAGE));
    const updateLead = prepare('UPDATE leads SET stage = ?, stage_entry_id = ?, entered_stage_at = ?, lost_reason = NULL, refused_by = NULL, updated_at = ? WHERE id = ?');
    const DAY = 24 * 3600 * 1000;
    let total = 0;
    const moveNext = async () => {
      const id = roundRobin(ids, total);
      const current = state.get(id)!;
      const to = current.stage === 'a' ? 'b' : 'a';
      const now = Date.now();
      let entryId = 0;
      await sqliteRun(begin);
      try {
        await sqliteRun(closeEntry, [now, current.entryId]);
        await sqliteRun(cancelRuns, [`left stage "${current.stage}" for "${to}"`, now, current.entryId]);
        entryId = (await sqliteRun(insertEntry, [id, LEAD_PIPELINE, to, current.stage, now, ACTOR.actor])).lastID;
        const runs = Array.from({ length: ROBOTS_PER_STAGE }, (_, position) =>
          runValues({
            entryId,
            entityType: 'lead',
            entityId: id,
            pipeline: LEAD_PIPELINE,
            stage: to,
            robotId: `${to}${position + 1}`,
            robotType: 'notify',
            position,
            dueAt: now + DAY,
            waitsFor: null,
            causalDepth: 0,
            detail: null,
            createdAt: now,
          }),
        );
        await sqliteRun(insertRun, runs.flat());
        await sqliteRun(updateLead, [to, entryId, now, now, id]);
        await sqliteRun(commit);
      } catch (error) {
        await sqliteExec(db, 'ROLLBACK').catch(() => undefined);
        throw error;
      }
      state.set(id, { stage: to, entryId });
      total++;
    };
    const warmUntil = performance.now() + 1000; // the same warm-up as the engine's
    while (total < ENGINE_LEADS || performance.now() < warmUntil) await moveNext();
    const warm = total;
    const start = performance.now();
    const budget = ENGINE_SECONDS * 1000;
    while (performance.now() - start < budget) await moveNext();
    const elapsed = (performance.now() - start) / 1000;
    const moves = total - warm;
    const [entries] = await sqliteAll<{ entries: number }>(db, 'SELECT COUNT(*) AS entries FROM stage_entries');
    const byStatus = new Map((await sqliteAll<{ status: string; count: number }>(db, RUN_SQL.countByStatus)).map((row) => [row.status, row.count]));
    const counts = { entries: entries?.entries ?? 0, scheduled: byStatus.get('scheduled') ?? 0, cancelled: byStatus.get('cancelled') ?? 0 };
    const ok = counts.entries === ENGINE_LEADS + total && counts.scheduled === ENGINE_LEADS * ROBOTS_PER_STAGE && counts.cancelled === total * ROBOTS_PER_STAGE;
    for (const statement of [begin, commit, closeEntry, cancelRuns, insertEntry, insertRun, updateLead]) statement.finalize();
    return { moves, seconds: elapsed, perSecond: moves / elapsed, check: `${counts.entries} entries, ${counts.scheduled} scheduled, ${counts.cancelled} cancelled runs${ok ? ' (as expected)' : ' (UNEXPECTED)'}` };
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

// ── (b) HTTP: the real app vs bare express, servers in a child process ─────────────────

type ServerRole = 'robots' | 'robots-no-scheduler' | 'bare';
type ChildReady = { type: 'ready'; port: number; token: string; leadIds: number[] };
type ChildStats = { type: 'stats'; stageEntries: number; scheduledRuns: number };

/** Runs in the child: one server on 127.0.0.1, answering `stats` and `exit` over IPC. */
async function serveChild(role: ServerRole): Promise<void> {
  const send = (message: ChildReady | ChildStats) => process.send!(message);
  if (role === 'bare') {
    const app = express();
    app.use(express.json({ limit: '256kb' }));
    app.post('/api/leads/:id/move', (_request, response) => {
      response.json({ ok: true });
    });
    const server = app.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      send({ type: 'ready', port: address.port, token: 'none', leadIds: Array.from({ length: HTTP_LEADS }, (_, i) => i + 1) });
    });
    process.on('message', (message: { type: string }) => {
      if (message.type === 'stats') send({ type: 'stats', stageEntries: 0, scheduledRuns: 0 });
      if (message.type === 'exit') server.close(() => process.exit(0));
    });
    return;
  }
  const runtime = await startRuntime(freshDbPath('http'), BACK_AND_FORTH_YAML);
  const token = await createToken(runtime.store, 'root', systemClock.now(), 'bench');
  const leadIds = await createLeads(runtime, HTTP_LEADS, 'a');
  // `robots serve` starts the scheduler beside the API; every committed move wakes it.
  if (role === 'robots') runtime.scheduler.start();
  const server = createApp(runtime).listen(0, '127.0.0.1', () => {
    const address = server.address() as { port: number };
    send({ type: 'ready', port: address.port, token, leadIds });
  });
  const count = async (): Promise<ChildStats> => {
    const [row] = await runtime.store.manager.query('SELECT COUNT(*) AS entries FROM stage_entries');
    return { type: 'stats', stageEntries: Number(row.entries), scheduledRuns: (await runtime.queue.countByStatus()).scheduled };
  };
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats') void count().then(send);
    if (message.type === 'exit') {
      server.close();
      void runtime.stop().finally(() => process.exit(0));
    }
  });
}

class ServerChild {
  private constructor(
    readonly process: ChildProcess,
    readonly ready: ChildReady,
  ) {}

  static async start(role: ServerRole): Promise<ServerChild> {
    // process.execArgv carries tsx's loader, so the child runs this same TypeScript file.
    const child = fork(__filename, ['--serve', role], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<ChildReady>((resolve, reject) => {
      child.once('message', (message: ChildReady) => resolve(message));
      child.once('exit', (code) => reject(new Error(`${role} server exited early (code ${code})`)));
    });
    child.removeAllListeners('exit');
    return new ServerChild(child, ready);
  }

  /** Stats once the requests autocannon left in flight have finished (two equal readings). */
  async settledStats(): Promise<ChildStats> {
    let previous = await this.stats();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const current = await this.stats();
      if (current.stageEntries === previous.stageEntries) return current;
      previous = current;
    }
  }

  stats(): Promise<ChildStats> {
    return new Promise((resolve) => {
      this.process.once('message', (message: ChildStats) => resolve(message));
      this.process.send({ type: 'stats' });
    });
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.send({ type: 'exit' });
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

interface HttpFigures {
  /** POST /api/leads on the same server after the moves (robots app only). */
  create?: { requestsPerSecond: number; p50: number; p99: number; created: number; non2xx: number };
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total2xx: number;
  non2xx: number;
  errors: number;
  check: string;
}

/** Every request moves the next lead (round robin over many) to the stage it is not in. */
function moveRequests(ready: ChildReady, counters: { notMoved: number }) {
  const stageOf = new Map(ready.leadIds.map((id) => [id, 'a']));
  let next = 0;
  return [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ready.token}` },
      setupRequest: (request: object) => {
        const id = roundRobin(ready.leadIds, next++);
        const to = stageOf.get(id) === 'a' ? 'b' : 'a';
        stageOf.set(id, to);
        return { ...request, path: `/api/leads/${id}/move`, body: JSON.stringify({ stage: to }) };
      },
      onResponse: (status: number, body: string) => {
        if (status !== 200 || !(body.includes('"moved":true') || body === '{"ok":true}')) counters.notMoved++;
      },
    },
  ];
}

async function benchHttp(role: ServerRole): Promise<HttpFigures> {
  const child = await ServerChild.start(role);
  try {
    const url = `http://127.0.0.1:${child.ready.port}`;
    const counters = { notMoved: 0 };
    const requests = moveRequests(child.ready, counters);
    await autocannon({ url, connections: CONNECTIONS, duration: HTTP_WARMUP_SECONDS, requests }); // warm-up, not reported
    const before = await child.settledStats();
    counters.notMoved = 0;
    const result = await autocannon({ url, connections: CONNECTIONS, duration: HTTP_SECONDS, requests });
    const after = await child.settledStats();
    const moved = after.stageEntries - before.stageEntries;
    let create: HttpFigures['create'];
    if (role === 'robots') {
      // Lead creation: each request a new lead (a new phone) entering a stage with 3 delayed robots.
      let next = 0;
      const created = await autocannon({
        url,
        connections: CONNECTIONS,
        duration: HTTP_SECONDS,
        requests: [
          {
            method: 'POST',
            path: '/api/leads',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${child.ready.token}` },
            setupRequest: (request: object) => ({ ...request, body: JSON.stringify({ name: `Created ${++next}`, phone: `+7917${String(1000000 + next).slice(-7)}` }) }),
          },
        ],
      });
      create = { requestsPerSecond: created.requests.average, p50: created.latency.p50, p99: created.latency.p99, created: created['2xx'], non2xx: created.non2xx };
    }
    const check =
      role === 'bare'
        ? `${result['2xx']} × {"ok":true}`
        : `${moved} stage entries written for ${result['2xx']} 2xx counted (+ ≤ ${CONNECTIONS} still in flight at the end); ${counters.notMoved} responses were not a real move; ${after.scheduledRuns} runs pending (= ${HTTP_LEADS} leads × 3)`;
    return {
      create,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      total2xx: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      check,
    };
  } finally {
    await child.stop();
  }
}

// ── (c) move → immediate robot's outbox message ──────────────────────────────────────────

/** The outbox as it is, plus the moment each message reached it. */
class TimedOutboxChannel extends OutboxChannel {
  // Timed at the channel: it must be called, as a real one is.
  override readonly recordsOnly = false;
  constructor(private readonly onSend: (message: OutgoingMessage, at: number) => void) {
    super();
  }

  override async send(message: OutgoingMessage): Promise<SendReceipt> {
    this.onSend(message, performance.now());
    return super.send(message);
  }
}

interface LatencyFigures {
  moves: number;
  achievedRate: number;
  received: number;
  p50: number;
  p99: number;
  max: number;
  commitP50: number;
  commitP99: number;
  errors: number;
}

async function benchImmediateRobot(): Promise<LatencyFigures> {
  const sentAt = new Map<number, number>();
  const channel = new TimedOutboxChannel((message, at) => {
    const match = /ping lead (\d+)/.exec(message.body);
    if (match) sentAt.set(Number(match[1]), at);
  });
  const runtime = await startRuntime(freshDbPath('latency'), IMMEDIATE_YAML, new ChannelRegistry(channel));
  const engine = runtime;
  try {
    const warmupMoves = LATENCY_RATE; // one second, not reported
    const measuredMoves = Math.round(LATENCY_RATE * LATENCY_SECONDS);
    const ids = await createLeads(runtime, warmupMoves + measuredMoves, 'idle');
    engine.scheduler.start();
    const startedAt = new Map<number, number>();
    const committedAt = new Map<number, number>();
    let errors = 0;

    /** Fires `count` moves paced at LATENCY_RATE/s (catching up if a tick is late), without awaiting them. */
    const drive = (leadIds: number[]) =>
      new Promise<number>((resolve) => {
        let fired = 0;
        const t0 = performance.now();
        const timer = setInterval(() => {
          const due = Math.min(leadIds.length, Math.floor(((performance.now() - t0) * LATENCY_RATE) / 1000) + 1);
          while (fired < due) {
            const id = leadIds[fired++];
            if (id === undefined) break;
            startedAt.set(id, performance.now());
            engine.pipeline.move({ kind: 'lead', id }, 'hot', ACTOR).then(
              () => committedAt.set(id, performance.now()),
              () => errors++,
            );
          }
          if (fired >= leadIds.length) {
            clearInterval(timer);
            resolve((performance.now() - t0) / 1000);
          }
        }, 5);
      });
    const waitForMessages = async (leadIds: number[], graceMs: number) => {
      const until = performance.now() + graceMs;
      while (performance.now() < until && leadIds.some((id) => !sentAt.has(id))) await new Promise((resolve) => setTimeout(resolve, 20));
    };

    const warmIds = ids.slice(0, warmupMoves);
    await drive(warmIds);
    await waitForMessages(warmIds, 5000);
    const measuredIds = ids.slice(warmupMoves);
    errors = 0;
    const elapsed = await drive(measuredIds);
    await waitForMessages(measuredIds, 5000);

    const latencies = measuredIds.filter((id) => sentAt.has(id)).map((id) => sentAt.get(id)! - startedAt.get(id)!);
    const commits = measuredIds.filter((id) => committedAt.has(id)).map((id) => committedAt.get(id)! - startedAt.get(id)!);
    return {
      moves: measuredIds.length,
      achievedRate: measuredIds.length / elapsed,
      received: latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      commitP50: percentile(commits, 50),
      commitP99: percentile(commits, 99),
      errors,
    };
  } finally {
    await runtime.stop();
  }
}

/** What openDatabase() really leaves in effect on its connection. */
async function openedPragmas(): Promise<string> {
  const dataSource = await openDatabase({ sqlitePath: freshDbPath('pragmas') });
  try {
    const read = async (pragma: string) => Object.values((await dataSource.query(`PRAGMA ${pragma}`))[0] ?? {})[0];
    const synchronous = await read('synchronous');
    const names: Record<string, string> = { 0: 'OFF', 1: 'NORMAL', 2: 'FULL', 3: 'EXTRA' };
    return `journal_mode=${await read('journal_mode')}, synchronous=${names[String(synchronous)] ?? synchronous}, busy_timeout=${await read('busy_timeout')}, foreign_keys=${await read('foreign_keys')}`;
  } finally {
    await dataSource.destroy();
  }
}

// ── main ─────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const began = performance.now();
  log(`Robots benchmark — node ${process.version}, ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? '?'}), SQLite temp files under ${os.tmpdir()}`);
  log(`Each figure uses its own fresh SQLite file and the system clock; the raw ceiling sets WAL + synchronous=NORMAL, as data-source.ts sets them.${QUICK ? ' QUICK mode: short runs.' : ''}\n`);

  log(`SQLite settings as opened by openDatabase(): ${await openedPragmas()}\n`);
  const rows: Array<[string, string, string, string]> = [];
  if (wanted('a')) rows.push(...(await engineSection()));
  if (wanted('b')) rows.push(...(await httpSection()));
  if (wanted('c')) rows.push(...(await latencySection()));
  if (wanted('d')) rows.push(...(await runDrainBenchmarks(log)));
  if (wanted('e')) rows.push(...(await runBacklogBenchmarks(log)));
  if (wanted('intake')) rows.push(...(await runIntakeBenchmarks(log)));
  if (wanted('channels')) rows.push(...(await runChannelBenchmarks(log)));
  if (wanted('search')) rows.push(...(await runSearchBenchmarks(log)));
  if (wanted('board')) rows.push(...(await runBoardPaintBenchmark(log)));
  if (wanted('import')) rows.push(...(await runImportBenchmarks(log)));
  if (wanted('retention')) rows.push(...(await runRetentionBenchmarks(log)));
  const header = ['Figure', 'Value', 'Target', ''];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]) => `  ${cells.map((cell, i) => (i === 1 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd();
  log(line(header));
  log(line(widths.map((width) => '─'.repeat(width))));
  for (const row of rows) log(line(row));
  log(`\n  total benchmark time ${fmt((performance.now() - began) / 1000, 0)} s`);
}

/** BENCH_ONLY=b,d runs only those sections (a b c d e intake channels search board import retention); unset runs them all. */
function wanted(section: string): boolean {
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return only.length === 0 || only.includes(section);
}

const verdict = (ok: boolean) => (ok ? 'meets' : 'BELOW');

/** The raw sqlite3 move ceiling of section (a), when it ran: (b) sets HTTP moves beside it. */
let rawMoveCeiling: number | null = null;

async function engineSection(): Promise<Array<[string, string, string, string]>> {
  log(`(a) engine.pipeline.move(), ${ENGINE_LEADS} leads moved a↔b round robin, 3 delayed robots per stage, ${ENGINE_SECONDS}s each`);
  const engineMoves = await benchEngineMoves(false);
  log(`    engine (scheduler stopped):  ${fmt(engineMoves.perSecond)} moves/s  [${engineMoves.moves} moves in ${fmt(engineMoves.seconds, 1)}s; ${engineMoves.check}]`);
  const engineWithScheduler = await benchEngineMoves(true);
  log(`    engine (scheduler running):  ${fmt(engineWithScheduler.perSecond)} moves/s  [${engineWithScheduler.moves} moves; ${engineWithScheduler.check}]`);
  const raw = await benchRawMoves(false);
  rawMoveCeiling = raw.perSecond;
  log(`    raw sqlite3 ceiling:         ${fmt(raw.perSecond)} moves/s  [${raw.moves} moves in ${fmt(raw.seconds, 1)}s; ${raw.check}]`);
  const rawTraced = await benchRawMoves(true);
  log(`    raw, sqlite3.verbose() on:   ${fmt(rawTraced.perSecond)} moves/s  [in this process, after TypeORM turned tracing on]`);
  const engineRatio = engineMoves.perSecond / raw.perSecond;
  return [
    ['(a) engine moves/s (3 runs scheduled + 3 cancelled a move)', fmt(engineMoves.perSecond), '', ''],
    ['(a) same writes, raw sqlite3, 1 tx a move (ceiling)', fmt(raw.perSecond), '', ''],
    ['(a) engine / raw', `${fmt(engineRatio * 100)} %`, '≥ 50 %', verdict(engineRatio >= 0.5)],
    ['(a) engine moves/s with the scheduler running', fmt(engineWithScheduler.perSecond), '(info)', ''],
    ['(a) raw with sqlite3.verbose() tracing', fmt(rawTraced.perSecond), '(info)', ''],
  ];
}

async function httpSection(): Promise<Array<[string, string, string, string]>> {
  log(`(b) HTTP POST /api/leads/:id/move, autocannon ${CONNECTIONS} connections, ${HTTP_SECONDS}s (+${HTTP_WARMUP_SECONDS}s warm-up), server in a child process`);
  const http = await benchHttp('robots');
  log(`    robots app (scheduler on):   ${fmt(http.requestsPerSecond)} req/s, p50 ${http.p50} ms, p99 ${http.p99} ms  [non-2xx ${http.non2xx}, errors ${http.errors}; ${http.check}]`);
  const httpNoScheduler = await benchHttp('robots-no-scheduler');
  log(
    `    robots app (scheduler off):  ${fmt(httpNoScheduler.requestsPerSecond)} req/s, p50 ${httpNoScheduler.p50} ms, p99 ${httpNoScheduler.p99} ms  [non-2xx ${httpNoScheduler.non2xx}, errors ${httpNoScheduler.errors}]`,
  );
  const bare = await benchHttp('bare');
  log(`    bare express res.json:       ${fmt(bare.requestsPerSecond)} req/s, p50 ${bare.p50} ms, p99 ${bare.p99} ms  [non-2xx ${bare.non2xx}, errors ${bare.errors}]\n`);
  const httpRatio = http.requestsPerSecond / bare.requestsPerSecond;
  const create = http.create!;
  log(`    POST /api/leads (same server): ${fmt(create.requestsPerSecond)} req/s, p50 ${create.p50} ms, p99 ${create.p99} ms  [${create.created} created, non-2xx ${create.non2xx}]\n`);
  return [
    ['(b) lead create over HTTP req/s, p50 / p99', `${fmt(create.requestsPerSecond)}, ${create.p50} / ${create.p99} ms`, '≥ 1,000', verdict(create.requestsPerSecond >= 1000 && create.non2xx === 0)],
    ['(b) HTTP move req/s (scheduler on, as `serve`)', fmt(http.requestsPerSecond), '', ''],
    ['(b) HTTP move latency p50 / p99', `${http.p50} / ${http.p99} ms`, '', ''],
    ['(b) bare express req/s', fmt(bare.requestsPerSecond), '', ''],
    ['(b) bare express latency p50 / p99', `${bare.p50} / ${bare.p99} ms`, '', ''],
    ['(b) HTTP move / bare express', `${fmt(httpRatio * 100)} %`, '≥ 50 %, p99 < 50 ms', verdict(httpRatio >= 0.5 && http.p99 < 50)],
    ['(b) HTTP move req/s, scheduler off', `${fmt(httpNoScheduler.requestsPerSecond)} (${fmt((httpNoScheduler.requestsPerSecond / bare.requestsPerSecond) * 100)} %)`, '(info)', ''],
    ...(rawMoveCeiling === null
      ? []
      : ([['(b) HTTP move / raw sqlite3 move ceiling of (a)', `${fmt(http.requestsPerSecond / rawMoveCeiling, 2)}×`, '≥ 0.8×', verdict(http.requestsPerSecond / rawMoveCeiling >= 0.8)]] as Array<
          [string, string, string, string]
        >)),
  ];
}

async function latencySection(): Promise<Array<[string, string, string, string]>> {
  log(`(c) move → immediate robot's message at the outbox channel, ${LATENCY_RATE} moves/s for ${LATENCY_SECONDS}s (+1s warm-up), scheduler running`);
  const latency = await benchImmediateRobot();
  log(
    `    ${latency.received}/${latency.moves} messages at ${fmt(latency.achievedRate, 1)} moves/s; p50 ${fmt(latency.p50, 1)} ms, p99 ${fmt(latency.p99, 1)} ms, max ${fmt(latency.max, 1)} ms; move commit p50 ${fmt(latency.commitP50, 1)} ms, p99 ${fmt(latency.commitP99, 1)} ms; ${latency.errors} failed moves\n`,
  );

  return [
    ['(c) move → outbox message p50', `${fmt(latency.p50, 1)} ms`, '', ''],
    ['(c) move → outbox message p99', `${fmt(latency.p99, 1)} ms`, '< 50 ms', verdict(latency.p99 < 50 && latency.received === latency.moves)],
  ];
}

function cleanup(): void {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
}

if (process.argv[2] === '--raw') {
  const file = process.argv[3];
  if (file === undefined) throw new Error('usage: bench/index.ts --raw <sqlite file>');
  rawMoves(file).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
} else if (process.argv[2] === '--serve') {
  process.on('exit', cleanup);
  serveChild(process.argv[3] as ServerRole).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main()
    .then(() => {
      cleanup();
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      cleanup();
      process.exit(1);
    });
}
