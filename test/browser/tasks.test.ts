import type { Page } from 'playwright-core';
import { BOARD, describeInBrowser, expectNoSeriousAxeViolations, expectOneLanguage, screenshot, signInAs, useBrowserWorld } from '../support/browser';
import { HOUR } from '../support/harness';
import { leadOf, overflowsSideways, pinBrowserClock, SALES_TEAM } from '../support/sales-team';

describeInBrowser('the tasks page in Chromium (a Russian team)', () => {
  const world = useBrowserWorld({ viewport: { width: 1440, height: 900 }, harness: { configText: SALES_TEAM } });
  let page: Page;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    const harness = world.harness;
    // 09:00 Moscow, Monday 2 March: Ева's call task is due at 11:00; by 12:00 it is overdue.
    ids.eva = await leadOf(harness, 'gena', { name: 'Ева Лебедева' });
    await harness.as('gena').post(`/api/leads/${ids.eva}/move`, { stage: 'in_work' }).expect(200);
    await harness.runDue();
    await harness.advance(3 * HOUR);
    ids.ivan = await leadOf(harness, 'gena', { name: 'Иван Петров' });
    await harness.as('gena').post(`/api/leads/${ids.ivan}/move`, { stage: 'in_work' }).expect(200);
    await harness.runDue();
    await harness.as('gena').post('/api/tasks', { kind: 'lead', id: ids.ivan, title: 'Отправить договор', due_at: '2026-03-03T10:00:00+03:00' }).expect(201);
    const old = (await harness.as('gena').post('/api/tasks', { kind: 'lead', id: ids.ivan, title: 'Старый звонок', due_at: '2026-03-02T10:00:00+03:00' }).expect(201)).body.id as number;
    await harness.as('gena').patch(`/api/tasks/${old}`, { done: true }).expect(200);
    await harness.as('gm').post('/api/tasks', { kind: 'lead', id: ids.ivan, title: 'Проверить реквизиты', due_at: '2026-03-02T17:00:00+03:00', assignee: 'galya' }).expect(201);
  });

  beforeEach(async () => {
    page = await world.browser.newPage();
    page.setDefaultTimeout(10_000);
    await pinBrowserClock(page, world.harness);
  });
  afterEach(async () => {
    await page.close();
  });

  const titles = () => page.locator('.task-list .task-title').allInnerTexts();
  const row = (title: string) => page.locator('.task-row', { has: page.getByRole('heading', { name: title, exact: true }) });
  const tab = (name: string) => page.getByRole('navigation', { name: 'Какие задачи показать' }).getByRole('link', { name, exact: true });

  it('my tasks by when they are due, in Moscow time; done, rescheduled and reassigned in the row', async () => {
    await signInAs(page, world, 'gena', `${BOARD}tasks`);
    await row('Позвонить Ева Лебедева').waitFor();
    expect(await titles()).toEqual(['Позвонить Ева Лебедева', 'Позвонить Иван Петров', 'Отправить договор']);
    expect(await row('Позвонить Ева Лебедева').innerText()).toContain('просрочена');
    expect(await row('Позвонить Иван Петров').innerText()).toContain('срок 2 мар., 14:00');
    expect(await row('Позвонить Иван Петров').getByRole('link').getAttribute('href')).toBe(`${BOARD}item/lead/${ids.ivan}`);
    await expectNoSeriousAxeViolations(page);
    await expectOneLanguage(page, 'ru');
    await screenshot(page, 'tasks-1440');

    await tab('Просроченные').click();
    await page.waitForURL(/tab=overdue/);
    await page.waitForFunction(() => document.querySelectorAll('.task-list .task-title').length === 1);
    expect(await titles()).toEqual(['Позвонить Ева Лебедева']);
    await tab('На сегодня').click();
    await page.waitForURL(/tab=today/);
    await row('Позвонить Иван Петров').waitFor();
    expect(await titles()).toEqual(['Позвонить Иван Петров']);
    await tab('Предстоящие').click();
    await row('Отправить договор').waitFor();
    expect(await titles()).toEqual(['Отправить договор']);
    await tab('Выполненные').click();
    await row('Старый звонок').waitFor();
    expect(await row('Старый звонок').innerText()).toContain('Геннадий Продажин');

    // Done from the "today" tab: the row leaves, the focus stays in the list, the server has it done.
    await tab('На сегодня').click();
    await row('Позвонить Иван Петров').getByRole('button', { name: 'Выполнено: Позвонить Иван Петров' }).click();
    await page.getByText('Задача «Позвонить Иван Петров» выполнена.').waitFor();
    await row('Позвонить Иван Петров').waitFor({ state: 'detached' });
    const [ivanCall] = (await world.harness.as('gena').get(`/api/tasks?item=lead:${ids.ivan}&status=done`).expect(200)).body.tasks.filter((task: { title: string }) => task.title === 'Позвонить Иван Петров');
    expect(ivanCall).toMatchObject({ status: 'done', completed_by: 'gena' });

    await tab('Предстоящие').click();
    await row('Отправить договор').getByRole('button', { name: 'Перенести срок: Отправить договор' }).click();
    await row('Отправить договор').getByLabel('Новый срок').fill('2026-03-05T10:00');
    await row('Отправить договор').getByRole('button', { name: 'Сохранить' }).click();
    await row('Отправить договор').getByText('срок 5 мар., 10:00').waitFor();

    await tab('Просроченные').click();
    await row('Позвонить Ева Лебедева').getByRole('button', { name: 'Передать другому: Позвонить Ева Лебедева' }).click();
    await row('Позвонить Ева Лебедева').getByLabel('Кому').selectOption({ label: 'Галина Сделкина' });
    await row('Позвонить Ева Лебедева').getByRole('button', { name: 'Сохранить' }).click();
    await page.getByText('Задача «Позвонить Ева Лебедева» передана: Галина Сделкина.').waitFor();
    await row('Позвонить Ева Лебедева').waitFor({ state: 'detached' }); // no longer mine
    await expectNoSeriousAxeViolations(page);

    // The row's link opens the item.
    await tab('Предстоящие').click();
    await row('Отправить договор').getByRole('link', { name: 'Карточка: Иван Петров' }).click();
    await page.getByRole('heading', { level: 1, name: /Иван Петров/ }).waitFor();
  });

  it('a manager picks whose tasks to see; each row says whose it is; English reads English; a phone fits', async () => {
    await signInAs(page, world, 'gm', `${BOARD}tasks`);
    await page.getByText('Задач нет.').waitFor();
    await page.getByLabel('Чьи задачи').selectOption({ label: 'Галина Сделкина' });
    await row('Проверить реквизиты').waitFor();
    expect(await row('Проверить реквизиты').innerText()).toContain('исполнитель: Галина Сделкина');
    await page.getByLabel('Чьи задачи').selectOption({ label: 'все, что мне видны' });
    await row('Отправить договор').waitFor();
    await expectNoSeriousAxeViolations(page);
    await expectOneLanguage(page, 'ru');

    await page.evaluate(() => localStorage.setItem('robots.locale', 'en'));
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Tasks' }).waitFor();
    await row('Отправить договор').waitFor();
    // The buttons name their task ("Done: Отправить договор"): the titles are what people typed;
    // «Продажи» is the deal pipeline's name in the header, as the config writes it.
    await expectOneLanguage(page, 'en', ['Позвонить', 'Ева', 'Лебедева', 'Иван', 'Петров', 'Проверить', 'реквизиты', 'Отправить', 'договор', 'Продажи']);
    await expectNoSeriousAxeViolations(page);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => localStorage.removeItem('robots.locale'));
    await page.reload();
    await row('Отправить договор').waitFor();
    expect(await overflowsSideways(page)).toBe(false);
    await expectNoSeriousAxeViolations(page);
    await expectOneLanguage(page, 'ru');
    await screenshot(page, 'tasks-390');
  });
});
