/**
 * Issue on real channels: the hot-lead auto-callback's latency to Twilio's `calls.create`,
 * Telegram alerts/s with the rate limiter off and on (and the 1 msg/s per chat it must hold),
 * and email/s over one pooled SMTP connection through EmailChannel vs nodemailer directly.
 * Everything goes to the loopback peers of test/peers in this process; arrival times are taken
 * with performance.now() in the peer as the request is recorded. Prints figures; asserts nothing.
 * Run alone with `tsx bench/channels.ts`, or as part of `npm run bench`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import pino from 'pino';
import type { SMTPServer } from 'smtp-server';
import { loadConfigText } from '../config/loader';
import { buildChannels } from '../server/channels';
import type { OutgoingMessage } from '../server/channels/channel';
import { EmailChannel, outgoingMessageId, smtpServerFromUrl } from '../server/channels/email';
import { RateLimitedChannel } from '../server/channels/rate-limit';
import type { TelegramChannel } from '../server/channels/telegram';
import { openDatabase } from '../server/db/data-source';
import { systemClock } from '../server/core/clock';
import { ConfigError } from '../server/core/errors';
import { Runtime } from '../server/runtime';
import { SmtpPeer } from '../test/peers/smtp-peer';
import { TelegramPeer } from '../test/peers/telegram-peer';
import { TwilioPeer } from '../test/peers/twilio-peer';
import { fmt, percentile } from './stats';

const QUICK = process.env.BENCH_QUICK === '1';
const HOT_LEADS = Number(process.env.BENCH_HOT_LEADS ?? 200);
const HOT_WARMUP = 10;
const TELEGRAM_SECONDS = Number(process.env.BENCH_TELEGRAM_SECONDS ?? (QUICK ? 2 : 4));
const EMAIL_SECONDS = Number(process.env.BENCH_EMAIL_SECONDS ?? (QUICK ? 2 : 4));
const IN_FLIGHT = 10;
const PER_CHAT_MESSAGES = 5;
/** Telegram's published limits, as buildChannels sets them when TELEGRAM_*_RATE_LIMIT is unset. */
const TELEGRAM_GLOBAL = 30;
const TELEGRAM_PER_CHAT = 1;

type Row = [string, string, string, string];

