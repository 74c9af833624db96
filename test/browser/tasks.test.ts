import type { Page } from 'playwright-core';
import { describeInBrowser, signInWithToken, useBrowserWorld } from '../support/browser';

const CONFIG = `
timezone: Europe/Moscow
users:
  - { login: root, name: Root, role: admin }
  - { login: gena, name: Gena General, role: sales, team: general }
  - { login: gm, name: General Manager, role: manager, team: general }
teams:
  general: { members: [gena], manager: gm }
leads:
  team: general
  stages:
    - id: new
      robots:
        - { id: call_task, type: create_task, title: "Call {{item.name}}", due_in: 2h }
    - id: won
      semantic: won
`;

describeInBrowser('the task page in Chromium', () => {
  // The API is covered on both databases in test/integration/tasks.test.ts; the page needs one.
  // Due times are shown in the browser's own zone and locale: pinned, so the test reads 11:00 in Moscow.
  const world = useBrowserWorld({ viewport: { width: 1300, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/Moscow', harness: { configText: CONFIG } });
  let page: Page;

  beforeEach(async () => {
    page = await world.browser.newPage();
    page.setDefaultTimeout(10_000);
  });
  afterEach(async () => {
    await page.close();
  });

  const signInAs = (login: string) => signInWithToken(page, world, login, '/board/tasks.html');

  async function leadOfGena(name: string): Promise<number> {
    const id = (await world.harness.as('gena').post('/api/leads', { name }).expect(201)).body.id as number;
    await world.harness.runDue();
    return id;
  }

  const taskRow = (title: string) => page.locator('#tasks li.task', { has: page.getByRole('heading', { name: title, exact: true }) });

  it('the assignee sees the task, clicks Done, it leaves the open tasks, and the timeline says who did it', async () => {
    await leadOfGena('<img src=x onerror="window.__owned=1">Eve');
    world.harness.clock.advance(3 * 60 * 60_000); // Eve's call was due at 11:00; it is 12:00
    const ivan = await leadOfGena('Ivan Petrov');
    await signInAs('gena');
    await page.goto(`${world.baseUrl}/board/tasks.html`);

    const ivanTask = taskRow('Call Ivan Petrov');
    await ivanTask.waitFor();
    expect(await page.locator('#tasks li.task h2').allInnerTexts()).toEqual(['Call <img src=x onerror="window.__owned=1">Eve', 'Call Ivan Petrov']);
    expect(await page.locator('#tasks li.task').first().innerText()).toContain('overdue');
    expect(await page.locator('#tasks img').count()).toBe(0); // a name from the API is text, never HTML
    expect(await ivanTask.getByRole('link', { name: 'Ivan Petrov' }).getAttribute('href')).toBe(`/board/#lead-${ivan}`);
    expect(await ivanTask.innerText()).toContain('due 02/03, 14:00'); // created 12:00 Moscow, due in 2h
    expect(await ivanTask.innerText()).not.toContain('overdue');

    await ivanTask.getByRole('button', { name: 'Done: Call Ivan Petrov' }).click();
    await page.locator('#status').filter({ hasText: '«Call Ivan Petrov» done.' }).waitFor();
    await ivanTask.waitFor({ state: 'detached' });
    expect(await page.locator('#tasks li.task').count()).toBe(1);
    const [task] = (await world.harness.as('gena').get(`/api/tasks?item=lead:${ivan}`).expect(200)).body.tasks;
    expect(task).toMatchObject({ status: 'done', completed_by: 'gena' });

    await page.getByLabel('Status').selectOption('done');
    await ivanTask.getByText('done by gena').waitFor();

    // The lead's link opens the board with its timeline, which tells who completed the task; the header counts what is left.
    await ivanTask.getByRole('link', { name: 'Ivan Petrov' }).click();
    const panel = page.getByRole('complementary');
    await panel.getByRole('heading', { name: `Lead #${ivan} Ivan Petrov` }).waitFor();
    // locale: en: the sentence names the person; the engine's words below it keep the login.
    await panel.getByText('Task “Call Ivan Petrov” done by Gena General').waitFor();
    await page.getByRole('link', { name: 'Tasks (1)' }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned)).toBeUndefined();
  });

  it("a manager switches to all the tasks they may see, with each one's assignee", async () => {
    await leadOfGena('Maria General');
    await signInAs('gm');
    await page.goto(`${world.baseUrl}/board/tasks.html`);
    await page.getByText('No tasks here.').waitFor();
    await page.getByLabel('Assignee').selectOption('all');
    const maria = taskRow('Call Maria General');
    await maria.waitFor();
    expect(await maria.innerText()).toContain('for gena');
  });

  it('without a sign-in the page sends people to the board to sign in', async () => {
    await page.goto(`${world.baseUrl}/board/tasks.html`);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'You are not signed in' }).waitFor();
    expect(await page.getByRole('link', { name: 'board' }).getAttribute('href')).toBe('/board/');
  });
});
