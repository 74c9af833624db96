import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, describeInBrowser, requireChromium, serveHarness, signInWithToken } from '../support/browser';

/** What each page says in each language (server/http/web/*.html keep the dictionaries). */
const WORDS = {
  ru: { newLead: 'Новый лид', search: 'Поиск', searchHint: 'Имя, телефон, e-mail или компания', oneCard: '1 карточка', score: 'Скоринг', tasks: 'Задачи', analytics: 'Аналитика', signIn: 'Войти', token: 'API-токен' },
  en: { newLead: 'New lead', search: 'Search', searchHint: 'Name, phone, email or company', oneCard: '1 item', score: 'Score', tasks: 'Tasks', analytics: 'Analytics', signIn: 'Sign in', token: 'API token' },
} as const;

describeInBrowser('the pages speak the config’s language in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    requireChromium();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A server for one config; the page, in a browser whose own language is `browserLocale`. */
  async function open(configLocale: 'ru' | 'en' | undefined, browserLocale: string) {
    // The default config (test/fixtures/lead-funnel.yaml) says no locale: Russian.
    const served = await serveHarness({ locale: configLocale });
    const context = await browser.newContext({ locale: browserLocale, viewport: { width: 1500, height: 900 } });
    const page = await context.newPage();
    const close = async () => {
      await context.close();
      await served.close();
    };
    return { served, harness: served.harness, baseUrl: served.baseUrl, page, close };
  }

  it.each([
    ['the default config (ru)', undefined, 'ru'],
    ['locale: en', 'en', 'en'],
  ] as const)('with %s the board, the task page and analytics speak that language, whatever the browser’s', async (_name, configLocale, expected) => {
    // The browser says the other language: after sign-in the config decides.
    const { served, harness, baseUrl, page, close } = await open(configLocale, expected === 'ru' ? 'en-US' : 'ru-RU');
    try {
      const words = WORDS[expected];
      const lead = await harness.as('anna').post('/api/leads', { name: 'Locale Lead', phone: '+79167000201' }).expect(201);
      await signInWithToken(page, served, 'root');
      await page.locator('main .column').first().waitFor();

      expect(await page.evaluate(() => document.documentElement.lang)).toBe(expected);
      expect(await page.locator('#new-item').innerText()).toBe(words.newLead);
      await page.getByRole('button', { name: words.newLead }).waitFor();
      expect(await page.getByLabel(words.search, { exact: true }).getAttribute('placeholder')).toBe(words.searchHint);
      const column = page.locator('.column[data-stage="new"]');
      await column.locator(`.card[data-id="${lead.body.id}"]`).waitFor();
      expect(await column.locator('h2 .count').getAttribute('aria-label')).toBe(words.oneCard);
      expect(await column.locator('.card').innerText()).toContain(words.score);

      await page.goto(`${baseUrl}/board/tasks.html`);
      await page.getByRole('heading', { level: 1, name: words.tasks, exact: true }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(expected);

      await page.goto(`${baseUrl}/board/analytics.html`);
      await page.locator('body[data-loaded="leads"]').waitFor();
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(words.analytics);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(expected);
    } finally {
      await close();
    }
  });

  it.each([
    ['ru-RU', 'ru'],
    ['en-US', 'en'],
  ] as const)('before sign-in the form follows the browser’s language (%s)', async (browserLocale, expected) => {
    const { page, baseUrl, close } = await open('en', browserLocale);
    try {
      const words = WORDS[expected];
      await page.goto(`${baseUrl}/board`);
      await page.getByRole('button', { name: words.signIn, exact: true }).waitFor();
      expect(await page.getByLabel(words.token, { exact: true }).isVisible()).toBe(true);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(expected);
    } finally {
      await close();
    }
  });
});
