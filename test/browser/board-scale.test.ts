import type { Page } from 'playwright-core';
import { describeInBrowser, expectNoSeriousAxeViolations, expectOneLanguage, screenshot, signInAs, useChromium, useServedHarness } from '../support/browser';
import { insertLeads } from '../support/bulk-items';
import { MINUTE } from '../support/harness';
import { RUSSIAN_FUNNEL } from '../support/russian-funnel';

/**
 * A call centre's «В работе» with 10,000 leads: the column says 10 000 (what the database counts),
 * and scrolling it reaches the oldest lead while only a screenful of cards is in the page.
 */
const LEADS = 10_000;
const OLDEST = 'Самый Первый';
/** Cards in one column's DOM at any time: what fits in view plus the overscan, far below a page of 50. */
const MAX_CARDS_IN_COLUMN = 30;

describeInBrowser('a column of 10,000 leads', () => {
  const served = useServedHarness({ locale: 'ru', configText: RUSSIAN_FUNNEL });

  beforeAll(async () => {
    const start = served.harness.clock.now() - LEADS * MINUTE;
    await insertLeads(served.harness.runtime, LEADS, (index) => ({
      name: index === 0 ? OLDEST : `Лид ${index}`,
      phone: `+7916${String(index).padStart(7, '0')}`,
      email: null,
      stage: 'in_work',
      responsible: null,
      createdAt: start + index * MINUTE,
      enteredStageAt: start + index * MINUTE,
      updatedAt: start + index * MINUTE,
    }));
  }, 180_000);

  describe.each([
    { width: 1440, height: 900 },
    { width: 390, height: 844 },
  ])('at $width px', (viewport) => {
    const chromium = useChromium({ viewport });
    let page: Page;
    beforeEach(async () => {
      page = await chromium.context.newPage();
    });
    afterEach(async () => {
      await page.close();
    });

    it('the column shows its true count and scrolls to its last card with a bounded number of cards in the page', async () => {
      const counted = (await served.harness.runtime.store.manager.query("SELECT COUNT(*) AS count FROM leads WHERE stage = 'in_work'")) as Array<{ count: number }>;
      const oldest = (await served.harness.runtime.store.manager.query("SELECT name FROM leads WHERE stage = 'in_work' ORDER BY created_at, id LIMIT 1")) as Array<{ name: string }>;
      expect([Number(counted[0]?.count), oldest[0]?.name]).toEqual([LEADS, OLDEST]);

      await signInAs(page, served, 'anna');
      const column = page.locator('.column[data-stage="in_work"]');
      await column.locator('.card').first().waitFor();
      await page.waitForFunction(() => document.querySelector('.column[data-stage="in_work"] .column-count')?.textContent?.replace(/\D/g, '') === '10000');
      // Russian writes thousands with a (narrow no-break) space.
      expect(await column.locator('.column-count').innerText()).toMatch(/^10\s000$/);
      expect(await column.locator('.card-title').first().innerText()).toBe(`Лид ${LEADS - 1}`);

      const list = column.locator('.virtual-list');
      const last = column.locator('.card', { hasText: OLDEST });
      const loadedRows = () =>
        list
          .locator('li')
          .first()
          .evaluate((row) => Number(row.getAttribute('aria-setsize')));
      let mostCards = 0;
      for (let step = 0; step < 400 && (await last.count()) === 0; step++) {
        const before = await loadedRows();
        await list.evaluate((element) => {
          element.scrollTop = element.scrollHeight;
        });
        // Either the next page arrived (more rows) or the end is in view.
        await page
          .waitForFunction(
            ({ rows, name }) => {
              const column = document.querySelector('.column[data-stage="in_work"]');
              const size = Number(column?.querySelector('.virtual-list li')?.getAttribute('aria-setsize'));
              return size > rows || [...(column?.querySelectorAll('.card-title') ?? [])].some((title) => title.textContent === name);
            },
            { rows: before, name: OLDEST },
            { timeout: 5000 },
          )
          .catch(() => undefined);
        mostCards = Math.max(mostCards, await column.locator('.card').count());
      }
      await last.waitFor();
      expect(await last.isVisible()).toBe(true);
      expect(await loadedRows()).toBe(LEADS);
      expect(mostCards).toBeLessThanOrEqual(MAX_CARDS_IN_COLUMN);
      expect(await page.locator('.card').count()).toBeLessThanOrEqual(MAX_CARDS_IN_COLUMN * 6);
      // The count stays the true one after the whole column was read.
      expect(await column.locator('.column-count').innerText()).toMatch(/^10\s000$/);
      await expectNoSeriousAxeViolations(page);
      await expectOneLanguage(page, 'ru');
      await screenshot(page, `board-10000-end-${viewport.width}`);
    }, 180_000);
  });
});
