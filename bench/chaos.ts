/**
 * `npm run chaos`: never lost, never twice, proven by faults rather than happy paths. Each case
 * runs real `robots serve` processes (bin/robots.js) on SQLite and on Postgres against the
 * loopback peers of test/peers (SMTP, Twilio, Telegram), does something nasty to them, waits
 * until the queue is empty, and counts what the peers received:
 *
 *   expected   touches the config promises
 *   delivered  distinct touches that reached a peer
 *   lost       promised, never delivered, and not marked `unknown`
 *   duplicated delivered more than once
 *   unknown    runs whose send was in doubt (a worker died mid-send): listed, never resent;
 *              with how many of them the peer had in fact received
 *   stranded   runs still running/scheduled when the queue should be empty
 *
 * Prints a table; asserts nothing. CHAOS_QUICK=1 (or `runChaosCase` from a test) runs it small.
 */
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import sqlite3 from 'sqlite3';
import { SmtpPeer } from '../test/peers/smtp-peer';
import { TelegramPeer } from '../test/peers/telegram-peer';
import { TwilioPeer } from '../test/peers/twilio-peer';
import { peerEnvironment } from '../test/peers/environment';
import { HangingTarget, TcpProxy } from './chaos-faults';
import { fmt, percentile, roundRobin } from './stats';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'robots.js');
const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type ChaosDatabase = 'sqlite' | 'postgres';
export type ChaosCaseName = 'kill' | 'providers' | 'connections' | 'concurrent-moves' | 'downtime' | 'hanging-webhooks-10s' | 'hanging-webhooks-600s' | 'rate-limit-kill' | 'moved-file' | 'postgres-down';

export interface ChaosResult {
  case: ChaosCaseName;
  database: ChaosDatabase;
  expected: number;
  delivered: number;
  lost: string[];
  duplicated: string[];
  unknown: string[];
  /** Of the unknown, how many the peer had received (the rest never left: those must be none). */
  unknownReached: number;
  stranded: string[];
  note: string;
}

const TOUCHES = ['t1', 't2', 't3'] as const;

/** Where the webhook robots post: a target that never answers (chaos-faults.ts). */
function config(hookUrl = 'http://127.0.0.1:9/hook'): string {
  return `
timezone: Europe/Moscow
public_url: http://127.0.0.1:1
users:
  - { login: root, name: Root, role: admin, telegram_chat_id: "900" }
engine:
  max_attempts: 20
  retry_backoff: 1s
leads:
  stages:
    - id: new
    - id: cadence
      robots:
        - { id: t1, type: send_message, channel: email, after: 1s, subject: "t1 L{{item.id}}", text: "t1 L{{item.id}}" }
        - { id: t2, type: send_message, channel: sms, after: 2s, text: "t2 L{{item.id}}" }
        - { id: t3, type: send_message, channel: telegram, after: 3s, text: "t3 L{{item.id}}" }
    - id: alerted
      robots:
        - { id: a1, type: send_message, channel: sms, text: "a1 L{{item.id}}" }
    - id: hooks10
      robots:
        - { id: w1, type: webhook, url: "${hookUrl}", timeout: 10000 }
    - id: hooks600
      robots:
        - { id: w2, type: webhook, url: "${hookUrl}", timeout: 600000 }
    - id: pinged
      robots:
        - { id: o1, type: send_message, channel: outbox, text: "o1 L{{item.id}}" }
        - { id: o2, type: send_message, channel: telegram, text: "o2 L{{item.id}}" }
    - id: burst
      robots:
        - { id: b1, type: send_message, channel: telegram, text: "b1 L{{item.id}}" }
        - { id: b2, type: send_message, channel: outbox, text: "b2 L{{item.id}}" }
    - id: done
      semantic: won
`;
}

interface Peers {
  smtp: SmtpPeer;
  /** SMTP goes away for `ms`, then a new peer answers on the same port. */
  smtpOutage(ms: number): Promise<void>;
  twilio: TwilioPeer;
  telegram: TelegramPeer;
  env: Record<string, string>;
  /** Keys of what arrived (`t2 L17`), once per arrival. */
  arrivals(): string[];
  stop(): Promise<void>;
}