/** The hot-lead cast: a team of agents with phones; `hot` carries the auto_callback robot. */
const HOT_YAML = `
timezone: UTC
default_region: RU
public_url: http://127.0.0.1:9
users:
  - { login: root, name: Root, role: admin }
  - { login: gena, name: Gena, role: sales, team: hot_team, phone: "+79990000001", telegram_chat_id: "1001" }
  - { login: galya, name: Galya, role: sales, team: hot_team, phone: "+79990000002", telegram_chat_id: "1002" }
  - { login: gm, name: Grigory Manager, role: manager, team: hot_team, phone: "+79990000009", telegram_chat_id: "1000" }
teams:
  hot_team: { members: [gena, galya], manager: gm }
leads:
  team: hot_team
  stages:
    - id: new
    - id: hot
      robots:
        - { id: call_back, type: auto_callback, ring_timeout: 20 }
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `onPush` with performance.now() whenever the peer records something in `list`. */
function timestampPushes<T>(list: T[], onPush: (item: T, at: number) => void): void {
  const push = list.push.bind(list);
  list.push = (...items: T[]) => {
    const at = performance.now();
    for (const item of items) onPush(item, at);
    return push(...items);
  };
}

function message(id: number, channel: OutgoingMessage['channel'], recipient: string, body: string, subject: string | null = null): OutgoingMessage {
  return { id, idempotencyKey: `bench:${channel}:${id}`, channel, audience: 'user', recipient, subject, body, html: null, meta: {} };
}

/** Keeps `inFlight` sends going for `seconds`; counts the ones that resolved. */
async function sustain(seconds: number, inFlight: number, sendOne: (n: number) => Promise<unknown>): Promise<{ sent: number; failed: number; seconds: number; firstError?: string }> {
  let next = 0;
  let sent = 0;
  let failed = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const until = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      try {
        await sendOne(next++);
        sent++;
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { sent, failed, seconds: (performance.now() - start) / 1000, firstError };
}

// ── 1. hot lead → calls.create at the Twilio peer ───────────────────────────────────────

interface HotFigures {
  leads: number;
  arrived: number;
  p50: number;
  p99: number;
  max: number;
  calls: number;
  detail: string;
}

async function benchHotLeadCallback(): Promise<HotFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-bench-callback-'));
  const twilio = new TwilioPeer();
  const twilioAt = await twilio.start();
  const arrivals: number[] = [];
  let onArrival: (() => void) | null = null;
  timestampPushes(twilio.requests, (request, at) => {
    if (request.resource !== 'Calls') return;
    arrivals.push(at);
    onArrival?.();
  });
  // As `robots serve` builds them from the environment; only Twilio is pointed anywhere.
  const channels = buildChannels({
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE: twilioAt.url,
    PUBLIC_URL: 'http://127.0.0.1:9',
  });
  const configFile = path.join(dir, 'bench.yaml');
  const compiled = loadConfigText(HOT_YAML, configFile, systemClock.now());
  if (!compiled.ok) throw new ConfigError(compiled.issues);
  const dataSource = await openDatabase({ sqlitePath: path.join(dir, 'robots.sqlite') });
  const runtime = await Runtime.start({ dataSource, configFile, config: compiled.config, clock: systemClock, channels, logger: pino({ level: 'silent' }) });
  try {
    const engine = runtime;
    const ids: number[] = [];
    for (let i = 0; i < HOT_WARMUP + HOT_LEADS; i++) {
      const item = await engine.pipeline.createItem('lead', { name: `Hot lead ${i}`, phone: `+7916${String(1000000 + i).slice(-7)}`, responsible: i % 2 ? 'gena' : 'galya', stage: 'new' }, 'user:root');
      ids.push(item.row.id);
    }
    engine.scheduler.start();
    const latencies: number[] = [];
    let missing = 0;
    // One lead at a time: move it, wait for its call to reach the peer, then the next.
    for (const [index, id] of ids.entries()) {
      const before = arrivals.length;
      const arrived = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 5000);
        onArrival = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      const started = performance.now();
      await engine.pipeline.move({ kind: 'lead', id }, 'hot', { actor: 'user:root' });
      const ok = arrivals.length > before || (await arrived);
      onArrival = null;
      if (index < HOT_WARMUP) continue;
      const arrival = arrivals[before];
      if (ok && arrival !== undefined) latencies.push(arrival - started);
      else missing++;
    }
    await sleep(50);
    const [row] = await runtime.store.manager.query('SELECT COUNT(*) AS calls, SUM(CASE WHEN provider_sid IS NOT NULL THEN 1 ELSE 0 END) AS sids FROM calls');
    const callsAtPeer = twilio.requests.filter((request) => request.resource === 'Calls').length;
    return {
      leads: HOT_LEADS,
      arrived: latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      calls: callsAtPeer,
      detail: `${callsAtPeer} Calls.json POSTs at the peer for ${ids.length} leads (incl. ${HOT_WARMUP} warm-up), ${row.calls} call rows, ${row.sids} with a SID; ${missing} never arrived within 5 s`,
    };
  } finally {
    await runtime.stop();
    await twilio.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ── 2. Telegram alerts ───────────────────────────────────────────────────────────────────

interface TelegramFigures {
  off: { perSecond: number; sent: number; failed: number; firstError?: string };
  on: { perSecond: number; steadyPerSecond: number; sent: number; seconds: number };
  perChatGaps: number[];
}

async function benchTelegram(): Promise<TelegramFigures> {
  const peer = new TelegramPeer();
  const at = await peer.start();
  const arrivals = new Map<string, number[]>();
  timestampPushes(peer.calls, (call, time) => {
    if (call.method !== 'sendMessage') return;
    const chat = String(call.payload.chat_id);
    arrivals.set(chat, [...(arrivals.get(chat) ?? []), time]);
  });
  // The registry as buildChannels makes it with TELEGRAM_*_RATE_LIMIT unset: 30/s overall, 1/s a chat.
  const registry = buildChannels({ TELEGRAM_BOT_TOKEN: peer.token, TELEGRAM_API_ROOT: at.url });
  const limited = registry.get('telegram');
  const raw = registry.adapter('telegram') as TelegramChannel;
  if (!(limited instanceof RateLimitedChannel) || limited.unwrapped !== raw) throw new Error('buildChannels did not wrap Telegram in the rate limiter');
  let id = 0;
  const alert = (chat: number) => message(++id, 'telegram', String(chat), `🔥 New lead #${id} Ivan Petrov +79161234567`);
  try {
    // Limiter off: the adapter itself, IN_FLIGHT requests at a time, each to another chat.
    await sustain(0.5, IN_FLIGHT, (n) => raw.send(alert(900000 + n))); // warm-up, not reported
    const off = await sustain(TELEGRAM_SECONDS, IN_FLIGHT, (n) => raw.send(alert(100000 + n)));

    // Limiter on, many chats: everything handed over at once, the limiter paces it (burst of 30, then 30/s).
    const onCount = TELEGRAM_GLOBAL * (TELEGRAM_SECONDS + 1);
    const onChats = Array.from({ length: onCount }, (_, n) => 200000 + n);
    // Per chat, concurrently on its own limiter: 5 alerts to one chat handed over at once.
    const perChat = new RateLimitedChannel(raw, { global: TELEGRAM_GLOBAL, perRecipient: TELEGRAM_PER_CHAT });
    const oneChat = 777;
    const started = performance.now();
    const [onResults] = await Promise.all([Promise.allSettled(onChats.map((chat) => limited.send(alert(chat)))), Promise.all(Array.from({ length: PER_CHAT_MESSAGES }, () => perChat.send(alert(oneChat))))]);
    const onTimes = onChats
      .map((chat) => arrivals.get(String(chat))?.[0])
      .filter((time): time is number => time !== undefined)
      .sort((a, b) => a - b);
    const lastOn = onTimes.at(-1) ?? NaN;
    // After the burst the bucket is empty: from the (burst+1)th arrival on, the pace is the limit.
    const steady = onTimes.slice(TELEGRAM_GLOBAL);
    const [firstSteady, lastSteady] = [steady.at(0), steady.at(-1)];
    const steadyPerSecond = steady.length > 1 && firstSteady !== undefined && lastSteady !== undefined ? ((steady.length - 1) * 1000) / (lastSteady - firstSteady) : NaN;
    const times = arrivals.get(String(oneChat)) ?? [];
    return {
      off: { perSecond: off.sent / off.seconds, sent: off.sent, failed: off.failed, firstError: off.firstError },
      on: {
        perSecond: (onTimes.length * 1000) / (lastOn - started),
        steadyPerSecond,
        sent: onResults.filter((result) => result.status === 'fulfilled').length,
        seconds: (lastOn - started) / 1000,
      },
      perChatGaps: times.slice(1).map((time, index) => time - (times[index] ?? time)),
    };
  } finally {
    await registry.close();
    await peer.stop();
  }
}

