import type { Page } from 'playwright-core';
import { BOARD, describeInBrowser, expectNoSeriousAxeViolations, expectOneLanguage, screenshot, signInAs, useBrowserWorld } from '../support/browser';
import { leadOf, pinBrowserClock, SALES_TEAM } from '../support/sales-team';

describeInBrowser('the notifications bell in Chromium (a Russian team)', () => {
  const world = useBrowserWorld({ viewport: { width: 1440, height: 900 }, harness: { configText: SALES_TEAM } });
  let page: Page;

  beforeEach(async () => {
    page = await world.browser.newPage();
    page.setDefaultTimeout(10_000);
    await pinBrowserClock(page, world.harness);
  });
  afterEach(async () => {
    await page.close();
  });

  const bell = () => page.locator('.bell > button.icon-button');
  const giveTask = (id: number, title: string) => world.harness.as('gm').post('/api/tasks', { kind: 'lead', id, title, due_at: '2026-03-02T18:00:00+03:00', assignee: 'gena' }).expect(201);
  const unread = async () => (await world.harness.as('gena').get('/api/notifications?unread=true&limit=50').expect(200)).body.unread as number;

  it('a task given by the manager arrives live with its count; opening it goes to the item and marks it read; "read all" clears the rest', async () => {
    const id = await leadOf(world.harness, 'gena', { name: 'Дарья Волкова', phone: '+7 916 321-00-00' });
    await signInAs(page, world, 'gena', `${BOARD}tasks`);
    expect(await bell().getAttribute('title')).toBe('Уведомления');
    await page.locator('.live-dot.open').waitFor(); // the stream is up before anything is sent

    await giveTask(id, 'Подготовить счёт');
    // No reload: the live stream brings it, the badge counts it, a screen reader hears it.
    await page.locator('.bell .badge').filter({ hasText: '1' }).waitFor();
    await page.locator('.bell [role="status"]').filter({ hasText: 'Новое уведомление: Новая задача: «Подготовить счёт»' }).waitFor();

    await bell().click();
    const list = page.getByRole('region', { name: 'Уведомления' });
    const link = list.getByRole('link', { name: /Подготовить счёт/ });
    expect(await link.getAttribute('href')).toBe(`${BOARD}item/lead/${id}`);
    expect(await list.innerText()).toContain('Дарья Волкова');
    await expectNoSeriousAxeViolations(page);
    // The server writes who gave the task by login («от gm»): the activity branch is asked for the name.
    await expectOneLanguage(page, 'ru', ['gm']);
    await screenshot(page, 'notifications-1440');

    await link.click();
    await page.getByRole('heading', { level: 1, name: /Дарья Волкова/ }).waitFor();
    await page.locator('.bell .badge').waitFor({ state: 'detached' });
    expect(await unread()).toBe(0);

    await giveTask(id, 'Позвонить бухгалтеру');
    await giveTask(id, 'Отправить акт');
    await page.locator('.bell .badge').filter({ hasText: '2' }).waitFor();
    await bell().click();
    await page.getByRole('button', { name: 'Прочитать все' }).click();
    await page.locator('.bell .badge').waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.closest('.bell') !== null)).toBe(true); // focus back on the bell
    expect(await unread()).toBe(0);
  });

  it('on a 390 px phone the list fits the screen, Escape closes it and gives focus back to the bell', async () => {
    const id = await leadOf(world.harness, 'gena', { name: 'Олег Зайцев' });
    await page.setViewportSize({ width: 390, height: 844 });
    await signInAs(page, world, 'gena', `${BOARD}tasks`);
    await page.locator('.live-dot.open').waitFor();
    await giveTask(id, 'Согласовать скидку');
    await page.locator('.bell .badge').filter({ hasText: '1' }).waitFor();
    await bell().focus();
    await page.keyboard.press('Enter');
    const list = page.getByRole('region', { name: 'Уведомления' });
    await list.getByRole('link', { name: /Согласовать скидку/ }).waitFor();
    const box = await list.boundingBox();
    expect(box && [box.x >= 0, box.x + box.width <= 390]).toEqual([true, true]);
    await expectNoSeriousAxeViolations(page);
    await screenshot(page, 'notifications-390');
    await page.keyboard.press('Escape');
    await list.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.classList.contains('icon-button'))).toBe(true);
  });

  it('a list that answers after a task arrived live keeps the task and its count (the list was asked for before the task existed)', async () => {
    const id = await leadOf(world.harness, 'gena', { name: 'Инна Белова' });
    await world.harness.as('gena').post('/api/notifications/read-all').expect(200);
    await signInAs(page, world, 'gena', `${BOARD}tasks`);
    await page.locator('.live-dot.open').waitFor();
    await page.locator('.bell .badge').waitFor({ state: 'detached' });
    // The server answers the list at once (no task yet); the page gets that answer only later.
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding = () => undefined as void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    await page.route(/\/api\/notifications\?/, async (route) => {
      const stale = await route.fetch();
      holding();
      await released;
      await route.fulfill({ response: stale });
    });
    await bell().click();
    await held;
    await giveTask(id, 'Выставить счёт');
    await page.locator('.bell .badge').filter({ hasText: '1' }).waitFor();
    release();
    const list = page.getByRole('region', { name: 'Уведомления' });
    await list.getByRole('link', { name: /Выставить счёт/ }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.locator('.bell .badge').innerText()).toBe('1');
    await page.unroute(/\/api\/notifications\?/);
  });
});
