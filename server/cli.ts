import fs from 'node:fs';
import { Command, Option } from 'commander';
import pino from 'pino';
import { DEFAULT_CONFIG_FILE, loadConfigFile, loadConfigText } from '../config/loader';
import { issueMessage, type IssueLocale } from '../config/messages';
import { systemClock } from './core/clock';
import { listenUrl, resolvePublicUrl } from './core/public-url';
import { ConfigError, formatConfigIssue } from './core/errors';
import { readNewPassword } from './auth/password-input';
import { SERVER_SECRET_VARIABLES, weakSecrets } from './core/secrets';
import type { DatabaseOptions } from './db/data-source';

/*
 * The server side (ORM, express, provider SDKs) is loaded by the commands that need it, so
 * `robots validate` — what sales ops run on every save — loads only the config and the core.
 */
type Modules = {
  database: typeof import('./db/data-source');
  store: typeof import('./db/store');
  users: typeof import('./auth/users');
  passwords: typeof import('./auth/passwords');
  channels: typeof import('./channels');
  telegramUpdates: typeof import('./inbound/telegram-updates-source');
  runtime: typeof import('./runtime');
  app: typeof import('./http/app');
  simulate: typeof import('./simulate');
  wakeups: typeof import('./db/pg-wakeups');
  reloadPlan: typeof import('./config-ops/reload-plan');
  planState: typeof import('./config-ops/plan-state');
  planText: typeof import('./config-ops/plan-text');
  explain: typeof import('./config-ops/explain');
  queue: typeof import('./pipeline/queue');
  installSecrets: typeof import('./db/install-secrets');
  backup: typeof import('./db/backup');
  inDoubt: typeof import('./messaging/in-doubt');
  importText: typeof import('./import/import-text');
  versions: typeof import('./config-ops/versions');
  configFile: typeof import('./config-ops/config-file');
  studio: typeof import('./config-ops/studio');
  preview: typeof import('./config-ops/template-preview');
};
// tsx runs the CLI as CommonJS, where `require` resolves our .ts files without extensions; a
// dynamic import() would load them as ES modules and the lazy loading is the point.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = <Name extends keyof Modules>(name: Name): Modules[Name] => require(PATHS[name]);
const PATHS: Record<keyof Modules, string> = {
  database: './db/data-source',
  store: './db/store',
  users: './auth/users',
  passwords: './auth/passwords',
  channels: './channels',
  telegramUpdates: './inbound/telegram-updates-source',
  runtime: './runtime',
  app: './http/app',
  simulate: './simulate',
  wakeups: './db/pg-wakeups',
  reloadPlan: './config-ops/reload-plan',
  planState: './config-ops/plan-state',
  planText: './config-ops/plan-text',
  explain: './config-ops/explain',
  queue: './pipeline/queue',
  installSecrets: './db/install-secrets',
  backup: './db/backup',
  inDoubt: './messaging/in-doubt',
  importText: './import/import-text',
  versions: './config-ops/versions',
  configFile: './config-ops/config-file',
  studio: './config-ops/studio',
  preview: './config-ops/template-preview',
};

/** robots.yaml if present, else the example shipped with the repo, so a fresh clone runs as is. */
function resolveConfigFile(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.ROBOTS_CONFIG) return process.env.ROBOTS_CONFIG;
  return fs.existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : 'robots.example.yaml';
}

function positiveNumber(value: string | undefined): number | undefined {
  const number = Number(value);
  return value && Number.isFinite(number) && number > 0 ? number : undefined;
}

function databaseOptions(): DatabaseOptions {
  return { url: process.env.DATABASE_URL };
}

function loadOrExit(file: string, locale: IssueLocale = 'en') {
  const result = loadConfigFile(file);
  if (!result.ok) {
    for (const issue of result.issues) console.error(formatConfigIssue({ ...issue, message: issueMessage(issue, locale) }));
    console.error(`\n${result.issues.length} problem${result.issues.length === 1 ? '' : 's'} in ${file}`);
    process.exit(1);
  }
  return result.config;
}

interface ProcessOptions {
  config?: string;
  port?: string;
  watch: boolean;
  /** Begin with an empty database even where an install's marker says one was here. */
  init?: boolean;
}

