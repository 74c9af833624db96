import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
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

/** Where the board is served (server/http/board.ts). */
export const BOARD = '/board/';

/**
 * Signs in with login and password on the sign-in page, as a person does, and waits for the
 * signed-in layout (its header).
 */
export async function signInWithPassword(page: Page, baseUrl: string, login: string, password: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${baseUrl}${BOARD}`);
  await page.getByLabel(/^(Login|Логин)$/).fill(login);
  await page.getByLabel(/^(Password|Пароль)$/).fill(password);
  await page.getByRole('button', { name: /^(Sign in|Войти)$/ }).click();
  await page.locator('header.header').waitFor();
}

/**
 * Signs `login` in without the form (a password set for the test, then POST /auth/login from the
 * page's own cookie jar) and opens `path`: for tests of other pages than the sign-in.
 */
export async function signInAs(page: Page, served: { harness: Harness; baseUrl: string }, login: string, path = BOARD): Promise<void> {
  const password = `test-${login}-password`;
  await served.harness.setPassword(login, password);
  await page.context().clearCookies();
  const answer = await page.request.post(`${served.baseUrl}/auth/login`, { data: { login, password } });
  if (!answer.ok()) throw new Error(`sign-in of ${login} failed: ${answer.status()} ${await answer.text()}`);
  await page.goto(`${served.baseUrl}${path}`);
  await page.locator('header.header').waitFor();
}

/** @deprecated the board signs in with a session cookie now; kept so older tests read the same. */
export const signInWithToken = signInAs;

// ── Accessibility and language checks run on every page the browser tests open ─────────────────

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/**
 * Runs axe-core (injected from node_modules: offline) on the page as it is now and fails with
 * every serious or critical violation, each with its rule, help text and the elements.
 */
export async function expectNoSeriousAxeViolations(page: Page): Promise<void> {
  const hasAxe = await page.evaluate(() => 'axe' in window);
  if (!hasAxe) await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({ target: node.target, failureSummary: node.failureSummary })),
    }));
  });
  const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  const report = serious.map((violation) => `${violation.impact} ${violation.id}: ${violation.help}\n${violation.nodes.map((node) => `  ${JSON.stringify(node.target)} ${node.failureSummary ?? ''}`).join('\n')}`);
  expect(report).toEqual([]);
}

/** Words that are the same in both languages: proper names, units, formats. */
export const LANGUAGE_ALLOW_LIST = ['Robots', 'Telegram', 'WhatsApp', 'Email', 'E-mail', 'SMS', 'CSV', 'API', 'URL', 'UTM', 'ID', 'OK', 'CRM', 'Chart.js', '₽', 'Русский', 'English'];

/**
 * The words of the other language on the page as a person reads it: Latin words on a Russian
 * page, Cyrillic ones on an English page. What people typed (elements marked
 * `data-user-content`: names, companies, emails) and form values are not the page's words.
 */
export async function otherLanguageWords(page: Page, locale: 'ru' | 'en', allow: string[] = []): Promise<string[]> {
  const text = await page.evaluate((pageLocale) => {
    // Words marked as another language (`lang="en"` on the language switch's «English») are meant to be.
    const foreign = `[data-user-content], [lang]:not([lang="${pageLocale}"])`;
    const clone = document.body.cloneNode(true) as HTMLElement;
    for (const node of clone.querySelectorAll(`${foreign}, script, style, input, textarea, [hidden]`)) node.remove();
    const labels = [...document.querySelectorAll('[aria-label], [title], [placeholder]')]
      .filter((element) => !element.closest(foreign))
      .flatMap((element) => ['aria-label', 'title', 'placeholder'].map((name) => element.getAttribute(name) ?? ''));
    const texts = [...clone.querySelectorAll('*')].flatMap((element) => [...element.childNodes].filter((child) => child.nodeType === Node.TEXT_NODE).map((child) => child.textContent ?? ''));
    return [...texts, ...labels].join(' ');
  }, locale);
  const allowed = new Set([...LANGUAGE_ALLOW_LIST, ...allow].map((word) => word.toLowerCase()));
  const pattern = locale === 'ru' ? /[A-Za-z][A-Za-z'-]+/g : /[\u0400-\u04ff][\u0400-\u04ff-]*/g;
  return [...new Set([...text.matchAll(pattern)].map((match) => match[0]).filter((word) => !allowed.has(word.toLowerCase())))];
}

export async function expectOneLanguage(page: Page, locale: 'ru' | 'en', allow: string[] = []): Promise<void> {
  expect(await otherLanguageWords(page, locale, allow)).toEqual([]);
}

/** Where screenshots go (gitignored): look at them. */
export const ARTIFACTS = path.join(__dirname, '..', 'artifacts');

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
