import type { Page } from 'playwright-core';
import { describeInBrowser, signInWithPassword, signInWithTokenForm, useBrowserWorld } from '../support/browser';

const PASSWORD = 'live board password';

describeInBrowser('the live board in Chromium', () => {
  // The stream is covered on both databases in test/integration/stream.test.ts; the page needs one.
  const world = useBrowserWorld({ viewport: { width: 1500, height: 900 }, harness: { passwords: { anna: PASSWORD } } });
  const pages: Page[] = [];

  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close();
    await world.browser.clearCookies();
  });

  async function newPage(): Promise<Page> {
    const page = await world.browser.newPage();
    pages.push(page);
    return page;
  }

  /** The indicator in the header says the stream is open: from here on every change shows. */
  const live = (page: Page) => page.locator('#live[data-state="live"]').waitFor();
  const cardIn = (page: Page, stage: string, id: number) => page.locator(`.column[data-stage="${stage}"] .card[data-id="${id}"]`);
  const countOf = (page: Page, stage: string) => page.locator(`.column[data-stage="${stage}"] h2 .count`).innerText();

  it('a lead created over the API appears on a second open board without a reload, and moves there as it is moved', async () => {
    const first = await newPage();
    await signInWithPassword(first, world.baseUrl, 'anna', PASSWORD);
    await live(first);
    // The second board signs in with the same session cookie.
    const second = await newPage();
    await second.goto(`${world.baseUrl}/board`);
    await live(second);
    expect(await second.locator('#live').innerText()).toBe('Live');
    await second.evaluate(() => Object.assign(window, { __notReloaded: true }));
    const before = Number(await countOf(second, 'new'));

    const created = await world.harness.as('root').post('/api/leads', { name: 'Arrived Live', phone: '+79167000201', source: 'site_form' }).expect(201);
    const id = created.body.id as number;
    const card = cardIn(second, 'new', id);
    await card.waitFor({ timeout: 5000 });
    expect(await card.innerText()).toContain('Arrived Live');
    expect(await card.innerText()).toContain('+7 916 700 02 01');
    expect(await countOf(second, 'new')).toBe(String(before + 1));
    // Newest first, as the list shows them.
    expect(await second.locator('.column[data-stage="new"] .card').first().getAttribute('data-id')).toBe(String(id));

    // Moved on the first board: the second follows.
    await cardIn(first, 'new', id).getByLabel('Move Arrived Live to…').selectOption('in_work');
    await cardIn(second, 'in_work', id).waitFor({ timeout: 5000 });
    expect(await cardIn(second, 'new', id).count()).toBe(0);
    expect(await countOf(second, 'new')).toBe(String(before));

    // Changed over the API: the card shows the new values.
    await world.harness.as('root').patch(`/api/leads/${id}`, { name: 'Renamed Live' }).expect(200);
    await cardIn(second, 'in_work', id).getByText('Renamed Live').waitFor({ timeout: 5000 });
    expect(await second.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded)).toBe(true);
  });

  it('a board signed in with an API token is live too', async () => {
    const page = await newPage();
    await signInWithTokenForm(page, world, 'anna');
    await live(page);
    const created = await world.harness.as('root').post('/api/leads', { name: 'Token Live', phone: '+79167000202' }).expect(201);
    await cardIn(page, 'new', created.body.id).waitFor({ timeout: 5000 });
  });
});
