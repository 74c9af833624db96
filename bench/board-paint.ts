/**
 * (k) The board's first paint in Chromium over 100,000 leads on SQLite: from navigation start to
 * the moment every column holds its first cards, plus what the page's own requests took
 * (`GET /api/leads/board` and the slowest first page of a column, from Resource Timing).
 *
 * The leads are the search benchmark's seeded Russian funnel (bench/search.ts, 6 stages, 40 reps);
 * the app is `createApp(runtime)` on loopback, the board the built web/dist (built first when
 * missing or stale), Chromium the one the browser tests use (/usr/bin/chromium, via playwright-core).
 * Signed in as an admin, who sees every lead. The first run fills the browser's cache and
 * SQLite's; the p50 is over the runs after it.
 *
 * Knobs (env): BENCH_BOARD_LEADS (100,000; 20,000 with BENCH_QUICK=1), BENCH_BOARD_RUNS (5).
 * `tsx bench/board-paint.ts` runs it alone.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { loadConfigText } from '../config/loader';
import { setPassword } from '../server/auth/passwords';
import { ChannelRegistry } from '../server/channels/channel';
import { OutboxChannel } from '../server/channels/outbox';
import { systemClock } from '../server/core/clock';
import { ConfigError } from '../server/core/errors';
import { openDatabase } from '../server/db/data-source';
import { createApp } from '../server/http/app';
import { Runtime } from '../server/runtime';
import { seedLeads, STAGES } from './search';
import { fmt, percentile } from './stats';

type Row = [string, string, string, string];

const QUICK = process.env.BENCH_QUICK === '1';
const LEADS = Number(process.env.BENCH_BOARD_LEADS ?? (QUICK ? 20_000 : 100_000));
const RUNS = Math.max(2, Number(process.env.BENCH_BOARD_RUNS ?? 5));
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TARGET_MS = 1000;
const PASSWORD = 'bench-board-password';

/** The seeded stages as a lead funnel; the reps exist so their names show on the cards. */
const CONFIG = `
timezone: Europe/Moscow
default_region: RU
locale: ru
users:
  - { login: root, name: Root, role: admin }
${Array.from({ length: 40 }, (_, index) => `  - { login: sdr${index + 1}, name: Менеджер ${index + 1}, role: first_line, team: first_line }`).join('\n')}
teams:
  first_line: { members: [${Array.from({ length: 40 }, (_, index) => `sdr${index + 1}`).join(', ')}], manager: root }
leads:
  team: first_line
  stages:
${STAGES.map((stage) => (stage === 'junk' ? `    - id: junk\n      semantic: lost\n      reasons:\n        - { id: spam, refused_by: we_refused }` : `    - id: ${stage}`)).join('\n')}
`;

interface Paint {
  /** ms from navigation start until every column has a card in the page. */
  firstCards: number;
  /** ms the page's GET /api/leads/board took (request start to response end). */
  boardApi: number;
  /** ms of the slowest first page of a column (GET /api/leads?stage=…&limit=50). */
  slowestColumnPage: number;
}

/**
 * Injected before the page's scripts (as text: the bench compiles without the DOM's types): records
 * when every column first holds a card (or says it is empty), at the next frame, when it is painted.
 */
const WATCH_FIRST_CARDS = `(() => {
  const check = () => {
    const columns = [...document.querySelectorAll('.column')];
    if (window.boardPainted !== undefined || columns.length === 0) return;
    if (columns.every((column) => column.querySelector('.card') || column.querySelector('.column-empty'))) {
      requestAnimationFrame(() => { window.boardPainted ??= performance.now(); });
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
})()`;

/** Read in the page once painted: the paint moment and the page's API timings (Resource Timing). */
const READ_PAINT = `(() => {
  const resources = performance.getEntriesByType('resource');
  const took = (entry) => entry.responseEnd - entry.requestStart;
  const board = resources.find((entry) => new URL(entry.name).pathname === '/api/leads/board');
  const pages = resources.filter((entry) => new URL(entry.name).pathname === '/api/leads' && new URL(entry.name).searchParams.has('stage'));
  return { firstCards: window.boardPainted, boardApi: board ? took(board) : NaN, slowestColumnPage: pages.length ? Math.max(...pages.map(took)) : NaN };
})()`;