// ── 3. email over one pooled SMTP connection ─────────────────────────────────────────────

interface EmailFigures {
  adapter: { perSecond: number; sent: number; failed: number; firstError?: string };
  direct: { perSecond: number; sent: number; failed: number; firstError?: string };
  /** EmailChannel as buildChannels makes it: nodemailer's pool defaults (5 connections, 100 mails each). */
  asBuilt: { perSecond: number; connections: number };
  received: number;
  connections: number;
}

async function benchEmail(): Promise<EmailFigures> {
  const peer = new SmtpPeer();
  // smtp-server resolves every client's address backwards (dns.reverse) before greeting: off.
  // Its 100 ms "early talker" pause at each connect cannot be turned off; one connection kept
  // for the whole run (maxMessages unbounded) pays it once, in the warm-up.
  (peer as unknown as { server: SMTPServer }).server.options.disableReverseLookup = true;
  let connections = 0;
  (peer as unknown as { server: SMTPServer }).server.server.on('connection', () => connections++);
  const at = await peer.start();
  const from = 'Acme Sales <sales@acme.test>';
  const smtp = smtpServerFromUrl(at.url);
  const channel = new EmailChannel({ smtp, from, pool: { maxConnections: 1, maxMessages: Infinity } });
  // nodemailer by itself, with the options EmailChannel gives it, the same single connection.
  const direct = nodemailer.createTransport({ pool: true, maxConnections: 1, maxMessages: Infinity, host: smtp.host, port: smtp.port, secure: smtp.secure, requireTLS: smtp.requireTLS, auth: smtp.auth });
  let id = 0;
  const mail = () => {
    const n = ++id;
    return message(n, 'email', `client${n}@example.com`, `Hello Ivan Petrov, your quote #${n} is attached.\nBest regards,\nAcme Sales`, `Your quote #${n}, Ivan Petrov`);
  };
  const viaAdapter = () => channel.send(mail());
  const viaNodemailer = () => {
    const m = mail();
    return direct.sendMail({ from, to: m.recipient, subject: m.subject ?? undefined, text: m.body, html: undefined, messageId: outgoingMessageId(m.id, 'acme.test'), headers: {} });
  };
  try {
    await sustain(0.5, IN_FLIGHT, viaAdapter); // warm-up: opens the connections, not reported
    await sustain(0.5, IN_FLIGHT, viaNodemailer);
    peer.received.splice(0);
    // Two halves each, in alternating order (direct, adapter, adapter, direct): neither side gets all the warmer JIT.
    const runs = { direct: [] as Awaited<ReturnType<typeof sustain>>[], adapter: [] as Awaited<ReturnType<typeof sustain>>[] };
    // The peer keeps every parsed mail; emptied between halves so a growing heap weighs on no side.
    let received = 0;
    const half = async (send: () => Promise<unknown>) => {
      const run = await sustain(EMAIL_SECONDS / 2, IN_FLIGHT, send);
      received += peer.received.splice(0).length;
      return run;
    };
    for (const order of [
      ['direct', 'adapter'],
      ['adapter', 'direct'],
    ] as const) {
      for (const side of order) runs[side].push(await half(side === 'direct' ? viaNodemailer : viaAdapter));
    }
    const total = (list: Awaited<ReturnType<typeof sustain>>[]) => ({
      sent: list.reduce((sum, run) => sum + run.sent, 0),
      failed: list.reduce((sum, run) => sum + run.failed, 0),
      seconds: list.reduce((sum, run) => sum + run.seconds, 0),
      firstError: list.find((run) => run.firstError)?.firstError,
    });
    const directRun = total(runs.direct);
    const adapterRun = total(runs.adapter);
    const connectionsBefore = connections;
    const asBuilt = new EmailChannel({ smtp, from });
    const asBuiltRun = await half(() => asBuilt.send(mail())).finally(() => asBuilt.close());
    return {
      asBuilt: { perSecond: asBuiltRun.sent / asBuiltRun.seconds, connections: connections - connectionsBefore },
      adapter: { perSecond: adapterRun.sent / adapterRun.seconds, sent: adapterRun.sent, failed: adapterRun.failed, firstError: adapterRun.firstError },
      direct: { perSecond: directRun.sent / directRun.seconds, sent: directRun.sent, failed: directRun.failed, firstError: directRun.firstError },
      received,
      connections: connectionsBefore,
    };
  } finally {
    direct.close();
    await channel.close();
    await peer.stop();
  }
}

