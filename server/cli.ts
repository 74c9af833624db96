import fs from 'node:fs';
import { Command } from 'commander';
import pino from 'pino';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/loader';
import { addUser, createToken, syncConfigUsers } from './auth/users';
import { buildChannels } from './channels';
import { startTelegramUpdates } from './channels/telegram-updates-source';
import { describeDatabase, openDatabase, type DatabaseOptions } from './db/data-source';
import { Store } from './db/store';
import { systemClock } from './engine/clock';
import { ConfigError, formatConfigIssue } from './engine/errors';
import { createApp } from './http/app';
import { Runtime } from './runtime';
import { formatSimulation, readScenario, simulate } from './simulate';

/** robots.yaml if present, else the example shipped with the repo, so a fresh clone runs as is. */
export function resolveConfigFile(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.ROBOTS_CONFIG) return process.env.ROBOTS_CONFIG;
  return fs.existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : 'robots.example.yaml';
}

function databaseOptions(): DatabaseOptions {
  return { url: process.env.DATABASE_URL };
}

function loadOrExit(file: string) {
  const result = loadConfigFile(file);
  if (!result.ok) {
    for (const issue of result.issues) console.error(formatConfigIssue(issue));
    console.error(`\n${result.issues.length} problem${result.issues.length === 1 ? '' : 's'} in ${file}`);
    process.exit(1);
  }
  return result.config;
}

export function buildCli(): Command {
  const program = new Command('robots').description('CRM automation as code: pipelines, robots and triggers from YAML');

  program
    .command('serve')
    .description('run the API and the robot scheduler')
    .option('-c, --config <file>', 'config file (default: $ROBOTS_CONFIG, robots.yaml, robots.example.yaml)')
    .option('-p, --port <port>', 'port (default: $PORT or 3000)')
    .option('--no-watch', 'do not reload when the config file changes')
    .action(async (options: { config?: string; port?: string; watch: boolean }) => {
      const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
      const configFile = resolveConfigFile(options.config);
      const config = loadOrExit(configFile);
      const database = databaseOptions();
      const dataSource = await openDatabase(database);
      const channels = buildChannels(process.env);
      if (!process.env.TRACKING_SECRET) logger.warn('TRACKING_SECRET is not set: tracked links and pixels stop working after a restart');
      const runtime = await Runtime.start({ dataSource, configFile, config, clock: systemClock, channels, logger, trackingSecret: process.env.TRACKING_SECRET });
      const port = Number(options.port ?? process.env.PORT ?? 3000);
      const server = createApp(runtime).listen(port, () => {
        logger.info(
          `Robots listening on http://localhost:${port} — ${describeDatabase(database)}, config ${configFile}, channels: ${channels.configured().join(', ') || 'outbox only'}`,
        );
      });
      runtime.engine.scheduler.start();
      if (options.watch) runtime.watch();
      const telegramUpdates = await startTelegramUpdates(runtime.engine, channels, runtime.engine.trackingSecret, logger).catch((error: Error) => {
        logger.error({ err: error }, 'Telegram updates could not be set up');
        return { mode: 'failed', stop: async () => undefined };
      });
      if (telegramUpdates.mode !== 'off') logger.info(`Telegram updates: ${telegramUpdates.mode}`);
      const shutdown = async () => {
        await telegramUpdates.stop();
        server.close();
        await runtime.stop();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });

  program
    .command('migrate')
    .description('create or upgrade the database schema')
    .action(async () => {
      const database = databaseOptions();
      const dataSource = await openDatabase(database, { migrate: false });
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      console.log(applied.length ? `applied: ${applied.map((migration) => migration.name).join(', ')}` : 'up to date');
      console.log(describeDatabase(database));
      await dataSource.destroy();
    });

  program
    .command('validate [file]')
    .description('check a config file; prints every error as file:line:col path: message')
    .action((file?: string) => {
      const configFile = resolveConfigFile(file);
      const config = loadOrExit(configFile);
      const robots = config.robots.size;
      console.log(`${configFile}: OK — ${config.leads.stages.length} lead statuses, ${config.deals.size} deal pipelines, ${robots} robots, ${config.users.size} users`);
    });

  program
    .command('simulate <scenario>')
    .description('dry run: what would fire, when, with rendered texts (fake clock, throw-away database)')
    .option('-c, --config <file>', 'config file')
    .option('--json', 'machine-readable output')
    .action(async (scenarioFile: string, options: { config?: string; json?: boolean }) => {
      const config = loadOrExit(resolveConfigFile(options.config));
      const result = await simulate(config, readScenario(scenarioFile));
      console.log(options.json ? JSON.stringify(result, null, 2) : formatSimulation(result, config.source.timezone));
    });

  const user = program.command('user').description('manage API users beyond those in robots.yaml');
  user
    .command('add')
    .requiredOption('--login <login>')
    .requiredOption('--role <role>', 'first_line | sales | manager | ops | admin')
    .option('--team <team>')
    .option('--name <name>')
    .action(async (options: { login: string; role: string; team?: string; name?: string }) => {
      const dataSource = await openDatabase(databaseOptions());
      try {
        const row = await addUser(new Store(dataSource), options, Date.now());
        console.log(`user ${row.login} (${row.role}${row.team ? `, team ${row.team}` : ''}) saved`);
      } finally {
        await dataSource.destroy();
      }
    });

  const token = program.command('token').description('API tokens');
  token
    .command('create <login>')
    .description('create a bearer token; it is printed once and stored hashed')
    .option('-c, --config <file>', 'config file whose users to sync first')
    .action(async (login: string, options: { config?: string }) => {
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
