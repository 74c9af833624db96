import type { EventType } from '../config/event-types';
/**
 * Issue on triggers: form intake requests/s and p99 beside a bare express endpoint, and
 * trigger matching throughput with 1,000 trigger rules. Prints figures; asserts nothing.
 * Run alone with `tsx bench/intake.ts`, or as part of `npm run bench`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import express from 'express';
import pino from 'pino';
import { loadConfigText } from '../config/loader';
import { triggersFor } from '../server/core/compiled-config';
import { ChannelRegistry } from '../server/channels/channel';
import { OutboxChannel } from '../server/channels/outbox';
import { openDatabase } from '../server/db/data-source';
import { systemClock } from '../server/core/clock';
import { buildContext } from '../server/core/context';
import { ConfigError } from '../server/core/errors';
import { asItem } from '../server/core/items';
import { chooseTrigger } from '../server/core/trigger-matching';
import { createApp } from '../server/http/app';
import { Runtime } from '../server/runtime';
import type { LeadRow } from '../server/db/entities';
import { roundRobin } from './stats';

const QUICK = process.env.BENCH_QUICK === '1';
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? (QUICK ? 2 : 10));
const CONNECTIONS = 10;
const MATCH_EVENTS = QUICK ? 20000 : 200000;

const FORM_YAML = `
users:
  - { login: lena, name: Lena, role: manager, team: first_line, telegram_chat_id: "100" }
teams:
  first_line: { members: [lena], manager: lena }
fields:
  product: { type: string }
scoring:
  rules: [{ event: form_submitted, points: 10 }]
forms:
  contact: { fields: { name: name, phone: phone, email: email, product: product }, source: website, rate_limit: 1000000/s }
leads:
  team: first_line
  stages:
    - id: new
      robots:
        - { id: welcome_alert, type: notify, to: [manager], text: "New lead #{{item.id}} {{item.name}}" }
        - { id: sla, type: notify, to: [manager], after: 30m, text: "SLA #{{item.id}}" }
    - id: warm
      triggers: [{ id: warm_by_score, type: score_reached, threshold: 30 }]
`;

/** 1,000 trigger rules over 10 event types and 100 stages: what matching must not scan. */
function manyTriggersYaml(): string {
  const types = ['webhook', 'form_submitted', 'message_inbound', 'call', 'email_opened', 'link_clicked', 'field_changed', 'score_reached', 'responsible_changed', 'task_overdue'];
  const paramsFor = (type: string, n: number) =>
    type === 'webhook'
      ? `, hooks: [h${n % 10}]`
      : type === 'form_submitted'
        ? `, forms: [f${n % 10}]`
        : type === 'field_changed'
          ? `, field: product, to: v${n}`
          : type === 'score_reached'
            ? `, threshold: ${n * 10}`
            : type === 'call'
              ? ', outcomes: [answered]'
              : '';
  const stages = Array.from({ length: 100 }, (_, stage) => {
    const triggers = types.map((type, index) => `        - { id: t_${stage}_${index}, type: ${type}${paramsFor(type, stage)} }`).join('\n');
    return `    - id: s${stage}\n      triggers:\n${triggers}`;
  }).join('\n');
  const hooks = Array.from({ length: 10 }, (_, n) => `  h${n}: { secret_env: H${n} }`).join('\n');
  const forms = Array.from({ length: 10 }, (_, n) => `  f${n}: { fields: { phone: phone } }`).join('\n');
  return `fields:\n  product: { type: string }\nhooks:\n${hooks}\nforms:\n${forms}\nleads:\n  stages:\n${stages}\n`;
}

/** Runs in the child process: the real app (scheduler on, as `serve`) or bare express. */
async function serveChild(role: 'robots' | 'bare'): Promise<void> {
  let server: ReturnType<express.Express['listen']>;
  let stop = async () => undefined as unknown;
  if (role === 'bare') {
    const app = express();
    app.use(express.json());
    app.post('/forms/:id', (_request, response) => {
      response.status(201).json({ ok: true });
    });
    server = app.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-bench-intake-'));
    const result = loadConfigText(FORM_YAML, path.join(dir, 'bench.yaml'));
    if (!result.ok) throw new ConfigError(result.issues);
    const dataSource = await openDatabase({ sqlitePath: path.join(dir, 'robots.sqlite') });
    const runtime = await Runtime.start({
      dataSource,
      configFile: path.join(dir, 'bench.yaml'),
      config: result.config,
      clock: systemClock,
      channels: new ChannelRegistry(new OutboxChannel()),
      logger: pino({ level: 'silent' }),
    });
    runtime.scheduler.start();
    server = createApp(runtime).listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
    stop = async () => {
      const [row] = await runtime.store.manager.query('SELECT (SELECT COUNT(*) FROM leads) AS leads, (SELECT COUNT(*) FROM messages) AS messages');
      process.send!({ leads: Number(row.leads), messages: Number(row.messages) });
      await runtime.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  process.on('message', (message: { type: string }) => {
    if (message.type === 'exit') server.close(() => void stop().then(() => process.exit(0)));
  });
}

async function startChild(role: 'robots' | 'bare'): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(__filename, ['--serve-intake', role], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message));
    child.once('exit', (code) => reject(new Error(`${role} server exited early (${code})`)));
  });
  child.removeAllListeners('exit');
  return { child, port };
}

async function stopChild(child: ChildProcess): Promise<{ leads?: number; messages?: number }> {
  const counts = new Promise<{ leads?: number; messages?: number }>((resolve) => {
    child.once('message', (message: { leads: number; messages: number }) => resolve(message));
    child.once('exit', () => resolve({}));
  });
  child.send({ type: 'exit' });
  return counts;
}