async function measure(baseUrl: string): Promise<Paint[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'ru-RU' });
    await context.addInitScript({ content: WATCH_FIRST_CARDS });
    const signedIn = await context.request.post(`${baseUrl}/auth/login`, { data: { login: 'root', password: PASSWORD } });
    if (!signedIn.ok()) throw new Error(`sign-in failed: ${signedIn.status()} ${await signedIn.text()}`);
    const paints: Paint[] = [];
    for (let run = 0; run < RUNS; run++) {
      const page = await context.newPage();
      await page.goto(`${baseUrl}/board/`);
      await page.waitForFunction('window.boardPainted !== undefined', undefined, { timeout: 60_000 });
      const paint = (await page.evaluate(READ_PAINT)) as Paint;
      const cards = await page.locator('.card').count();
      if (cards === 0) throw new Error('the board painted no cards');
      paints.push(paint);
      await page.close();
    }
    return paints;
  } finally {
    await browser.close();
  }
}

export async function runBoardPaintBenchmark(log: (line: string) => void): Promise<Row[]> {
  if (!fs.existsSync(CHROMIUM)) {
    log(`(k) board first paint: skipped, ${CHROMIUM} is missing (node scripts/ensure-chromium.js as root)\n`);
    return [['(k) board first paint, 100k leads', 'skipped', '< 1 s', 'no Chromium']];
  }
  execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'ensure-web-build.js')], { stdio: 'inherit' });
  log(`(k) board first paint in Chromium, ${fmt(LEADS)} leads in ${STAGES.length} stages on SQLite, ${RUNS} runs (the first warms the caches)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-bench-board-'));
  const dataSource = await openDatabase({ sqlitePath: path.join(dir, 'robots.sqlite') });
  let runtime: Runtime | undefined;
  let server: http.Server | undefined;
  try {
    const { seconds } = await seedLeads({ kind: 'sqlite', dataSource, close: async () => undefined }, LEADS);
    log(`    ${fmt(LEADS)} leads seeded in ${fmt(seconds, 1)} s`);
    const compiled = loadConfigText(CONFIG, path.join(dir, 'robots.yaml'), systemClock.now());
    if (!compiled.ok) throw new ConfigError(compiled.issues);
    runtime = await Runtime.start({
      dataSource,
      configFile: path.join(dir, 'robots.yaml'),
      config: compiled.config,
      clock: systemClock,
      channels: new ChannelRegistry(new OutboxChannel()),
      logger: pino({ level: 'silent' }),
    });
    await setPassword(runtime.store, 'root', PASSWORD);
    const listening = http.createServer(createApp(runtime));
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;

    const paints = await measure(baseUrl);
    const [cold, ...warm] = paints;
    const p50 = (pick: (paint: Paint) => number) => percentile(warm.map(pick), 50);
    const firstCards = p50((paint) => paint.firstCards);
    log(`    first run (cold caches): first cards in every column ${fmt(cold!.firstCards)} ms, /api/leads/board ${fmt(cold!.boardApi, 1)} ms, slowest first column page ${fmt(cold!.slowestColumnPage, 1)} ms`);
    log(`    runs after it: first cards ${warm.map((paint) => fmt(paint.firstCards)).join(', ')} ms`);
    log(
      `    p50: first cards in every column ${fmt(firstCards)} ms; /api/leads/board ${fmt(
        p50((paint) => paint.boardApi),
        1,
      )} ms; slowest first column page ${fmt(
        p50((paint) => paint.slowestColumnPage),
        1,
      )} ms\n`,
    );
    return [
      [`(k) board first cards in every column, ${fmt(LEADS)} leads, p50`, `${fmt(firstCards)} ms`, '< 1 s', firstCards < TARGET_MS ? 'meets' : 'BELOW'],
      [
        '(k) board: GET /api/leads/board p50',
        `${fmt(
          p50((paint) => paint.boardApi),
          1,
        )} ms`,
        '(info)',
        '',
      ],
      [
        '(k) board: slowest first column page p50',
        `${fmt(
          p50((paint) => paint.slowestColumnPage),
          1,
        )} ms`,
        '(info)',
        '',
      ],
      ['(k) board first paint, cold caches', `${fmt(cold!.firstCards)} ms`, '(info)', ''],
    ];
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    if (runtime) await runtime.stop();
    else await dataSource.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runBoardPaintBenchmark((line) => process.stdout.write(`${line}\n`)).then(
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