// ── the section ──────────────────────────────────────────────────────────────────────────

export async function runChannelBenchmarks(log: (line: string) => void): Promise<Row[]> {
  log(`(f) hot lead → Calls.json POST at the loopback Twilio peer: ${HOT_LEADS} leads moved to "hot" one at a time (+${HOT_WARMUP} warm-up), auto_callback robot, real VoiceChannel, scheduler running`);
  const hot = await benchHotLeadCallback();
  log(`    ${hot.arrived}/${hot.leads} calls: p50 ${fmt(hot.p50, 1)} ms, p99 ${fmt(hot.p99, 1)} ms, max ${fmt(hot.max, 1)} ms  [${hot.detail}]\n`);

  log(`(g) Telegram alerts through TelegramChannel (telegraf) to the loopback Bot API peer, one chat each`);
  const telegram = await benchTelegram();
  log(
    `    limiter off:   ${fmt(telegram.off.perSecond)} msg/s, ${IN_FLIGHT} in flight, ${TELEGRAM_SECONDS}s  [${telegram.off.sent} sent, ${telegram.off.failed} failed${telegram.off.firstError ? `: ${telegram.off.firstError}` : ''}]`,
  );
  log(
    `    limiter on (${TELEGRAM_GLOBAL}/s, ${TELEGRAM_PER_CHAT}/s a chat): ${fmt(telegram.on.perSecond, 1)} msg/s overall, ${fmt(telegram.on.steadyPerSecond, 1)} msg/s after the burst of ${TELEGRAM_GLOBAL}  [${telegram.on.sent} handed over at once, all arrived in ${fmt(telegram.on.seconds, 1)} s]`,
  );
  log(`    ${PER_CHAT_MESSAGES} alerts to one chat at once, limited: gaps between arrivals ${telegram.perChatGaps.map((gap) => fmt(gap)).join(', ')} ms\n`);

  log(`(h) email over one pooled SMTP connection (maxConnections 1) to the loopback smtp-server peer, ${IN_FLIGHT} sends queued, ${EMAIL_SECONDS}s each`);
  const email = await benchEmail();
  log(`    EmailChannel:        ${fmt(email.adapter.perSecond)} mail/s  [${email.adapter.sent} sent, ${email.adapter.failed} failed${email.adapter.firstError ? `: ${email.adapter.firstError}` : ''}]`);
  log(`    nodemailer directly: ${fmt(email.direct.perSecond)} mail/s  [${email.direct.sent} sent, ${email.direct.failed} failed${email.direct.firstError ? `: ${email.direct.firstError}` : ''}]`);
  log(`    EmailChannel as built (pool defaults, no warm-up): ${fmt(email.asBuilt.perSecond)} mail/s over ${email.asBuilt.connections} connections in ${fmt(EMAIL_SECONDS / 2, 1)}s`);
  log(`    ${email.received} mails confirmed by the peer in these three runs; the two measured transports used ${email.connections} SMTP connection(s)\n`);

  const minGap = telegram.perChatGaps.length ? Math.min(...telegram.perChatGaps) : NaN;
  const emailRatio = email.adapter.perSecond / email.direct.perSecond;
  return [
    ['(f) hot lead → calls.create at Twilio p50', `${fmt(hot.p50, 1)} ms`, '', ''],
    ['(f) hot lead → calls.create at Twilio p99', `${fmt(hot.p99, 1)} ms`, '< 1 s', hot.p99 < 1000 && hot.arrived === hot.leads ? 'meets' : 'BELOW'],
    ['(g) Telegram alerts/s, limiter off', fmt(telegram.off.perSecond), '', ''],
    ['(g) Telegram alerts/s, limiter on, many chats', `${fmt(telegram.on.steadyPerSecond, 1)} after burst`, `≤ ${TELEGRAM_GLOBAL}/s`, telegram.on.steadyPerSecond <= TELEGRAM_GLOBAL * 1.05 ? 'holds' : 'EXCEEDS'],
    ['(g) one chat, limited: min gap between alerts', `${fmt(minGap)} ms`, '≥ 950 ms', minGap >= 950 && telegram.perChatGaps.length === PER_CHAT_MESSAGES - 1 ? 'holds' : 'BELOW'],
    ['(h) email/s, EmailChannel, 1 pooled connection', fmt(email.adapter.perSecond), '', ''],
    ['(h) email/s, nodemailer directly, same options', fmt(email.direct.perSecond), '', ''],
    ['(h) EmailChannel / nodemailer', `${fmt(emailRatio * 100)} %`, '(info)', ''],
    ['(h) email/s, EmailChannel as built (5 conns, 100 mails each)', fmt(email.asBuilt.perSecond), '(info)', ''],
  ];
}

if (require.main === module) {
  runChannelBenchmarks((line) => process.stdout.write(`${line}\n`)).then(
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