async function startPeers(): Promise<Peers> {
  const smtp = new SmtpPeer();
  const twilio = new TwilioPeer();
  const telegram = new TelegramPeer();
  const [smtpAt, twilioAt, telegramAt] = await Promise.all([smtp.start(), twilio.start(), telegram.start()]);
  const smtpPort = smtpAt.port;
  const smtpPeers = [smtp];
  const key = (text: unknown) =>
    /\b([tabo]\d) L(\d+)\b/
      .exec(String(text ?? ''))
      ?.slice(1, 3)
      .join(' L') ?? null;
  return {
    smtp,
    smtpOutage: async (ms) => {
      await smtpPeers.at(-1)?.stop();
      await sleep(ms);
      const back = new SmtpPeer();
      await back.start(smtpPort);
      smtpPeers.push(back);
    },
    twilio,
    telegram,
    env: peerEnvironment({ smtpUrl: smtpAt.url, twilio, twilioUrl: twilioAt.url, telegram, telegramUrl: telegramAt.url }),
    arrivals: () =>
      [
        ...smtpPeers.flatMap((peer) => peer.received.map((mail) => key(mail.parsed.subject))),
        ...twilio.requests.filter((request) => request.resource === 'Messages' && request.sid).map((request) => key(request.params.Body)),
        ...telegram.callsOf('sendMessage').map((call) => key(call.payload.text)),
      ].filter((found): found is string => found !== null),
    stop: async () => {
      await Promise.all([
        smtpPeers
          .at(-1)
          ?.stop()
          .catch(() => undefined),
        twilio.stop(),
        telegram.stop(),
      ]);
    },
  };
}

/** A database of its own: a temp SQLite file, or a fresh Postgres schema reached through search_path. */
async function freshDatabase(kind: ChaosDatabase): Promise<{ url: string; file?: string; query(sql: string): Promise<Array<Record<string, unknown>>>; drop(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-chaos-'));
    const file = path.join(dir, 'chaos.sqlite');
    return { url: `sqlite:${file}`, file, query: (sql) => querySqlite(file, sql), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `robots_chaos_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.end();
  const url = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}&application_name=robots-chaos`;
  const query = async (sql: string) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Array<Record<string, unknown>>;
    } finally {
      await client.end();
    }
  };
  return { url, query, drop: async () => void (await query(`DROP SCHEMA "${schema}" CASCADE`)) };
}

class Server {
  private child: ChildProcess | null = null;
  /** The last lines the server printed (warnings and errors) and how each process ended: shown when a case goes wrong. */
  readonly output: string[] = [];
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    readonly port: number,
  ) {}

  async start(): Promise<void> {
    this.child = spawn(process.execPath, [BIN, 'serve', '--no-watch', '--port', String(this.port)], { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    // CHAOS_SERVER_LOG=file keeps what the servers said (LOG_LEVEL=info for more), for a case that went wrong.
    const log = process.env.CHAOS_SERVER_LOG;
    const keep = (chunk: Buffer) => {
      if (log) fs.appendFileSync(log, `[${this.port}] ${chunk.toString()}`);
      this.output.push(
        ...chunk
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((line) => line.slice(0, 400)),
      );
      this.output.splice(0, Math.max(0, this.output.length - 40));
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.once('exit', (code, signal) => keep(Buffer.from(`exited ${code ?? signal}\n`)));
    await until(
      async () =>
        await fetch(`http://127.0.0.1:${this.port}/healthz`)
          .then((answer) => answer.ok)
          .catch(() => false),
      30_000,
    );
  }

  kill9(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
  }
}

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(deadline);
      if (code === 0) resolve(out.trim());
      else reject(new Error(`robots ${args.join(' ')} exited ${code}: ${err}`));
    });
  });
}

// Below the ephemeral range (32768+ on Linux): no connection's local end takes a server's port.
let nextPort = 30500 + Math.floor(Math.random() * 1500);

