import type { Page } from 'playwright-core';
import { startChannelsWorld, type ChannelsWorld } from '../channels/real-channels';
import { useHarnessLocale } from '../support/harness';
import { describeInBrowser, useChromium, useServedHarness } from '../support/browser';

const PASSWORD = 'correct horse battery';

describeInBrowser('signing in to the board in Chromium', () => {
  const chromium = useChromium({ viewport: { width: 1500, height: 900 } });
  let page: Page;

  beforeEach(async () => {
    await chromium.context.clearCookies();
    page = await chromium.context.newPage();
  });
  afterEach(async () => {
    await page.close();
  });

  describe('with a password', () => {
    // The API is covered on both databases in test/integration/sign-in.test.ts; the page needs one.
    const served = useServedHarness({ passwords: { anna: PASSWORD } });

    it('first line signs in with login and password, works the lead board, and signs out', async () => {
      const lead = await served.harness.as('root').post('/api/leads', { name: 'Olga Petrova', phone: '+79167000101' }).expect(201);
      await page.goto(`${served.baseUrl}/board`);
      await page.getByLabel('Login', { exact: true }).fill('anna');
      await page.getByLabel('Password', { exact: true }).fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Wrong login or password.' }).waitFor();

      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const card = page.locator(`.column[data-stage="new"] .card[data-id="${lead.body.id}"]`);
      await card.waitFor();
      expect(await page.locator('#who').innerText()).toBe('Anna SDR (first_line)');
      expect(await page.evaluate(() => document.cookie)).toBe(''); // HttpOnly: the page never sees the session

      // A change from the board carries the session's CSRF token, so it goes through.
      await card.getByLabel('Move Olga Petrova to…').selectOption('in_work');
      await page.locator(`.column[data-stage="in_work"] .card[data-id="${lead.body.id}"]`).waitFor();
      expect((await served.harness.as('root').get(`/api/leads/${lead.body.id}`).expect(200)).body.stage).toBe('in_work');

      // A reload keeps the session; Sign out ends it, and a reload then asks again.
      await page.reload();
      await page.locator(`.column[data-stage="in_work"] .card[data-id="${lead.body.id}"]`).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Password', { exact: true }).waitFor();
      await page.reload();
      await page.getByLabel('Password', { exact: true }).waitFor();
      expect(await page.locator('#app').isHidden()).toBe(true);
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

    it("a manager opens the link from a real alert and lands signed in on the lead's panel, once", async () => {
      const lead = await world.harness.as('root').post('/api/leads', { name: 'Alerted Lead', phone: '+79167000102', responsible: 'gena' }).expect(201);
      await world.harness.runDue();
      const alert = world.peers.telegram.callsOf('sendMessage').find((call) => call.payload.chat_id === '1000' && String(call.payload.text).includes(`#${lead.body.id}`));
      const rows = (alert?.payload.reply_markup as { inline_keyboard: Array<Array<{ text: string; url?: string }>> }).inline_keyboard;
      const openUrl = rows.flat().find((button) => button.text === `Open lead #${lead.body.id}`)?.url as string;
      expect(openUrl).toContain('/auth/link?token=');

      await page.goto(openUrl);
      const panel = page.getByRole('complementary');
      await panel.getByRole('heading', { name: `Lead #${lead.body.id} Alerted Lead` }).waitFor();
      expect(new URL(page.url()).hash).toBe(`#lead-${lead.body.id}`);
      expect(await page.locator('#who').innerText()).toBe('Grigory Manager (manager)');

      const second = await chromium.context.newPage();
      try {
        await second.goto(openUrl);
        await second.getByRole('heading', { name: 'This sign-in link was already used' }).waitFor();
        await second.getByRole('link', { name: 'Sign in with your password' }).click();
        // The same browser still holds the manager's session: the link to the lead opens it.
        await second
          .getByRole('complementary')
          .getByRole('heading', { name: `Lead #${lead.body.id} Alerted Lead` })
          .waitFor();
      } finally {
        await second.close();
      }
    });
  });
});
