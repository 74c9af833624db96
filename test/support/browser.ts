import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createToken } from '../../server/auth/users';
import { createApp } from '../../server/http/app';
import { startHarness, type Harness, type HarnessOptions } from './harness';

/** Debian's Chromium (scripts/ensure-chromium.js installs it): playwright-core never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const hasChromium = fs.existsSync(CHROMIUM);

/**
 * Browser tests run in Chromium when it is there; without it they are skipped on a developer's
 * machine (with a warning) and fail in CI, where a missing browser must not pass as green.
 */
export const describeInBrowser: jest.Describe = hasChromium || process.env.CI ? describe : describe.skip;
if (!hasChromium && !process.env.CI) {
  console.warn(`the browser tests are skipped: ${CHROMIUM} is missing (run \`node scripts/ensure-chromium.js\` as root, or \`apt-get install chromium\`)`);
}

/** In a beforeAll: CI without Chromium is a failure with the fix in its message. */
export function requireChromium(): void {
  if (!hasChromium) throw new Error(`Chromium is missing at ${CHROMIUM} and CI is set: the browser tests cannot run. Install it with \`node scripts/ensure-chromium.js\` as root (apt-get install chromium).`);
}

/** An app (a harness's) listening on a loopback port, as a browser reaches it. */
export interface Served {
  baseUrl: string;
  close(): Promise<void>;
}

export async function serveOnLoopback(app: http.RequestListener): Promise<Served> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Chromium on a profile of its own, removed when closed. */
export interface ChromiumProfile {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport: { width: number; height: number }, options: { locale?: string; timezoneId?: string } = {}): Promise<ChromiumProfile> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport, ...options });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** An app on SQLite served on loopback, as the browser reaches it (the API runs on both databases in test/integration; a page needs one). */
export interface ServedHarness {
  harness: Harness;
  baseUrl: string;
  close(): Promise<void>;
}

/** Pages are read in English unless a test says otherwise. */
export async function serveHarness(options: HarnessOptions = {}): Promise<ServedHarness> {
  const harness = await startHarness('sqlite', { locale: 'en', ...options });
  const served = await serveOnLoopback(createApp(harness.runtime));
  return {
    harness,
    baseUrl: served.baseUrl,
    close: async () => {
      await served.close();
      await harness.close();
    },
  };
}

function started<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} starts in beforeAll: use it inside a test or a hook`);
  return value;
}

export interface ChromiumOptions {
  viewport: { width: number; height: number };
  /** The browser's own language and zone, pinned where a page shows dates and times. */
  locale?: string;
  timezoneId?: string;
}

/** Chromium for the tests of this describe block: launched before them (CI without it fails), closed after. */
export function useChromium(options: ChromiumOptions): { readonly context: BrowserContext } {
  let profile: ChromiumProfile | undefined;
  beforeAll(async () => {
    requireChromium();
    const { viewport, ...context } = options;
    profile = await launchChromium(viewport, context);
  });
  afterAll(async () => {
    await profile?.close();
  });
  return {
    get context() {
      return started(profile, 'Chromium').context;
    },
  };
}

export interface ServedHarnessOptions extends HarnessOptions {
  /** Passwords set before the first test, by login. */
  passwords?: Record<string, string>;
}

/** The app for the tests of this describe block: started and served before them, closed after. */
export function useServedHarness(options: ServedHarnessOptions = {}): { readonly harness: Harness; readonly baseUrl: string } {
  let served: ServedHarness | undefined;
  beforeAll(async () => {
    const { passwords = {}, ...harnessOptions } = options;
    served = await serveHarness(harnessOptions);
    for (const [login, password] of Object.entries(passwords)) await served.harness.setPassword(login, password);
  });
  afterAll(async () => {
    await served?.close();
  });
  return {
    get harness() {
      return started(served, 'the harness').harness;
    },
    get baseUrl() {
      return started(served, 'the server').baseUrl;
    },
  };
}

/** What most browser tests work with: the app served on loopback and Chromium on a profile of its own. */
export interface BrowserWorld {
  readonly harness: Harness;
  readonly baseUrl: string;
  readonly browser: BrowserContext;
}

export function useBrowserWorld(options: ChromiumOptions & { harness?: ServedHarnessOptions }): BrowserWorld {
  const { harness: harnessOptions, ...chromiumOptions } = options;
  const chromium = useChromium(chromiumOptions);
  const served = useServedHarness(harnessOptions);
  return {
    get harness() {
      return served.harness;
    },
    get baseUrl() {
      return served.baseUrl;
    },
    get browser() {
      return chromium.context;
    },
  };
}

/** Where the pages keep an API token (server/http/web/*.html). */
export const TOKEN_KEY = 'robots.board.token';

/**
 * Signs in with login and password on the board's form, as a person does, and waits for the board.
 * A token an earlier test left in the profile would open the board without the form: it goes first.
 */
export async function signInWithPassword(page: Page, baseUrl: string, login: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/board`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByLabel('Login', { exact: true }).fill(login);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('main .column').first().waitFor();
}

/** Signs in with a fresh API token of `login` on the board's token form, and waits for the board. */
export async function signInWithTokenForm(page: Page, served: { harness: Harness; baseUrl: string }, login: string): Promise<void> {
  const token = await createToken(served.harness.runtime.store, login, served.harness.clock.now());
  await page.goto(`${served.baseUrl}/board`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Open board' }).click();
  await page.locator('main .column').first().waitFor();
}

/**
 * Opens `path` holding a fresh API token of `login` where the pages keep it, as the token form
 * leaves it: for tests of other pages than the sign-in.
 */
export async function signInWithToken(page: Page, served: { harness: Harness; baseUrl: string }, login: string, path = '/board'): Promise<void> {
  const token = await createToken(served.harness.runtime.store, login, served.harness.clock.now());
  await page.goto(`${served.baseUrl}${path}`);
  await page.evaluate(
    ([key, value]) => {
      localStorage.clear();
      localStorage.setItem(key, value);
    },
    [TOKEN_KEY, token] as const,
  );
  await page.reload();
}
