import type { Page } from 'playwright-core';
import { describeInBrowser, expectNoSeriousAxeViolations, expectOneLanguage, launchChromium, screenshot, signInAs, useBrowserWorld, type ChromiumProfile } from '../support/browser';
import { HOUR } from '../support/harness';
import { RUSSIAN_FUNNEL } from '../support/russian-funnel';

/**
 * A working day on the board, on a desktop and on a phone: search in Russian and by a phone typed
 * as people type it, a colleague's changes arriving live, a bulk move with one refusal, the
 * keyboard path through a move, and the phone layout.
 */
describeInBrowser.each([
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
])('working the lead board at $width px', (viewport) => {
  const world = useBrowserWorld({ viewport, harness: { locale: 'ru', configText: RUSSIAN_FUNNEL } });
  const size = `${viewport.width}`;
  const phone = viewport.width < 720;
  let page: Page;

  beforeEach(async () => {
    page = await world.browser.newPage();
  });
  afterEach(async () => {
    await page.close();
  });

  const column = (stage: string) => page.locator(`.column[data-stage="${stage}"]`);
  const card = (stage: string, id: number, on = page) => on.locator(`.column[data-stage="${stage}"] .card[data-id="${id}"]`);
  const stageOf = async (id: number) => (await world.harness.as('root').get(`/api/leads/${id}`).expect(200)).body.stage as string;
  const lead = async (body: Record<string, unknown>, as = 'anna') => (await world.harness.as(as).post('/api/leads', body).expect(201)).body as { id: number; name: string };
  /** Each column's count as the board shows it ("10 000" is 10000). */
  const shownCounts = (on: Page = page) =>
    on.evaluate(() =>
      Object.fromEntries([...document.querySelectorAll('.column')].map((element) => [element.getAttribute('data-stage'), Number((element.querySelector('.column-count')?.textContent ?? '').replace(/\D/g, ''))])),
    );
  const shownNames = () => page.locator('.card .card-title').allInnerTexts();

  describe('search', () => {
    const names = ['Иван Смирнов', 'Мария Смирнова', 'Олег Попов'];
    let ivan: { id: number };
    let maria: { id: number };

    beforeAll(async () => {
      ivan = await lead({ name: 'Иван Смирнов', phone: '+79161234567' });
      maria = await lead({ name: 'Мария Смирнова', phone: '8 (925) 111-22-33' });
      await world.harness.as('anna').post(`/api/leads/${maria.id}/move`, { stage: 'in_work' }).expect(200);
      await lead({ name: 'Олег Попов', company_name: 'ООО «Ромашка»', phone: '+7 903 555-44-33' });
    });

    it('«Смирнов» shows exactly the Smirnovs, and each column counts what it shows', async () => {
      await signInAs(page, world, 'anna');
      await column('new').locator('.card').first().waitFor();
      expect(await shownNames()).toEqual(expect.arrayContaining(names));

      await page.getByRole('searchbox', { name: 'Поиск' }).fill('Смирнов');
      await page.waitForURL((url) => url.searchParams.get('q') === 'Смирнов');
      await card('in_work', maria.id).waitFor();
      await card('new', ivan.id).waitFor();
      await page.waitForFunction(() => document.querySelector('.column[data-stage="new"] .column-count')?.textContent === '1');
      expect((await shownNames()).sort()).toEqual(['Иван Смирнов', 'Мария Смирнова']);
      expect(await shownCounts()).toEqual({ new: 1, in_work: 1, handoff_general: 0, handoff_services: 0, converted: 0, junk: 0 });
      await expectNoSeriousAxeViolations(page);
      await expectOneLanguage(page, 'ru');
      await screenshot(page, `board-search-${size}`);
    });

    it.each(['89161234567', '+7 (916) 123-45-67', '916 123 45 67'])('the phone typed as %s finds the lead stored as +79161234567', async (typed) => {
      await signInAs(page, world, 'anna');
      await page.getByRole('searchbox', { name: 'Поиск' }).fill(typed);
      await page.waitForURL((url) => url.searchParams.get('q') === typed);
      await page.waitForFunction(() => document.querySelector('.column[data-stage="in_work"] .column-count')?.textContent === '0');
      await card('new', ivan.id).waitFor();
      expect(await shownNames()).toEqual(['Иван Смирнов']);
      expect(await shownCounts()).toEqual({ new: 1, in_work: 0, handoff_general: 0, handoff_services: 0, converted: 0, junk: 0 });
    });

    it('a company is found in lower case, without its quotes', async () => {
      await signInAs(page, world, 'anna', '/board/?q=%D1%80%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0');
      await column('new').locator('.card', { hasText: 'Олег Попов' }).waitFor();
      expect(await shownNames()).toEqual(['Олег Попов']);
    });
  });

  it('a card counts its age in stage from the server’s clock, not the browser’s', async () => {
    const fresh = await lead({ name: 'Вера Новикова', phone: '+79160000101' });
    await signInAs(page, world, 'anna');
    const age = card('new', fresh.id).locator('.age');
    await age.filter({ hasText: 'на этапе' }).waitFor();
    expect(await age.innerText()).toBe('на этапе 0 мин');
    world.harness.clock.advance(3 * HOUR);
    await page.reload();
    await age.filter({ hasText: 'на этапе' }).waitFor();
    expect(await age.innerText()).toBe('на этапе 3 ч');
  });

  describe('live, with a colleague on another browser', () => {
    let other: ChromiumProfile;
    beforeAll(async () => {
      other = await launchChromium(viewport);
    });
    afterAll(async () => {
      await other.close();
    });

    it('a lead Anna adds and then moves shows up on Boris’s board in the right column without a reload', async () => {
      const boris = await other.context.newPage();
      await signInAs(boris, world, 'boris');
      await boris.waitForFunction(() => document.querySelector('.live-dot.open'));
      await signInAs(page, world, 'anna');
      const before = await shownCounts(boris);

      const newColumn = column('new');
      await newColumn.getByRole('button', { name: 'Добавить в «Новый»' }).click();
      await newColumn.getByLabel('Имя').fill('Зоя Морозова');
      await newColumn.getByLabel('Телефон').fill('8 916 000-02-02');
      await newColumn.getByRole('button', { name: 'Добавить', exact: true }).click();
      const added = boris.locator('.column[data-stage="new"] .card', { hasText: 'Зоя Морозова' });
      await added.waitFor();
      const id = Number(await added.getAttribute('data-id'));
      await boris.waitForFunction((count) => document.querySelector('.column[data-stage="new"] .column-count')?.textContent === String(count), before.new! + 1);

      await card('new', id).getByRole('button', { name: 'Перенести в… «Зоя Морозова»' }).click();
      await page.getByRole('dialog').getByLabel('Этап').selectOption('in_work');
      await page.getByRole('dialog').getByRole('button', { name: 'Перенести', exact: true }).click();
      await card('in_work', id, boris).waitFor();
      expect(await card('new', id, boris).count()).toBe(0);
      await boris.waitForFunction((count) => document.querySelector('.column[data-stage="in_work"] .column-count')?.textContent === String(count), before.in_work! + 1);
      expect(await stageOf(id)).toBe('in_work');
      await expectNoSeriousAxeViolations(boris);
      await expectOneLanguage(boris, 'ru');
      await screenshot(boris, `board-live-${size}`);
      await boris.close();
    });
  });

  it('a bulk move where one lead lacks the product moves the others and names the refused one', async () => {
    const withProduct = [await lead({ name: 'Глеб Орлов', phone: '+79160000301', fields: { product: 'аудит' } }), await lead({ name: 'Дарья Белова', phone: '+79160000302', fields: { product: 'SEO' } })];
    const without = await lead({ name: 'Егор Жуков', phone: '+79160000303' });
    const chosen = [...withProduct, without];
    await signInAs(page, world, 'anna');
    for (const item of chosen)
      await card('new', item.id)
        .getByRole('checkbox', { name: `Выбрать «${item.name}»` })
        .check();
    const bar = page.getByRole('region', { name: 'Выбранные карточки' });
    await bar.getByText('Выбрано 3 карточки').waitFor();
    await bar.getByRole('button', { name: 'Перенести', exact: true }).click();
    await bar.getByLabel('Этап').selectOption('handoff_services');
    await bar.getByRole('button', { name: 'Подтвердить' }).click();
    const results = bar.getByRole('status');
    await results.getByText('Готово: 2, отказано: 1').waitFor();
    expect((await results.locator('li').allInnerTexts()).map((text) => text.trim())).toEqual(['«Егор Жуков»: нужно заполнить: Продукт']);
    expect(await stageOf(without.id)).toBe('new');
    for (const item of withProduct) expect(['handoff_services', 'converted']).toContain(await stageOf(item.id));
    await card('new', without.id).waitFor();
    for (const item of withProduct) await page.locator(`.column[data-stage="new"] .card[data-id="${item.id}"]`).waitFor({ state: 'detached' });
    await expectNoSeriousAxeViolations(page);
    await expectOneLanguage(page, 'ru', ['SEO']);
    await screenshot(page, `board-bulk-${size}`);
  });

  it('by keyboard alone: Tab reaches a card, «Перенести в…» asks to confirm, and focus stays on the moved card, visibly', async () => {
    const kira = await lead({ name: 'Кира Лебедева', phone: '+79160000401' });
    await signInAs(page, world, 'anna');
    await card('new', kira.id).waitFor();
    const focusedIn = () =>
      page.evaluate(() => ({
        card: document.activeElement?.closest('.card')?.getAttribute('data-id') ?? null,
        stage: document.activeElement?.closest('.column')?.getAttribute('data-stage') ?? null,
        label: document.activeElement?.getAttribute('aria-label') ?? null,
      }));
    let presses = 0;
    while ((await focusedIn()).card !== String(kira.id)) {
      await page.keyboard.press('Tab');
      if (++presses > 80) throw new Error('Tab never reached the card');
    }
    while ((await focusedIn()).label !== 'Перенести в… «Кира Лебедева»') {
      await page.keyboard.press('Tab');
      expect((await focusedIn()).card).toBe(String(kira.id));
    }
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Перенести «Кира Лебедева»' });
    await dialog.waitFor();
    // The stage list has the focus; the arrow picks «В работе» and nothing moves until confirmed.
    await page.keyboard.press('ArrowDown');
    expect(await dialog.getByLabel('Этап').inputValue()).toBe('in_work');
    expect(await stageOf(kira.id)).toBe('new');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Перенести');
    await page.keyboard.press('Enter');
    await card('in_work', kira.id).waitFor();
    await page.waitForFunction((id) => document.activeElement?.closest('.card')?.getAttribute('data-id') === String(id), kira.id);
    expect(await focusedIn()).toMatchObject({ card: String(kira.id), stage: 'in_work' });
    expect(await stageOf(kira.id)).toBe('in_work');
    const ring = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement;
      const style = getComputedStyle(element);
      return { focusVisible: element.matches(':focus-visible'), outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    expect(ring).toEqual({ focusVisible: true, outline: 'solid', width: 2 });
    await expectNoSeriousAxeViolations(page);
    await expectOneLanguage(page, 'ru');
    await screenshot(page, `board-keyboard-${size}`);
  });

  it(`${phone ? 'on a phone' : 'on a desktop'} the first card is in view, the filters are reachable and nothing overflows sideways`, async () => {
    await lead({ name: 'Лев Титов', phone: '+79160000501' });
    await signInAs(page, world, 'anna');
    const first = column('new').locator('.card').first();
    await first.waitFor();
    const box = await first.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y).toBeGreaterThan(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);

    const responsible = page.getByRole('combobox', { name: 'Ответственный' });
    const toggle = page.getByRole('button', { name: 'Фильтры' });
    if (phone) {
      expect(await responsible.isVisible()).toBe(false);
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
      await toggle.click();
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    } else {
      expect(await toggle.isVisible()).toBe(false);
    }
    expect(await responsible.isVisible()).toBe(true);
    expect(await page.getByLabel('Создан с').isVisible()).toBe(true);
    const overflow = () => page.evaluate(() => ({ page: document.documentElement.scrollWidth - window.innerWidth, body: document.body.scrollWidth - window.innerWidth }));
    expect(await overflow()).toEqual({ page: 0, body: 0 });
    await expectNoSeriousAxeViolations(page);
    await expectOneLanguage(page, 'ru');
    await screenshot(page, `board-filters-${size}`);

    await responsible.selectOption('anna');
    await page.waitForURL((url) => url.searchParams.get('responsible') === 'anna');
    expect(await page.getByRole('combobox', { name: 'Ответственный' }).isVisible()).toBe(true);
    expect(await overflow()).toEqual({ page: 0, body: 0 });
  });
});
