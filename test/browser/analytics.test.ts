import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { seedFunnel } from '../support/funnel-dataset';
import { describeInBrowser, signInWithToken, useBrowserWorld } from '../support/browser';
import { first } from '../support/lists';

/** Screenshots of what the tests saw, kept for people (gitignored). */
const ARTIFACTS = path.join(__dirname, '..', 'artifacts');

describeInBrowser('the analytics page in Chromium', () => {
  const world = useBrowserWorld({ viewport: { width: 1400, height: 1000 } });
  let page: Page;

  beforeAll(async () => {
    // The dataset of test/integration/analytics.test.ts, plus one lead bounced back and forth.
    await seedFunnel(world.harness, { bounce: true });
    page = await world.browser.newPage();
  });

  const rows = (section: string) => page.locator(`#${section} tbody tr`).evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)));

  it('draws the funnel, results by source and manager, time in stage and lost reasons for a known dataset', async () => {
    await signInWithToken(page, world, 'olya', '/board/analytics.html?pipeline=leads');
    await page.locator('body[data-loaded="leads"]').waitFor();

    const funnel = await rows('funnel');
    // Stage, items, entries, → next, → any later, median h, now, stuck: the bounced lead counts once.
    expect(funnel[0]).toEqual(['New', '6', '7', '100 %', '100 %', '0', '0', '—']);
    // In work: 1 of 6 to the next stage, 4 of 6 to any later one (two hand-offs, two junk); two stuck.
    expect(funnel[1]).toEqual(['In work', '6', '7', '16.7 %', '66.7 %', '2', '2', '2']);
    expect(await rows('by-source')).toEqual([
      ['site', '4', '1', '2', '1', '33.3 %'],
      ['partner', '2', '1', '0', '1', '100 %'],
    ]);
    expect(await rows('lost')).toEqual([
      ['no_budget', '0', '1', '0'],
      ['not_target', '1', '0', '0'],
    ]);
    // Each section is a real Chart.js chart holding the same numbers as its table.
    const drawn = await page.evaluate(() =>
      Array.from(document.querySelectorAll('canvas')).map((canvas) => {
        const chart = (window as unknown as { Chart: { getChart(canvas: HTMLCanvasElement): { data: { datasets: Array<{ data: unknown[] }> } } | undefined } }).Chart.getChart(canvas as HTMLCanvasElement);
        return { section: canvas.closest('section')?.id, first: chart?.data.datasets[0]?.data ?? null, painted: canvas.width > 0 && canvas.height > 0 };
      }),
    );
    expect(drawn.map((chart) => chart.section)).toEqual(['funnel', 'by-source', 'by-manager', 'time-in-stage', 'lost']);
    expect(drawn.every((chart) => chart.painted && chart.first !== null)).toBe(true);
    expect(first(drawn).first).toEqual([6, 6, 1, 1, 2, 2]);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'analytics.png'), fullPage: true });
  });

  it('a date range outside the data shows empty figures; a sales user is told the page is not theirs', async () => {
    await page.goto(`${world.baseUrl}/board/analytics.html?pipeline=leads&from=2025-01-01&to=2025-02-01`);
    await page.locator('body[data-loaded="leads"]').waitFor();
    expect(first(await rows('funnel')).slice(0, 3)).toEqual(['New', '0', '0']);

    await signInWithToken(page, world, 'anna', '/board/analytics.html?pipeline=leads');
    await page.locator('#notice:not(:empty)').waitFor();
    expect(await page.locator('#notice').textContent()).toMatch(/may not|analytics/i);
  });

  it('serves Chart.js from the installed package', async () => {
    const script = await request(world.harness.app).get('/board/vendor/chart.umd.min.js').expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.text.length).toBeGreaterThan(100_000);
  });
});