async function benchForms(role: 'robots' | 'bare') {
  const { child, port } = await startChild(role);
  let next = 0;
  const requests = [
    {
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      setupRequest: (request: object) => {
        next += 1;
        return { ...request, path: '/forms/contact', body: JSON.stringify({ name: `Client ${next}`, phone: `+7916${String(1000000 + next).slice(-7)}`, product: 'audit' }) };
      },
    },
  ];
  const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: HTTP_SECONDS, requests });
  const counts = await stopChild(child);
  return { perSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, created: result['2xx'], non2xx: result.non2xx, counts };
}

function benchMatching() {
  const result = loadConfigText(manyTriggersYaml(), path.join(os.tmpdir(), 'many-triggers.yaml'));
  if (!result.ok) throw new ConfigError(result.issues);
  const config = result.config;
  const rules = [...config.triggers.values()].reduce((sum, byPipeline) => sum + [...byPipeline.values()].reduce((n, list) => n + list.length, 0), 0);
  const eventTypes: EventType[] = ['webhook', 'form_submitted', 'message_inbound', 'call', 'email_opened', 'link_clicked', 'field_changed', 'score_changed', 'responsible_changed', 'task_overdue'];
  const now = Date.now();
  const row = {
    id: 1,
    stage: 's50',
    stageEntryId: 1,
    enteredStageAt: now,
    fields: { product: 'x' },
    score: 0,
    tags: [],
    scoredAt: null,
    responsible: null,
    repeatClient: false,
    createdAt: now,
    updatedAt: now,
  } as unknown as LeadRow;
  const item = asItem('lead', row);
  const context = buildContext({ config, item, contact: null, company: null, touchesSent: 0, repliesReceived: 0, now, publicUrl: 'http://localhost:3000' });
  const payloads: Record<string, Record<string, unknown>> = {
    webhook: { hook: 'h3' },
    form_submitted: { form: 'f7' },
    message_inbound: { channel: 'sms' },
    call: { outcome: 'answered' },
    email_opened: {},
    link_clicked: { url: 'https://x' },
    field_changed: { field: 'product', from: null, to: 'v77' },
    score_changed: { from: 700, to: 720 },
    responsible_changed: { from: null, to: 'a' },
    task_overdue: {},
  };
  let moves = 0;
  let candidates = 0;
  const started = performance.now();
  for (let index = 0; index < MATCH_EVENTS; index += 1) {
    const type = roundRobin(eventTypes, index);
    candidates += triggersFor(config, type, 'leads').length;
    if (chooseTrigger(config, item, { type, payload: payloads[type] ?? {} }, context).kind === 'move') moves += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  return { rules, eventsPerSecond: MATCH_EVENTS / seconds, candidatesPerEvent: candidates / MATCH_EVENTS, moves, events: MATCH_EVENTS };
}

export async function runIntakeBenchmarks(log: (line: string) => void): Promise<Array<[string, string, string, string]>> {
  log(`(i) form intake: POST /forms/contact, each a new lead + entry robots, autocannon ${CONNECTIONS} connections, ${HTTP_SECONDS}s, server in a child process`);
  const forms = await benchForms('robots');
  log(
    `    robots app:                  ${forms.perSecond.toFixed(0)} req/s, p50 ${forms.p50} ms, p99 ${forms.p99} ms  [${forms.created} 2xx, non-2xx ${forms.non2xx}; ${forms.counts.leads} leads, ${forms.counts.messages} alerts in the database]`,
  );
  const bare = await benchForms('bare');
  log(`    bare express:                ${bare.perSecond.toFixed(0)} req/s, p50 ${bare.p50} ms, p99 ${bare.p99} ms\n`);
  log(`(j) trigger matching: ${MATCH_EVENTS} events against 1,000 trigger rules (10 event types × 100 stages)`);
  const matching = benchMatching();
  log(
    `    ${matching.eventsPerSecond.toFixed(0)} events/s; ${matching.rules} rules configured, ${matching.candidatesPerEvent.toFixed(0)} looked at per event (the index by event type and pipeline); ${matching.moves} would move\n`,
  );
  return [
    ['(i) form intake req/s (lead + entry robots)', forms.perSecond.toFixed(0), '≥ 1,000', forms.perSecond >= 1000 ? 'meets' : 'BELOW'],
    ['(i) form intake latency p50 / p99', `${forms.p50} / ${forms.p99} ms`, '', ''],
    ['(i) bare express req/s', bare.perSecond.toFixed(0), '', ''],
    ['(i) form intake / bare express', `${((forms.perSecond / bare.perSecond) * 100).toFixed(0)} %`, '(info)', ''],
    ['(j) trigger matching, 1,000 rules', `${matching.eventsPerSecond.toFixed(0)} events/s`, '', ''],
    ['(j) rules looked at per event', `${matching.candidatesPerEvent.toFixed(0)} of ${matching.rules}`, 'indexed', matching.candidatesPerEvent < matching.rules / 5 ? 'meets' : 'BELOW'],
  ];
}

if (process.argv[2] === '--serve-intake') {
  serveChild(process.argv[3] as 'robots' | 'bare').catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else if (require.main === module) {
  runIntakeBenchmarks((line) => process.stdout.write(`${line}\n`)).then(
    (rows) => {
      for (const row of rows) process.stdout.write(`  ${row.join('  ')}\n`);
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
