import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import type { Express } from 'express';
import { loadConfigOrThrow, loadConfigText } from '../../config/loader';
import { setPassword, type ScryptParameters } from '../../server/auth/passwords';
import { createToken } from '../../server/auth/users';
import { ChannelRegistry } from '../../server/channels/channel';
import { OutboxChannel } from '../../server/channels/outbox';
import { FakeClock } from '../../server/core/clock';
import { ConfigError } from '../../server/core/errors';
import { fastForward } from '../../server/pipeline/fast-forward';
import { createApp } from '../../server/http/app';
import { Runtime } from '../../server/runtime';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './databases';
import { TEST_SCRYPT } from './passwords';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

export interface Harness {
  kind: DatabaseKind;
  runtime: Runtime;
  clock: FakeClock;
  app: Express;
  /** Requests as a config user, with a real bearer token. */
  as(login: string): {
    get(url: string): request.Test;
    post(url: string, body?: object): request.Test;
    /** A body as bytes of a content type (a CSV file as exported). */
    upload(url: string, body: Buffer, contentType: string): request.Test;
    patch(url: string, body?: object): request.Test;
    put(url: string): request.Test;
    delete(url: string): request.Test;
  };
  /** `robots user passwd`, at the harness's password cost. */
  setPassword(login: string, password: string): Promise<void>;
  runDue(): Promise<number>;
  /** Walks the fake clock forward, running every robot at its own due time. */
  advance(ms: number): Promise<number>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  configFile?: string;
  configText?: string;
  channels?: ChannelRegistry;
  start?: string;
  /** The config's `locale` when it says none (the browser tests read the pages in English). */
  locale?: 'ru' | 'en';
  /** scrypt cost of passwords: TEST_SCRYPT unless a test measures the real one. */
  passwordCost?: ScryptParameters;
}

let defaultLocale: 'ru' | 'en' | undefined;

/**
 * The `locale` of every harness started until it is reset, for helpers that start their own
 * (test/channels/real-channels.ts) when a browser test reads the pages in English.
 */
export function useHarnessLocale(locale: 'ru' | 'en' | undefined): void {
  defaultLocale = locale;
}

/** A real database, the real engine and HTTP app, a fake clock, and tokens for every config user. */
export async function startHarness(kind: DatabaseKind, options: HarnessOptions = {}): Promise<Harness> {
  const clock = new FakeClock(options.start ?? '2026-03-02T09:00:00+03:00'); // a Monday, 09:00 Moscow
  const configFile = options.configFile ?? path.join(FIXTURES, 'lead-funnel.yaml');
  const locale = options.locale ?? defaultLocale;
  const ownText = options.configText ?? (locale === undefined ? undefined : fs.readFileSync(configFile, 'utf8'));
  const configText = locale === undefined || ownText === undefined || /^locale:/m.test(ownText) ? ownText : `locale: ${locale}\n${ownText}`;
  let config;
  if (configText !== undefined) {
    const result = loadConfigText(configText, configFile, clock.now());
    if (!result.ok) throw new ConfigError(result.issues);
    config = result.config;
  } else {
    config = loadConfigOrThrow(configFile, clock.now());
  }
  const database: TestDatabase = await openTestDatabase(kind);
  const passwordCost = options.passwordCost ?? TEST_SCRYPT;
  const runtime = await Runtime.start({
    dataSource: database.dataSource,
    configFile,
    config,
    clock,
    channels: options.channels ?? new ChannelRegistry(new OutboxChannel()),
    logger: pino({ level: 'silent' }),
    passwordCost,
  });
  const app = createApp(runtime);
  const tokens = new Map<string, string>();
  const tokenOf = async (login: string) => {
    if (!tokens.has(login)) tokens.set(login, await createToken(runtime.store, login, clock.now()));
    return tokens.get(login) as string;
  };
  for (const login of config.users.keys()) await tokenOf(login);
  return {
    kind,
    runtime,
    clock,
    app,
    as(login: string) {
      const auth = `Bearer ${tokens.get(login) ?? 'missing-token'}`;
      return {
        get: (url) => request(app).get(url).set('Authorization', auth),
        post: (url, body) =>
          request(app)
            .post(url)
            .set('Authorization', auth)
            .send(body ?? {}),
        upload: (url, body, contentType) => request(app).post(url).set('Authorization', auth).set('Content-Type', contentType).send(body),
        patch: (url, body) =>
          request(app)
            .patch(url)
            .set('Authorization', auth)
            .send(body ?? {}),
        put: (url) => request(app).put(url).set('Authorization', auth),
        delete: (url) => request(app).delete(url).set('Authorization', auth),
      };
    },
    setPassword: (login, password) => setPassword(runtime.store, login, password, passwordCost),
    runDue: () => runtime.pipeline.runDue(),
    advance: (ms) => fastForward(runtime.scheduler, clock, clock.now() + ms),
    async close() {
      runtime.unwatch();
      await runtime.scheduler.stop();
      await database.cleanup();
    },
  };
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