/** One case on one database, end to end. */
export async function runChaosCase(name: ChaosCaseName, kind: ChaosDatabase, options: { leads?: number; restarts?: number; settleMs?: number } = {}): Promise<ChaosResult> {
  const leads = options.leads ?? 300;
  const peers = await startPeers();
  const target = new HangingTarget();
  const hookUrl = await target.start();
  const database = await freshDatabase(kind);
  // Postgres reached through a proxy the case can cut: the database unreachable, not stopped.
  const proxy = name === 'postgres-down' && kind === 'postgres' ? new TcpProxy(new URL(POSTGRES_URL).hostname, Number(new URL(POSTGRES_URL).port || 5432)) : null;
  const databaseUrl = proxy ? viaPort(database.url, await proxy.start()) : database.url;
  const configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'robots-chaos-config-')), 'robots.yaml');
  fs.writeFileSync(configFile, config(hookUrl));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...peers.env,
    DATABASE_URL: databaseUrl,
    ROBOTS_CONFIG: configFile,
    ROBOTS_LEASE_MS: '2000',
    TRACKING_SECRET: 'chaos-run-tracking-secret-of-32-bytes',
    LOG_LEVEL: 'warn',
    // A queue the limiter holds for a while: 10 sends a second.
    ...(name === 'rate-limit-kill' ? { TELEGRAM_RATE_LIMIT: '10/s' } : {}),
  };
  const primary = new Server(env, nextPort++);
  const servers = [primary, ...(name === 'concurrent-moves' ? [new Server(env, nextPort++)] : [])];
  let note: string;
  const began = Date.now();
  // CHAOS_TRACE=1 says where a case spends its time.
  const trace = (what: string) => process.env.CHAOS_TRACE && console.error(`[${name} on ${kind}] ${((Date.now() - began) / 1000).toFixed(1)} s: ${what}`);
  /** Keys whose open runs are expected at the end (webhooks still waiting on a 600 s timeout), not stranded. */
  let stillWaiting: string[] = [];
  try {
    const token = await cli(['token', 'create', 'root'], env);
    await Promise.all(servers.map((server) => server.start()));
    const api = (server: Server, method: string, url: string, body?: object) =>
      fetch(`http://127.0.0.1:${server.port}${url}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    const createLeads = async (count: number) => {
      const ids: number[] = [];
      for (let index = 0; index < count; index += 1) {
        const answer = await api(primary, 'POST', '/api/leads', { name: `Client ${index}`, email: `c${index}@example.com`, phone: `+7916${String(1000000 + index)}`, fields: {} });
        ids.push(((await answer.json()) as { id: number }).id);
      }
      return ids;
    };
    const moveAll = async (ids: number[], stage: string) => {
      for (const id of ids) await api(primary, 'POST', `/api/leads/${id}/move`, { stage });
    };
    /** One request for all: their runs come due at one instant. */
    const moveAtOnce = async (ids: number[], stage: string) => {
      const answer = await api(primary, 'POST', '/api/leads/bulk', { ids, action: 'move', stage });
      if (!answer.ok) throw new Error(`the bulk move answered ${answer.status}: ${await answer.text()}`);
    };
    let expectedKeys: string[];
    let webhookKeys = new Map<number, string>();

    if (name === 'hanging-webhooks-10s' || name === 'hanging-webhooks-600s') {
      const robot = name === 'hanging-webhooks-10s' ? 'w1' : 'w2';
      const hooked = await createLeads(leads);
      const others = await createLeads(60);
      await setTelegramChats(database, others);
      webhookKeys = new Map(hooked.map((id) => [id, `${robot} L${id}`]));
      await moveAtOnce(hooked, name === 'hanging-webhooks-10s' ? 'hooks10' : 'hooks600');
      // Other robots come due one after another while every webhook hangs.
      for (const id of others) {
        await api(primary, 'POST', `/api/leads/${id}/move`, { stage: 'pinged' });
        await sleep(100);
      }
      await until(async () => (await openRunsOf(database, ['o1', 'o2'])) === 0, 60_000).catch(() => undefined);
      const lags = await dueLags(database, ['o1', 'o2']);
      const worst = (await database.query(`SELECT robot_id, entity_id, started_at - due_at AS lag FROM robot_runs WHERE robot_id IN ('o1', 'o2') ORDER BY started_at - due_at DESC LIMIT 3`))
        .map((row) => `${String(row.robot_id)} L${Number(row.entity_id)} ${Number(row.lag)} ms`)
        .join(', ');
      if (process.env.CHAOS_TRACE) console.error(`worst due-lags: ${worst}`);
      note = `${target.arrived.length} of ${hooked.length} webhooks hanging on a target that never answers (${robot === 'w1' ? '10' : '600'} s timeout); 120 other runs (outbox, Telegram) due meanwhile: due-lag p50 ${fmt(percentile(lags, 50))} ms, p99 ${fmt(percentile(lags, 99))} ms, max ${fmt(Math.max(...lags))} ms`;
      expectedKeys = [...others.flatMap((id) => [`o1 L${id}`, `o2 L${id}`]), ...webhookKeys.values()];
      // A 600 s timeout is not waited for: what matters is that the others were not starved meanwhile.
      if (robot === 'w2') stillWaiting = [...webhookKeys.values()];
    } else if (name === 'rate-limit-kill') {
      const ids = await createLeads(leads);
      await setTelegramChats(database, ids);
      trace('leads written');
      peers.telegram.latencyMs = 300;
      await moveAtOnce(ids, 'burst');
      trace('moved at once');
      // The kill comes when a fifth has gone out: the limiter holds the rest.
      await until(async () => peers.telegram.callsOf('sendMessage').length >= ids.length / 5, 60_000);
      const inFlight = peers.telegram.inFlight;
      const arrivedBefore = peers.telegram.callsOf('sendMessage').length;
      primary.kill9();
      await primary.start();
      note = `kill -9 with ${arrivedBefore} of ${ids.length} Telegram sends made, the rest queued at 10/s; ${inFlight} provider calls in flight at the kill (the peer answers after 300 ms); then an outbox message each`;
      expectedKeys = ids.flatMap((id) => [`b1 L${id}`, `b2 L${id}`]);
    } else if (name === 'moved-file' && kind === 'sqlite') {
      const ids = await createLeads(leads);
      await setTelegramChats(database, ids);
      await moveAll(ids, 'cadence');
      expectedKeys = ids.flatMap((id) => TOUCHES.map((touch) => `${touch} L${id}`));
      const file = database.file!;
      const moved = `${file}.moved`;
      const before = await countRows(database);
      const arrivedBefore = peers.arrivals().length;
      for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, moved + suffix);
      // Touches come due while the file is away; writes must be refused, not made to another file.
      const statuses: number[] = [];
      for (let round = 0; round < 10; round += 1) {
        await sleep(500);
        statuses.push((await api(primary, 'POST', '/api/leads', { name: `Moved ${round}`, fields: {} })).status);
        statuses.push((await fetch(`http://127.0.0.1:${primary.port}/healthz`)).status);
      }
      const arrivedDuring = peers.arrivals().length - arrivedBefore;
      const createdAtOldPath = fs.existsSync(file);
      const after = await countRows({ ...database, query: (sql) => querySqlite(moved, sql) });
      for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(moved + suffix)) fs.renameSync(moved + suffix, file + suffix);
      const answers = Object.entries(countBy(statuses)).map(([status, count]) => `${count}× ${status}`);
      note = `file moved 5 s while touches came due: API and /healthz answered ${answers.join(', ')}; ${arrivedDuring} sends meanwhile; a file at the old path: ${createdAtOldPath ? 'CREATED' : 'none'}; rows in the moved file ${before === after ? 'unchanged' : `CHANGED (${before} → ${after})`}; moved back, then settled`;
    } else if (name === 'postgres-down' && proxy) {
      const ids = await createLeads(leads);
      await setTelegramChats(database, ids);
      await moveAll(ids, 'cadence');
      expectedKeys = ids.flatMap((id) => TOUCHES.map((touch) => `${touch} L${id}`));
      await sleep(500);
      await proxy.cut();
      const statuses: string[] = [];
      for (let round = 0; round < 12; round += 1) {
        await sleep(500);
        const answer = await api(primary, 'POST', '/api/leads', { name: `Down ${round}`, fields: {} }).catch(() => null);
        statuses.push(answer ? `${answer.status}${answer.headers.get('retry-after') ? ' Retry-After' : ''}` : 'no answer');
      }
      await proxy.restore();
      const recovered = await until(async () => (await api(primary, 'POST', '/api/leads', { name: 'Back', fields: {} })).status === 201, 30_000).then(
        () => 'recovered',
        () => 'NOT recovered in 30 s',
      );
      const answers = Object.entries(countBy(statuses)).map(([status, count]) => `${count}× ${status}`);
      note = `Postgres unreachable 6 s (proxy cut, connections reset) while touches came due: writes answered ${answers.join(', ')}; ${recovered}`;
    } else if (name === 'concurrent-moves') {
      const ids = await createLeads(leads);
      const answers = await Promise.all(
        ids.flatMap((id) =>
          Array.from({ length: 6 }, (_, index) => api(roundRobin(servers, index), 'POST', `/api/leads/${id}/move`, { stage: 'alerted' }).then((answer) => answer.json() as Promise<{ moved?: boolean }>)),
        ),
      );
      const moved = answers.filter((answer) => answer.moved === true).length;
      note = `${moved} of ${answers.length} moves answered moved: true (expected ${ids.length})`;
      expectedKeys = ids.map((id) => `a1 L${id}`);
    } else if (name === 'kill' || name === 'providers' || name === 'connections' || name === 'downtime') {
      const ids = await createLeads(leads);
      await setTelegramChats(database, ids);
      let outage: Promise<void> = Promise.resolve();
      if (name === 'providers') {
        outage = peers.smtpOutage(6000);
        peers.twilio.failNext(3, { kind: 'status', status: 500 }).failNext(1, { kind: 'status', status: 429, retryAfterSeconds: 2 });
        peers.telegram.failNext(1, { kind: 'flood', retryAfterSeconds: 2 });
      }
      await moveAll(ids, 'cadence');
      expectedKeys = ids.flatMap((id) => TOUCHES.map((touch) => `${touch} L${id}`));
      if (name === 'kill') {
        const restarts = options.restarts ?? 5;
        for (let round = 0; round < restarts; round += 1) {
          await sleep(700 + Math.random() * 800);
          primary.kill9();
          await primary.start();
        }
        note = `${restarts} kill -9 and restarts while touches went out`;
      } else if (name === 'providers') {
        await outage;
        note = 'SMTP down ~6 s, Twilio 500 ×3 then 429 Retry-After 2, Telegram 429 retry_after 2';
      } else if (name === 'connections') {
        for (let round = 0; round < 4; round += 1) {
          await sleep(800);
          await terminateConnections();
        }
        note = 'the server’s Postgres connections terminated 4 times mid-run';
      } else {
        await primary.stop();
        await sleep(5000);
        await primary.start();
        note = 'server stopped 5 s while every touch came due';
      }
    } else {
      throw new Error(`the ${name} case has no ${kind} version`);
    }
    trace('faults done');
    // What is still open after the deadline is reported as stranded, not waited for forever.
    const waitingRobots = stillWaiting.length > 0 ? ['w2'] : [];
    await until(async () => (await openRuns(database, waitingRobots)) === 0, options.settleMs ?? 120_000).catch(() => undefined);
    trace('settled');
    const arrivals = [...peers.arrivals(), ...target.arrived.map((id) => webhookKeys.get(id) ?? `webhook L${id}`), ...(await outboxArrivals(database))];
    const result = await tally(name, kind, expectedKeys, arrivals, database, note, { webhookKeys, stillWaiting });
    if (result.lost.length > 0 || result.stranded.length > 0) {
      result.note += `\n${servers.map((server) => `server on ${server.port} said:\n  ${server.output.join('\n  ')}`).join('\n')}`;
    }
    return result;
  } finally {
    trace('counted');
    for (const server of servers) await server.stop();
    trace('stopped');
    await peers.stop();
    await target.stop();
    await proxy?.cut();
    await database.drop().catch(() => undefined);
  }
}

