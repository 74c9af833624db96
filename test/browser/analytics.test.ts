import type { Page } from 'playwright-core';
import { BOARD, describeInBrowser, expectNoSeriousAxeViolations, expectOneLanguage, screenshot, signInAs, useBrowserWorld } from '../support/browser';
import { seedFunnel } from '../support/funnel-dataset';
import { overflowsSideways } from '../support/sales-team';

describeInBrowser('the analytics page in Chromium', () => {
  // The dataset of test/integration/analytics.test.ts (lead-funnel.yaml, read in English), plus one lead bounced back and forth.
  const world = useBrowserWorld({ viewport: { width: 1440, height: 900 } });
  let page: Page;
  /** The day the dataset's leads were created and moved (the harness starts on Monday 2 March 2026, Moscow). */
  const DAY = '2026-03-02';

  beforeAll(async () => {
    await seedFunnel(world.harness, { bounce: true });
  });
  beforeEach(async () => {
    page = await world.browser.newPage();
    page.setDefaultTimeout(10_000);
  });
  afterEach(async () => {
    await page.evaluate(() => localStorage.removeItem('robots.locale')).catch(() => undefined);
    await page.close();
  });

  const rows = (section: string) => page.locator(`#${section} tbody tr`).evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('th, td')).map((cell) => cell.textContent?.trim())));
  const series = (section: string) =>
    page
      .locator(`#${section} .chart-box`)
      .first()
      .evaluate((box) => JSON.parse(box.getAttribute('data-series') ?? 'null') as unknown);
  const loaded = (from: string, to: string) => page.locator(`[data-loaded="leads:${from}:${to}"]`).waitFor();

  it('"Today" on the day of the data is that whole day: funnel, results by source and lost reasons drawn with the numbers of the dataset', async () => {
    // The browser's clock on the dataset's day, at 23:30 Moscow: "today" is 2 March, end included.
    await page.clock.setFixedTime(new Date('2026-03-02T23:30:00+03:00'));
    await signInAs(page, world, 'olya', `${BOARD}analytics?pipeline=leads&from=2025-01-01&to=2025-01-31`);
    await loaded('2025-01-01', '2025-01-31');
    expect((await rows('funnel'))[0]?.slice(0, 3)).toEqual(['New', '0', '0']);

    await page.getByRole('button', { name: 'Today' }).click();
    await loaded(DAY, DAY);
    expect(new URL(page.url()).searchParams.get('from')).toBe(DAY);
    expect(await page.getByRole('button', { name: 'Today' }).getAttribute('aria-pressed')).toBe('true');
    const funnel = await rows('funnel');
    // Stage, items, entries, → next, → any later, median h, now, stuck: the bounced lead counts once.
    expect(funnel[0]).toEqual(['New', '6', '7', '100 %', '100 %', '0', '0', '—']);
    expect(funnel[1]).toEqual(['In work', '6', '7', '16.7 %', '66.7 %', '2', '2', '2']);
    // Win rate = won / (won + lost); open items apart.
    expect(await rows('by-source')).toEqual([
      ['site', '4', '1', '2', '1', '33.3 %'],
      ['partner', '2', '1', '0', '1', '100 %'],
    ]);
    expect(await rows('by-manager')).toEqual([
      ['Anna SDR', '4', '1', '2', '1', '33.3 %'],
      ['Boris SDR', '2', '1', '0', '1', '100 %'],
    ]);
    expect(await rows('lost')).toEqual([
      ['no_budget', '0', '1', '0'],
      ['not_target', '1', '0', '0'],
    ]);
    // Each section's chart holds the same numbers as its table, on a painted canvas.
    expect(await series('funnel')).toEqual([[6, 6, 1, 1, 2, 2]]);
    expect(await series('by-source')).toEqual([
      [1, 1],
      [2, 0],
      [1, 1],
    ]);
    expect(await series('stuck')).toEqual([
      [0, 2, 0, 0, 2, 2],
      [0, 2, 0, 0, 0, 0],
    ]);
    const painted = await page.locator('canvas').evaluateAll((canvases) => canvases.map((canvas) => (canvas as HTMLCanvasElement).width > 0 && (canvas as HTMLCanvasElement).height > 0));
    expect(painted).toEqual([true, true, true, true, true, true]);
    await expectNoSeriousAxeViolations(page);
    await expectOneLanguage(page, 'en');
    await screenshot(page, 'analytics-1440');
  });

  it('a custom range is typed by hand; in Russian on a 390 px phone the charts fit and the tables scroll in their box', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.clock.setFixedTime(new Date('2026-03-04T12:00:00+03:00'));
    await signInAs(page, world, 'olya', `${BOARD}analytics`);
    await page.evaluate(() => localStorage.setItem('robots.locale', 'ru'));
    await page.reload();
    await page.getByRole('button', { name: 'Свой период' }).click();
    await page.getByLabel('С', { exact: true }).fill('2026-03-01');
    await page.getByLabel('По (включительно)').fill(DAY);
    await page.getByRole('button', { name: 'Показать' }).click();
    await loaded('2026-03-01', DAY);
    expect((await rows('funnel'))[0]).toEqual(['New', '6', '7', '100 %', '100 %', '0', '0', '—']);
    expect(await overflowsSideways(page)).toBe(false);
    const boxes = await page.locator('.chart-box canvas').evaluateAll((canvases) => canvases.map((canvas) => canvas.getBoundingClientRect().right));
    expect(Math.max(...boxes)).toBeLessThanOrEqual(390);
    await expectNoSeriousAxeViolations(page);
    // The fixture's deal pipelines have no names: the header's menu shows their keys.
    await expectOneLanguage(page, 'ru', ['general', 'services']);
    await screenshot(page, 'analytics-390');
  });

  it('a seller is told the page is not theirs', async () => {
    await signInAs(page, world, 'anna', `${BOARD}analytics`);
    await page.getByRole('alert').filter({ hasText: 'Analytics is for managers, sales ops and admins.' }).waitFor();
  });
});
