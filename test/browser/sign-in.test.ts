import { RUSSIAN_FUNNEL } from '../support/russian-funnel';
import type { Page } from 'playwright-core';
import { startChannelsWorld, type ChannelsWorld } from '../channels/real-channels';
import { useHarnessLocale } from '../support/harness';
import { describeInBrowser, expectNoSeriousAxeViolations, expectOneLanguage, screenshot, useChromium, useServedHarness } from '../support/browser';

const PASSWORD = 'верная лошадь батарейка';

describeInBrowser('signing in to the board in Chromium', () => {
  const chromium = useChromium({ viewport: { width: 1440, height: 900 } });
  let page: Page;

  beforeEach(async () => {
    await chromium.context.clearCookies();
    page = await chromium.context.newPage();
  });
  afterEach(async () => {
    await page.close();
  });

  describe('with a password, on a Russian installation', () => {
    // The API is covered on both databases in test/integration/sign-in.test.ts; the page needs one.
    const served = useServedHarness({ locale: 'ru', passwords: { anna: PASSWORD } });

    it('a wrong password is said in Russian; the right one opens the board; a reload keeps the session and sign-out ends it', async () => {
      await page.goto(`${served.baseUrl}/board/list`);
      // Signed out, any page of the board is the sign-in page, which remembers where the person was going.
      await page.getByLabel('Логин').waitFor();
      // The form may show a moment before the address changes to it.
      await page.waitForURL((url) => url.pathname === '/board/sign-in', { timeout: 5000 });
      await expectNoSeriousAxeViolations(page);
      await expectOneLanguage(page, 'ru');
      await screenshot(page, 'sign-in-1440');

      await page.getByLabel('Логин').fill('anna');
      await page.getByLabel('Пароль').fill('не тот пароль');
      await page.getByRole('button', { name: 'Войти' }).click();
      await page.getByRole('alert').filter({ hasText: 'Неверный логин или пароль.' }).waitFor();
      await expectNoSeriousAxeViolations(page);

      await page.getByLabel('Пароль').fill(PASSWORD);
      await page.getByRole('button', { name: 'Войти' }).click();
      await page.locator('header.header').waitFor();
      expect(new URL(page.url()).pathname).toBe('/board/list');
      expect(await page.evaluate(() => document.cookie)).toBe(''); // HttpOnly: the page never sees the session
      await expectOneLanguage(page, 'ru');

      await page.reload();
      await page.locator('header.header').waitFor();
      await page.getByRole('button', { name: 'Меню пользователя' }).click();
      await page.getByRole('button', { name: 'Выйти' }).click();
      await page.getByLabel('Пароль').waitFor();
      await page.reload();
      await page.getByLabel('Пароль').waitFor();
    });

    it('the language switch turns every word of the layout into English and is remembered', async () => {
      await page.goto(`${served.baseUrl}/board/`);
      await page.getByLabel('Логин').fill('anna');
      await page.getByLabel('Пароль').fill(PASSWORD);
      await page.getByRole('button', { name: 'Войти' }).click();
      await page.locator('header.header').waitFor();
      await page.getByRole('button', { name: 'Меню пользователя' }).click();
      await page.getByLabel('English').check();
      await page.getByRole('navigation').getByRole('link', { name: 'Leads' }).waitFor();
      await expectOneLanguage(page, 'en');
      await page.reload();
      await page.getByRole('navigation').getByRole('link', { name: 'Leads' }).waitFor();
      await page.evaluate(() => localStorage.removeItem('robots.locale'));
    });
  });

  describe('with the Open button of a Telegram alert', () => {
    let world: ChannelsWorld;

    beforeAll(async () => {
      // The app listens on PUBLIC_URL, so the link in the alert is one Chromium can open.
      useHarnessLocale('en');
      try {
        world = await startChannelsWorld('sqlite');
      } finally {
        useHarnessLocale(undefined);
      }
    });
    afterAll(async () => {
      await world?.close();
    });

    it("a manager opens the link from a real alert and lands signed in on the lead's page, once", async () => {
      const lead = await world.harness.as('root').post('/api/leads', { name: 'Алексей Смирнов', phone: '+7 (916) 700-01-02', responsible: 'gena' }).expect(201);
      await world.harness.runDue();
      const alert = world.peers.telegram.callsOf('sendMessage').find((call) => call.payload.chat_id === '1000' && String(call.payload.text).includes(`#${lead.body.id}`));
      const rows = (alert?.payload.reply_markup as { inline_keyboard: Array<Array<{ text: string; url?: string }>> }).inline_keyboard;
      const openUrl = rows.flat().find((button) => button.text === `Open lead #${lead.body.id}`)?.url as string;
      expect(openUrl).toContain('/auth/link?token=');

      // The link says /board/#lead-<id> (server/core/items.ts itemLink): the app opens the item's page.
      await page.goto(openUrl);
      await page.waitForURL((url) => url.pathname === `/board/item/lead/${lead.body.id}`);
      await page.locator('header.header').waitFor();

      const second = await chromium.context.newPage();
      try {
        await second.goto(openUrl);
        await second.getByRole('heading', { name: 'This sign-in link was already used' }).waitFor();
        await second.getByRole('link', { name: 'Sign in with your password' }).click();
        // The same browser still holds the manager's session: the link to the lead opens it.
        await second.waitForURL((url) => url.pathname === `/board/item/lead/${lead.body.id}`);
      } finally {
        await second.close();
      }
    });
  });
});

describeInBrowser('the layout on a 390 px phone', () => {
  const chromium = useChromium({ viewport: { width: 390, height: 844 } });
  // The funnel's words in both languages, as a Russian install writes them: the page is all Russian.
  const served = useServedHarness({ locale: 'ru', configText: RUSSIAN_FUNNEL, passwords: { olya: PASSWORD } });

  it('keeps the header compact and puts the sections in a menu', async () => {
    const page = await chromium.context.newPage();
    try {
      await page.goto(`${served.baseUrl}/board/`);
      await page.getByLabel('Логин').fill('olya');
      await page.getByLabel('Пароль').fill(PASSWORD);
      await page.getByRole('button', { name: 'Войти' }).click();
      const header = page.locator('header.header');
      await header.waitFor();
      expect((await header.boundingBox())?.height).toBeLessThanOrEqual(56);
      expect(await page.getByRole('navigation').isVisible()).toBe(false);
      await page.getByRole('button', { name: 'Меню', exact: true }).click();
      await page.getByRole('navigation').getByRole('link', { name: 'Аналитика' }).waitFor();
      await expectNoSeriousAxeViolations(page);
      // The deal pipelines of this config are named by their ids, which are the installation's words.
      await expectOneLanguage(page, 'ru', ['general', 'services']);
      await screenshot(page, 'layout-menu-390');
    } finally {
      await page.close();
    }
  });
});