/** The same database through another port on loopback (the proxy's). */
function viaPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.href;
}

function countBy<T extends string | number>(values: T[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}

/** Leads, messages and runs by status: a write anywhere changes it. */
async function countRows(database: Pick<Awaited<ReturnType<typeof freshDatabase>>, 'query'>): Promise<string> {
  const rows = await database.query(
    "SELECT 'leads' AS what, COUNT(*) AS count FROM leads UNION ALL SELECT 'messages ' || status, COUNT(*) FROM messages GROUP BY status UNION ALL SELECT 'runs ' || status, COUNT(*) FROM robot_runs GROUP BY status",
  );
  return rows
    .map((row) => `${String(row.what)} ${Number(row.count)}`)
    .sort()
    .join(', ');
}

/** The outbox's deliveries are its message rows, written in the run's transaction. */
async function outboxArrivals(database: Awaited<ReturnType<typeof freshDatabase>>): Promise<string[]> {
  const rows = await database.query("SELECT body FROM messages WHERE channel = 'outbox' AND status = 'recorded'");
  return rows.map((row) => /\b([tabo]\d) L(\d+)\b/.exec(String(row.body))?.slice(1, 3).join(' L') ?? String(row.body));
}

/** Milliseconds from due to started for the runs of these robots. */
async function dueLags(database: Awaited<ReturnType<typeof freshDatabase>>, robots: string[]): Promise<number[]> {
  const rows = await database.query(`SELECT started_at - due_at AS lag FROM robot_runs WHERE robot_id IN (${robots.map((robot) => `'${robot}'`).join(', ')}) AND started_at IS NOT NULL AND due_at IS NOT NULL`);
  return rows.map((row) => Math.max(0, Number(row.lag)));
}

/**
 * One read or write from outside the servers. Opening can fail for a moment while a restarted
 * server recovers the WAL after kill -9 (SQLITE_CANTOPEN / BUSY): the open error is taken
 * through the callback (an unhandled `error` event would crash the run and leave it hanging)
 * and the query is tried again.
 */
async function querySqlite(file: string, sql: string, attempt = 1): Promise<Array<Record<string, unknown>>> {
  try {
    return await new Promise((resolve, reject) => {
      const db = new sqlite3.Database(file, (openError) => {
        if (openError) return reject(openError);
        db.configure('busyTimeout', 5000);
        db.all(sql, (error, rows) => db.close(() => (error ? reject(error) : resolve(rows as Array<Record<string, unknown>>))));
      });
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Seen only inside a long jest worker: a fresh process reads the same file fine.
    if (attempt >= 20 && code === 'SQLITE_CANTOPEN') {
      const viaChild = await querySqliteInChild(file, sql).catch(() => null);
      if (viaChild) return viaChild;
    }
    if (attempt >= 20 || (code !== 'SQLITE_CANTOPEN' && code !== 'SQLITE_BUSY')) {
      // Say where: a failure here is the harness's, not the servers'.
      const directory = path.dirname(file);
      const seen = fs.existsSync(directory) ? fs.readdirSync(directory).join(', ') : 'the directory is gone';
      const openFiles = fs.existsSync('/proc/self/fd') ? fs.readdirSync('/proc/self/fd').length : NaN;
      throw new Error(`${(error as Error).message} after ${attempt} attempts, opening ${file} (${seen}; this process has ${openFiles} files open) for: ${sql.slice(0, 80)}`, { cause: error });
    }
    await sleep(100 * attempt);
    return querySqlite(file, sql, attempt + 1);
  }
}

/** The same query from a short-lived node process (the harness's fallback; see querySqlite). */
function querySqliteInChild(file: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const script = `const sqlite3 = require('sqlite3'); const db = new sqlite3.Database(process.argv[1], (e) => { if (e) { console.error(e.message); process.exit(1); } db.configure('busyTimeout', 5000); db.all(process.argv[2], (error, rows) => { if (error) { console.error(error.message); process.exit(1); } process.stdout.write(JSON.stringify(rows)); db.close(); }); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, file, sql], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Array<Record<string, unknown>>) : reject(new Error(err))));
  });
}

async function setTelegramChats(database: Awaited<ReturnType<typeof freshDatabase>>, ids: number[]): Promise<void> {
  // Straight into the database, one statement: the fields column is JSON text on both.
  if (ids.length === 0) return;
  await database.query(`UPDATE leads SET fields = '{"telegram_chat_id":"' || (5000 + id) || '"}' WHERE id IN (${ids.join(', ')})`);
}

async function terminateConnections(): Promise<void> {
  const admin = new Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'robots-chaos' AND pid <> pg_backend_pid()");
  await admin.end();
}

/** Runs not yet settled, leaving out those of `waiting` robots (webhooks on a 600 s timeout). */
async function openRuns(database: Awaited<ReturnType<typeof freshDatabase>>, waiting: string[] = []): Promise<number> {
  const besides = waiting.length > 0 ? ` AND robot_id NOT IN (${waiting.map((robot) => `'${robot}'`).join(', ')})` : '';
  const [row] = await database.query(`SELECT COUNT(*) AS count FROM robot_runs WHERE status IN ('scheduled', 'failed', 'running')${besides}`).catch(() => [{ count: 1 }]);
  return Number(row?.count ?? 1);
}

/** Runs of these robots not yet settled. */
async function openRunsOf(database: Awaited<ReturnType<typeof freshDatabase>>, robots: string[]): Promise<number> {
  const [row] = await database
    .query(`SELECT COUNT(*) AS count FROM robot_runs WHERE status IN ('scheduled', 'failed', 'running') AND robot_id IN (${robots.map((robot) => `'${robot}'`).join(', ')})`)
    .catch(() => [{ count: 1 }]);
  return Number(row?.count ?? 1);
}

async function tally(
  name: ChaosCaseName,
  kind: ChaosDatabase,
  expectedKeys: string[],
  arrivals: string[],
  database: Awaited<ReturnType<typeof freshDatabase>>,
  note: string,
  webhooks: { webhookKeys: Map<number, string>; stillWaiting: string[] } = { webhookKeys: new Map(), stillWaiting: [] },
): Promise<ChaosResult> {
  const counts = new Map<string, number>();
  for (const key of arrivals) counts.set(key, (counts.get(key) ?? 0) + 1);
  // A message in doubt, or a webhook run that got no answer (it has no message row).
  const unknownRows = await database.query("SELECT body FROM messages WHERE status IN ('unknown', 'sending')");
  const unknownHooks = await database.query("SELECT robot_id, entity_id FROM robot_runs WHERE status = 'unknown' AND robot_id IN ('w1', 'w2')");
  const unknown = [
    ...unknownRows.map((row) => /\b([tabo]\d) L(\d+)\b/.exec(String(row.body))?.slice(1, 3).join(' L') ?? String(row.body)),
    ...unknownHooks.map((row) => webhooks.webhookKeys.get(Number(row.entity_id)) ?? `${String(row.robot_id)} L${Number(row.entity_id)}`),
  ];
  const waiting = new Set(webhooks.stillWaiting);
  const strandedRows = await database.query("SELECT id, robot_id, entity_id, status FROM robot_runs WHERE status IN ('scheduled', 'failed', 'running')");
  return {
    case: name,
    database: kind,
    expected: expectedKeys.length,
    delivered: expectedKeys.filter((key) => counts.has(key)).length,
    lost: expectedKeys.filter((key) => !counts.has(key) && !unknown.includes(key) && !waiting.has(key)),
    duplicated: [...counts.entries()].filter(([, count]) => count > 1).map(([key, count]) => `${key} ×${count}`),
    unknown,
    unknownReached: unknown.filter((key) => counts.has(key)).length,
    stranded: strandedRows.filter((row) => !waiting.has(webhooks.webhookKeys.get(Number(row.entity_id)) ?? '')).map((row) => `run ${row.id} ${row.robot_id} lead ${row.entity_id} ${row.status}`),
    note,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(200);
  }
}

export function formatChaos(results: ChaosResult[]): string {
  const list = (items: string[]) => (items.length === 0 ? '0' : `${items.length}: ${items.slice(0, 6).join(', ')}${items.length > 6 ? ' …' : ''}`);
  const lines = [
    '| case | database | expected | delivered | lost | duplicated | unknown (reached the peer) | stranded | what was done |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (result) =>
        `| ${result.case} | ${result.database} | ${result.expected} | ${result.delivered} | ${list(result.lost)} | ${list(result.duplicated)} | ${list(result.unknown)} (${result.unknownReached}) | ${list(result.stranded)} | ${result.note} |`,
    ),
  ];
  return lines.join('\n');
}

/**
 * A port below the system's ephemeral range (32768+ on Linux), free on every interface now: an
 * ephemeral port may be the local end of a Postgres connection a moment later.
 */
let candidatePort = 20000 + Math.floor(Math.random() * 5000);
async function freePort(): Promise<number> {
  for (;;) {
    const port = candidatePort++;
    if (candidatePort > 30000) candidatePort = 20000;
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/**
 * Twin starts: two `robots serve` on one fresh database at the same instant, `rounds` times. Each
 * must come up (answer /healthz) and neither may exit: migrations and the config users' sync are
 * idempotent under concurrency (advisory lock on Postgres, the write lock on SQLite, upserts).
 */
export async function twinStarts(kind: ChaosDatabase, rounds: number): Promise<{ rounds: number; exits: number; notes: string[] }> {
  let exits = 0;
  const notes: string[] = [];
  const configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'robots-chaos-twins-')), 'robots.yaml');
  fs.writeFileSync(configFile, config());
  for (let round = 0; round < rounds; round++) {
    const database = await freshDatabase(kind);
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url, ROBOTS_CONFIG: configFile, LOG_LEVEL: 'warn' };
    // Ports the system says are free now: a port of an earlier round, still closing, is no twin-start failure.
    const twins = [new Server(env, await freePort()), new Server(env, await freePort())];
    const started = await Promise.allSettled(twins.map((twin) => twin.start()));
    for (const [index, outcome] of started.entries()) {
      if (outcome.status === 'fulfilled') continue;
      exits += 1;
      notes.push(`round ${round}: ${twins[index]!.output.slice(-2).join(' / ')}`);
    }
    await Promise.all(twins.map((twin) => twin.stop()));
    await database.drop();
  }
  return { rounds, exits, notes };
}

async function main(): Promise<void> {
  const quick = process.env.CHAOS_QUICK === '1';
  const leads = Number(process.env.CHAOS_LEADS ?? (quick ? 60 : 1000));
  const kinds = (process.env.CHAOS_DATABASES?.split(',') ?? ['sqlite', 'postgres']) as ChaosDatabase[];
  const all: ChaosCaseName[] = ['kill', 'providers', 'connections', 'concurrent-moves', 'downtime', 'hanging-webhooks-10s', 'hanging-webhooks-600s', 'rate-limit-kill', 'moved-file', 'postgres-down'];
  // CHAOS_ONLY=moved-file,postgres-down runs those cases alone.
  const only = process.env.CHAOS_ONLY?.split(',').filter(Boolean);
  const cases = only ? all.filter((name) => only.includes(name)) : all;
  /** Cases with one database's fault only: a file has no connections to cut, Postgres no file to move. */
  const onlyOn: Partial<Record<ChaosCaseName, ChaosDatabase>> = { connections: 'postgres', 'postgres-down': 'postgres', 'moved-file': 'sqlite' };
  /** Leads a case moves: the hanging webhooks and the limiter's queue are 300 whatever CHAOS_LEADS says. */
  const leadsOf = (name: ChaosCaseName) =>
    name === 'hanging-webhooks-10s' || name === 'hanging-webhooks-600s' || name === 'rate-limit-kill'
      ? quick
        ? 100
        : 300
      : name === 'concurrent-moves' || name === 'moved-file' || name === 'postgres-down'
        ? Math.min(leads, 100)
        : leads;
  const results: ChaosResult[] = [];
  for (const kind of kinds) {
    for (const name of cases) {
      if (onlyOn[name] !== undefined && onlyOn[name] !== kind) continue;
      const started = Date.now();
      const result = await runChaosCase(name, kind, { leads: leadsOf(name) });
      console.error(`${name} on ${kind}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
      results.push(result);
    }
  }
  console.log(formatChaos(results));
  const rounds = Number(process.env.CHAOS_TWIN_ROUNDS ?? (only ? 0 : quick ? 5 : 50));
  console.log('\n| twin starts | database | rounds | exits | |\n|---|---|---|---|---|');
  for (const kind of kinds) {
    const twins = await twinStarts(kind, rounds);
    console.log(`| two \`serve\` on a fresh database | ${kind} | ${twins.rounds} | ${twins.exits} | ${twins.notes.slice(0, 3).join('; ')} |`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