/** Opens the database, or stops with a sentence when an install's SQLite file is missing. */
async function openOrExit(choice: DatabaseOptions, logger: { fatal(text: string): void }, init = false) {
  const { openDatabase, DatabaseMissingError } = load('database');
  try {
    return await openDatabase(choice, { init });
  } catch (error) {
    if (!(error instanceof DatabaseMissingError)) throw error;
    logger.fatal(error.message);
    process.exit(1);
  }
}

/**
 * One process of a deployment. `api+worker` is `robots serve` (the default, one process does
 * it all); `api` answers HTTP and leaves robots to workers; `worker` runs robots only. On
 * Postgres they share the queue and wake each other with LISTEN/NOTIFY.
 */
async function runProcess(role: 'api+worker' | 'api' | 'worker', options: ProcessOptions): Promise<void> {
  const { describeDatabase } = load('database');
  const { buildChannels } = load('channels');
  const { Runtime } = load('runtime');
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const configFile = resolveConfigFile(options.config);
  const config = loadOrExit(configFile);
  const weak = weakSecrets(process.env, [...SERVER_SECRET_VARIABLES, ...Object.values(config.source.hooks).map((hook) => hook.secret_env)]);
  if (weak.length > 0) {
    for (const problem of weak) logger.error(problem);
    process.exit(1);
  }
  const databaseChoice = databaseOptions();
  const dataSource = await openOrExit(databaseChoice, logger, options.init);
  const channels = buildChannels(process.env);
  const runtime = await Runtime.start({
    dataSource,
    configFile,
    config,
    clock: systemClock,
    channels,
    logger,
    // Unset: the install's own, generated once and kept in the database (links survive restarts).
    trackingSecret: process.env.TRACKING_SECRET ?? (await load('installSecrets').installSecret(dataSource, 'tracking')),
    leaseMs: positiveNumber(process.env.ROBOTS_LEASE_MS),
    concurrency: positiveNumber(process.env.ROBOTS_CONCURRENCY),
  });
  // Process and Node figures (CPU, memory, event-loop lag, GC) beside the engine's, for a real process only.
  runtime.metrics.collectProcessMetrics();
  const runsRobots = role !== 'api';
  // Item changes go to every other process (a worker's robot moved a lead); processes that serve HTTP listen for them (live boards).
  const itemChanges = runtime.itemChanges;
  const wakeups =
    dataSource.options.type === 'postgres'
      ? await load('wakeups').PostgresWakeups.start(
          dataSource,
          runsRobots ? () => runtime.scheduler.wake() : undefined,
          role !== 'worker'
            ? (lines) => {
                itemChanges.receive(lines);
                runtime.notices.receive(lines);
              }
            : undefined,
        )
      : null;
  if (wakeups) runtime.scheduler.onDueNow(() => wakeups.notify());
  if (wakeups) itemChanges.relay((line) => wakeups.notifyItemChange(line));
  // A worker's alert reaches the person's open page on an API process the same way.
  if (wakeups) runtime.notices.relay((line) => wakeups.notifyItemChange(line));
  const describe = `${describeDatabase(databaseChoice)}, config ${configFile}, channels: ${channels.configured().join(', ') || 'outbox only'}`;

  let server: { close(): unknown } | null = null;
  let telegramUpdates = { mode: 'off', stop: async () => undefined as void };
  if (role !== 'worker') {
    const { createApp } = load('app');
    const { startTelegramUpdates } = load('telegramUpdates');
    const port = Number(options.port ?? process.env.PORT ?? 3000);
    const host = process.env.HOST;
    const app = createApp(runtime);
    const what = role === 'api' ? 'Robots API (robots run in workers)' : 'Robots';
    const listening = (error?: Error) => {
      // Express 5 hands a failed listen (EADDRINUSE, EACCES) to this callback: a server without HTTP must not run on.
      if (error) {
        logger.fatal({ err: error }, `cannot listen on ${host ?? 'every interface'}:${port}: ${error.message}`);
        process.exit(1);
      }
      // PORT=0 picks a free port: the one given is the one to print and to link to.
      const address = http?.address();
      const actual = listenUrl(host, typeof address === 'object' && address ? address.port : port);
      runtime.config.listening(actual);
      logger.info(`${what} listening on ${actual} — ${describe}`);
      logger.info(`Board: ${runtime.config.publicUrl}/board/`);
    };
    // HOST picks the interface (e.g. 127.0.0.1 behind a proxy); unset, Node listens on all of them.
    const http = host ? app.listen(port, host, listening) : app.listen(port, listening);
    // A body must arrive within 30 s (Node's default waits 5 minutes on a slow sender).
    http.requestTimeout = 30_000;
    server = http;
    telegramUpdates = await startTelegramUpdates(runtime.inbound, channels, runtime.trackingSecret, logger).catch((error: Error) => {
      logger.error({ err: error }, 'Telegram updates could not be set up');
      return { mode: 'failed', stop: async () => undefined };
    });
    if (telegramUpdates.mode !== 'off') logger.info(`Telegram updates: ${telegramUpdates.mode}`);
  } else {
    logger.info(`Robots worker ${runtime.workerId} running robots — ${describe}`);
  }
  if (runsRobots) runtime.scheduler.start();
  if (options.watch) runtime.watch();

  // SIGTERM/SIGINT: stop taking requests and claiming runs, let runs under way finish
  // (their leases cover the rest), close the database.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: finishing runs under way, then stopping`);
    await telegramUpdates.stop();
    // Live board streams end now (they would hold the server open); boards reconnect elsewhere.
    runtime.itemChanges.close();
    server?.close();
    await wakeups?.stop();
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

function buildCli(): Command {
  const program = new Command('robots').description('CRM automation as code: pipelines, robots and triggers from YAML');

  program
    .command('serve')
    .description('run the API and (unless --no-scheduler) the robot scheduler')
    .option('-c, --config <file>', 'config file (default: $ROBOTS_CONFIG, robots.yaml, robots.example.yaml)')
    .option('-p, --port <port>', 'port (default: $PORT or 3000)')
    .option('--no-watch', 'do not reload when the config file changes')
    .option('--no-scheduler', 'API only: robots run in `robots worker` processes on the same database')
    .option('--init', 'begin with an empty SQLite database even where this install’s database is missing (it is refused otherwise)')
    .action((options: ProcessOptions & { scheduler: boolean }) => runProcess(options.scheduler ? 'api+worker' : 'api', options));

  program
    .command('worker')
    .description('run robots only: the scheduler and runner, no HTTP (scale out beside `serve --no-scheduler`)')
    .option('-c, --config <file>', 'config file (default: $ROBOTS_CONFIG, robots.yaml, robots.example.yaml)')
    .option('--no-watch', 'do not reload when the config file changes')
    .action((options: ProcessOptions) => runProcess('worker', options));

  program
    .command('secret')
    .description('print a fresh signing secret (32 random bytes) for TRACKING_SECRET or a hook’s secret_env')
    .action(() => {
      console.log(load('installSecrets').newSecret());
    });

  program
    .command('backup <file>')
    .description('a consistent copy of the SQLite database, taken while the server runs (VACUUM INTO); Postgres: use pg_dump')
    .action(async (file: string) => {
      const { backupDatabase } = load('backup');
      const { openDatabase } = load('database');
      const choice = databaseOptions();
      if (choice.url && /^postgres(ql)?:/.test(choice.url)) {
        console.error(`Postgres is backed up by its own tools: pg_dump --format=custom --file=${file} "$DATABASE_URL"`);
        process.exit(2);
      }
      const dataSource = await openDatabase(choice, { migrate: false });
      try {
        console.log(await backupDatabase(dataSource, file));
      } finally {
        await dataSource.destroy();
      }
    });

  program
    .command('restore <file>')
    .description('put a backup in place of the SQLite database (stop the server first); Postgres: use pg_restore')
    .action(async (file: string) => {
      const { restoreDatabase } = load('backup');
      const choice = databaseOptions();
      if (choice.url && /^postgres(ql)?:/.test(choice.url)) {
        console.error(`Postgres is restored by its own tools: pg_restore --clean --dbname="$DATABASE_URL" ${file}`);
        process.exit(2);
      }
      console.log(await restoreDatabase(file, choice));
    });

  program
    .command('migrate')
    .description('create or upgrade the database schema')
    .action(async () => {
      const { describeDatabase, openDatabase } = load('database');
      const options = databaseOptions();
      const dataSource = await openDatabase(options, { migrate: false });
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      console.log(applied.length ? `applied: ${applied.map((migration) => migration.name).join(', ')}` : 'up to date');
      console.log(describeDatabase(options));
      await dataSource.destroy();
    });

  program
    .command('validate [file]')
    .description('check a config file; prints every error as file:line:col path: message')
    .option('--explain', 'also print every robot with when it runs and what a re-entry does to it (defaults spelled out)')
    .addOption(new Option('--locale <locale>', 'the language of the error messages').choices(['en', 'ru']).default('en'))
    .action((file: string | undefined, options: { explain?: boolean; locale: IssueLocale }) => {
      const configFile = resolveConfigFile(file);
      const config = loadOrExit(configFile, options.locale);
      const robots = config.robots.size;
      console.log(`${configFile}: OK — ${config.leads.stages.length} lead statuses, ${config.deals.size} deal pipelines, ${robots} robots, ${config.users.size} users`);
      if (options.explain) console.log(load('explain').explainConfig(config));
    });

  program
    .command('simulate <scenario>')
    .description('dry run: what would fire, when, with rendered texts (fake clock, throw-away database)')
    .option('-c, --config <file>', 'config file')
    .option('--json', 'machine-readable output')
    .action(async (scenarioFile: string, options: { config?: string; json?: boolean }) => {
      const { formatSimulation, readScenario, simulate } = load('simulate');
      const config = loadOrExit(resolveConfigFile(options.config));
      const result = await simulate(config, readScenario(scenarioFile));
      console.log(options.json ? JSON.stringify(result, null, 2) : formatSimulation(result, config.source.timezone));
    });

  program
    .command('plan <file>')
    .description('what reloading <file> would do to the runs already scheduled, like terraform plan; changes nothing. Exit 1 when <file> is invalid')
    .option('-c, --config <file>', 'the running config (default: $ROBOTS_CONFIG, robots.yaml, robots.example.yaml)')
    .option('--against <file>', 'compare with this file instead of the running config')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: { config?: string; against?: string; json?: boolean }) => {
      const next = loadConfigFile(file);
      if (!next.ok) {
        if (options.json) console.log(JSON.stringify({ valid: false, issues: next.issues }, null, 2));
        for (const issue of next.issues) console.error(formatConfigIssue(issue));
        console.error(`\n${next.issues.length} problem${next.issues.length === 1 ? '' : 's'} in ${file}: a reload would be refused and the running config kept`);
        process.exit(1);
      }
      const runningFile = options.against ?? resolveConfigFile(options.config);
      const running = loadConfigFile(runningFile);
      if (!running.ok) {
        for (const issue of running.issues) console.error(formatConfigIssue(issue));
        console.error(`\nthe config to compare with, ${runningFile}, is invalid: nothing to plan against`);
        process.exit(2);
      }
      const [{ describeDatabase, openDatabase }, { Store }, { RunQueue }, { loadPlanState }, { planReload }, { formatPlan }] = [
        load('database'),
        load('store'),
        load('queue'),
        load('planState'),
        load('reloadPlan'),
        load('planText'),
      ];
      const dataSource = await openDatabase(databaseOptions());
      try {
        const store = new Store(dataSource);
        const state = await loadPlanState(store.manager, new RunQueue(store), running.config, next.config);
        const plan = planReload(running.config, next.config, state);
        if (options.json) console.log(JSON.stringify({ valid: true, ...plan }, null, 2));
        else console.log(`Plan: ${runningFile} → ${file} (${describeDatabase(databaseOptions())}; times in ${next.config.source.timezone})\n${formatPlan(plan, next.config.source.timezone)}`);
      } finally {
        await dataSource.destroy();
      }
    });

  program
    .command('import <file>')
    .description('leads from a CSV export (Bitrix24, amoCRM, a spreadsheet): UTF-8 or Windows-1251, `;` or `,`; bad rows are reported, the rest go in')
    .option('-c, --config <file>', 'config file (default: $ROBOTS_CONFIG, robots.yaml, robots.example.yaml)')
    .option('--map <pairs>', 'field=column pairs, e.g. name=ФИО,phone=Телефон (other columns are matched by their titles)')
    .option('--dry-run', 'check every row and count what would happen; write nothing')
    .option('--run-robots', 'schedule the first stage’s robots for each new lead (off: imported leads enter their stage quietly)')
    .option('--duplicates <mode>', 'a lead with the same phone or email exists: update | skip', 'skip')
    .option('--json', 'the report as JSON')
    .action(async (file: string, options: { config?: string; map?: string; dryRun?: boolean; runRobots?: boolean; duplicates: string; json?: boolean }) => {
      const [{ buildChannels }, { Runtime }, { formatImportReport, progressBar }] = [load('channels'), load('runtime'), load('importText')];
      const configFile = resolveConfigFile(options.config);
      const config = loadOrExit(configFile);
      const bytes = fs.readFileSync(file);
      const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
      const dataSource = await openOrExit(databaseOptions(), logger);
      const runtime = await Runtime.start({ dataSource, configFile, config, clock: systemClock, channels: buildChannels(process.env), logger });
      try {
        // The bar only where a person watches: a pipe or a log file gets the report alone.
        const bar = process.stdout.isTTY ? progressBar(process.stdout) : undefined;
        const report = await runtime.leadImport.run(
          bytes,
          { map: options.map ?? {}, dry_run: options.dryRun ?? false, run_robots: options.runRobots ?? false, duplicates: options.duplicates as 'update' | 'skip' },
          'cli:import',
          bar,
        );
        if (bar) process.stdout.write('\n');
        console.log(options.json ? JSON.stringify(report, null, 2) : formatImportReport(report, file));
        if (report.failed > 0) process.exitCode = 1;
      } finally {
        // The runtime closes the database it was given; a second close throws and turned a good import's exit code into 1.
        await runtime.stop();
      }
    });

  program
    .command('preview <template>')
    .description('render a template with a real item, as a send renders it: per channel, with an SMS’s length and segments, and the paths the item lacks')
    .requiredOption('--item <item>', 'lead:<id> or deal:<id>')
    .option('-c, --config <file>', 'config file')
    .option('--json', 'machine-readable output')
    .action(async (template: string, options: { item: string; config?: string; json?: boolean }) => {
      const match = /^(lead|deal):([1-9][0-9]{0,9})$/.exec(options.item);
      if (!match) {
        console.error(`robots: --item is lead:<id> or deal:<id>, not "${options.item}"`);
        process.exit(2);
      }
      const config = loadOrExit(resolveConfigFile(options.config));
      const [{ openDatabase }, { Store }, { previewTemplate }] = [load('database'), load('store'), load('preview')];
      const dataSource = await openDatabase(databaseOptions());
      try {
        const preview = await previewTemplate({ manager: new Store(dataSource).manager, config, now: Date.now(), publicUrl: resolvePublicUrl(config, process.env.PUBLIC_URL) }, template, {
          kind: match[1] === 'deal' ? 'deal' : 'lead',
          id: Number(match[2]),
        });
        if (options.json) {
          console.log(JSON.stringify(preview, null, 2));
          return;
        }
        console.log(`${preview.template} for ${preview.item}, channel ${preview.channel}`);
        if (preview.subject !== null) console.log(`subject: ${preview.subject}`);
        console.log(`\n${preview.text}\n`);
        if (preview.html !== null) console.log(`html:\n${preview.html}\n`);
        if (preview.sms) console.log(`sms: ${preview.sms.characters} characters, ${preview.sms.encoding}, ${preview.sms.segments} segment${preview.sms.segments === 1 ? '' : 's'}`);
        if (preview.unknown_paths.length) console.log(`paths this item lacks (they render as nothing): ${preview.unknown_paths.join(', ')}`);
      } finally {
        await dataSource.destroy();
      }
    });

  const configCommand = program.command('config').description('the config’s history: every version the server ran, and rolling back to one (planned first, like an edit in the studio)');
  configCommand
    .command('history')
    .description('every config version, newest first: who applied it (`file`: changed on disk) and what its reload did')
    .option('--json', 'one JSON object a line')
    .action(async (options: { json?: boolean }) => {
      const [{ openDatabase }, { Store }, { ConfigVersions }] = [load('database'), load('store'), load('versions')];
      const dataSource = await openDatabase(databaseOptions());
      try {
        const versions = await new ConfigVersions(new Store(dataSource)).list(1000);
        for (const version of versions) {
          const when = new Date(version.createdAt).toISOString();
          if (options.json)
            console.log(
              JSON.stringify({ id: version.id, author: version.author, created_at: when, hash: version.hash, plan_summary: version.planSummary ? JSON.parse(version.planSummary) : null, rollback_of: version.rollbackOf }),
            );
          else {
            const summary = version.planSummary ? (JSON.parse(version.planSummary) as { cancelled_runs: number }) : null;
            const what = version.author === 'file' ? 'changed on disk' : `${version.rollbackOf ? `rollback to ${version.rollbackOf}; ` : ''}${summary ? `${summary.cancelled_runs} pending run(s) cancelled` : ''}`;
            console.log(`${String(version.id).padStart(4)}  ${when}  ${version.author.padEnd(12)} ${version.hash.slice(0, 12)}  ${what}`);
          }
        }
        if (!options.json && versions.length === 0) console.log('no config versions yet: the server keeps one each time it loads a changed file');
      } finally {
        await dataSource.destroy();
      }
    });
  configCommand
    .command('rollback <version>')
    .description('plan putting config version <version> back over the config file; with --yes, write it (whole, atomically): a server with --watch then reloads it')
    .option('-c, --config <file>', 'the config file (default: $ROBOTS_CONFIG, robots.yaml, robots.example.yaml)')
    .option('--yes', 'write the file after printing the plan')
    .action(async (versionText: string, options: { config?: string; yes?: boolean }) => {
      const configFile = resolveConfigFile(options.config);
      const running = loadOrExit(configFile);
      const [{ openDatabase, describeDatabase }, { Store }, { RunQueue }, { ConfigVersions, configHash }, { loadPlanState }, { planReload }, { formatPlan }, files, { summarize }] = [
        load('database'),
        load('store'),
        load('queue'),
        load('versions'),
        load('planState'),
        load('reloadPlan'),
        load('planText'),
        load('configFile'),
        load('studio'),
      ];
      const id = Number(versionText);
      if (!Number.isInteger(id) || id < 1) {
        console.error(`robots: a version is a whole number from \`robots config history\`, not "${versionText}"`);
        process.exit(2);
      }
      const dataSource = await openDatabase(databaseOptions());
      try {
        const store = new Store(dataSource);
        const versions = new ConfigVersions(store);
        const version = await versions.get(id);
        if (!version) {
          console.error(`robots: no config version ${id} (see \`robots config history\`)`);
          process.exit(2);
        }
        const next = loadConfigText(version.yaml, configFile);
        if (!next.ok) {
          for (const issue of next.issues) console.error(formatConfigIssue(issue));
          console.error(`\nversion ${id} no longer passes the checks (a template file or the schema changed): nothing written`);
          process.exit(1);
        }
        const current = files.readConfigText(configFile);
        if (configHash(current) === version.hash) {
          console.log(`${configFile} is already version ${id}: nothing to do`);
          return;
        }
        const state = await loadPlanState(store.manager, new RunQueue(store), running, next.config);
        const plan = planReload(running, next.config, state);
        const templates = files.templateChanges(running, next.config);
        console.log(`Plan: ${configFile} → version ${id} (${describeDatabase(databaseOptions())}; times in ${next.config.source.timezone})\n${formatPlan(plan, next.config.source.timezone)}`);
        for (const template of templates) console.log(`  ~ template ${template.template} ${template.change}${template.keys.length ? `: ${template.keys.join(', ')}` : ''}`);
        console.log(`\n${files.configDiff(current, version.yaml, configFile, `version ${id}`)}`);
        if (!options.yes) {
          console.log(`Nothing written. To roll back: robots config rollback ${id} --yes`);
          return;
        }
        await versions.record({
          author: process.env.USER ? `cli:${process.env.USER}` : 'cli',
          createdAt: Date.now(),
          yaml: version.yaml,
          hash: version.hash,
          planSummary: JSON.stringify(summarize(plan, templates)),
          rollbackOf: id,
        });
        files.writeConfigAtomically(configFile, version.yaml);
        console.log(`${configFile} is version ${id} again; a server watching it (the default) reloads now; one started with --no-watch: POST /api/config/reload`);
      } finally {
        await dataSource.destroy();
      }
    });

  const user = program.command('user').description('manage API users beyond those in robots.yaml');
  user
    .command('add')
    .requiredOption('--login <login>')
    .requiredOption('--role <role>', 'first_line | sales | manager | ops | admin')
    .option('--team <team>')
    .option('--name <name>')
    .action(async (options: { login: string; role: string; team?: string; name?: string }) => {
      const [{ openDatabase }, { Store }, { addUser }] = [load('database'), load('store'), load('users')];
      const dataSource = await openDatabase(databaseOptions());
      try {
        const row = await addUser(new Store(dataSource), options, Date.now());
        console.log(`user ${row.login} (${row.role}${row.team ? `, team ${row.team}` : ''}) saved`);
      } finally {
        await dataSource.destroy();
      }
    });

  user
    .command('passwd <login>')
    .description('set the password a person signs in to the board with; read from stdin (piped: its first line), never from the command line')
    .option('-c, --config <file>', 'config file whose users to sync first')
    .action(async (login: string, options: { config?: string }) => {
      const [{ openDatabase }, { Store }, { syncConfigUsers }, { setPassword }] = [load('database'), load('store'), load('users'), load('passwords')];
      const config = loadOrExit(resolveConfigFile(options.config));
      const password = await readNewPassword(process.stdin, process.stderr);
      const dataSource = await openDatabase(databaseOptions());
      try {
        const store = new Store(dataSource);
        await syncConfigUsers(store, config, Date.now());
        await setPassword(store, login, password);
        console.log(`password of ${login} set; their board sessions were signed out`);
      } finally {
        await dataSource.destroy();
      }
    });

  const messages = program.command('messages').description('sends in doubt (`unknown`): list them, then resend or drop each; never resent blindly');
  const withInDoubt = async (work: (tools: { inDoubt: Modules['inDoubt']; store: InstanceType<Modules['store']['Store']>; queue: InstanceType<Modules['queue']['RunQueue']> }) => Promise<void>) => {
    const [{ openDatabase }, { Store }, { RunQueue }] = [load('database'), load('store'), load('queue')];
    const dataSource = await openDatabase(databaseOptions());
    try {
      const store = new Store(dataSource);
      await work({ inDoubt: load('inDoubt'), store, queue: new RunQueue(store) });
    } finally {
      await dataSource.destroy();
    }
  };
  messages
    .command('unknown')
    .description('the messages whose send is in doubt, oldest first')
    .option('--json', 'one JSON object a line')
    .action((options: { json?: boolean }) =>
      withInDoubt(async ({ inDoubt, store }) => {
        const rows = await inDoubt.messagesInDoubt(store);
        for (const row of rows) {
          const fields = { id: row.id, run: row.runId, channel: row.channel, recipient: row.recipient, created_at: new Date(row.createdAt).toISOString(), error: row.error };
          console.log(options.json ? JSON.stringify(fields) : `#${row.id} run ${row.runId ?? '-'} ${row.channel} to ${row.recipient} at ${fields.created_at}: ${row.error ?? ''}`);
        }
        if (!options.json) console.log(rows.length === 0 ? 'no message is in doubt' : `${rows.length} in doubt: robots messages resend <id> | robots messages drop <id>`);
      }),
    );
  messages
    .command('resend <id>')
    .description('send a message in doubt again: its run goes back to the queue')
    .action((id: string) =>
      withInDoubt(async ({ inDoubt, store, queue }) => {
        await inDoubt.resendInDoubt(store, queue, Number(id), 'cli', Date.now());
        console.log(`message ${id}: its run is queued again and the message will be sent`);
      }),
    );
  messages
    .command('drop <id>')
    .description('leave a message in doubt as it is: marked failed, its run settled; nothing is sent')
    .action((id: string) =>
      withInDoubt(async ({ inDoubt, store, queue }) => {
        await inDoubt.dropInDoubt(store, queue, Number(id), 'cli', Date.now());
        console.log(`message ${id}: dropped, not resent`);
      }),
    );

  const token = program.command('token').description('API tokens');
  token
    .command('create <login>')
    .description('create a bearer token; it is printed once and stored hashed')
    .option('-c, --config <file>', 'config file whose users to sync first')
    .action(async (login: string, options: { config?: string }) => {
      const [{ openDatabase }, { Store }, { createToken, syncConfigUsers }] = [load('database'), load('store'), load('users')];
      const config = loadOrExit(resolveConfigFile(options.config));
      const dataSource = await openDatabase(databaseOptions());
      try {
        const store = new Store(dataSource);
        await syncConfigUsers(store, config, Date.now());
        console.log(await createToken(store, login, Date.now()));
      } finally {
        await dataSource.destroy();
      }
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(`robots: ${(error as Error).message}`);
    process.exit(1);
  }
}

if (require.main === module) void main(process.argv);
