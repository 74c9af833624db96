import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describeInBrowser, signInWithPassword, useBrowserWorld } from '../support/browser';

const ARTIFACTS = path.join(__dirname, '..', 'artifacts');
const PASSWORD = 'correct horse battery';

/**
 * What a first-line user does all day: create a lead on the board, hand it
 * off after filling in exactly what the hand-off needs, find it again by its phone, and lose
 * another with a reason and a comment. The API behind it runs on both databases in
 * test/integration/board-work.test.ts; the page needs one.
 */
describeInBrowser('working on the board in Chromium', () => {
  const world = useBrowserWorld({ viewport: { width: 1440, height: 900 }, harness: { passwords: { anna: PASSWORD } } });
  let page: Page;

  beforeEach(async () => {
    await world.browser.clearCookies();
    page = await world.browser.newPage();
    page.setDefaultTimeout(10_000);
  });
  afterEach(async () => {
    await page.close();
  });

  const cardIn = (stage: string, id: number) => page.locator(`.column[data-stage="${stage}"] .card[data-id="${id}"]`);
  const cards = () => page.locator('main .card').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label')));

  const signIn = () => signInWithPassword(page, world.baseUrl, 'anna', PASSWORD);

  it('first line creates a lead, fills in what the hand-off asks for in place, and the hand-off completes', async () => {
    await signIn();
    await page.getByRole('button', { name: 'New lead' }).click();
    const create = page.getByRole('dialog');
    await create.getByLabel('Name').fill('Pavel Sidorov');
    await create.getByLabel('Phone').fill('12');
    await create.getByLabel('Company').fill('Sidorov & Sons');
    await create.getByLabel('interest').selectOption('services');
    await create.getByRole('button', { name: 'Create' }).click();
    // The server's refusal lands beside the field it is about.
    await page.locator('#create-phone-error').filter({ hasText: 'is not a phone number' }).waitFor();
    await create.getByLabel('Phone').fill('8 916 555-12-34');
    await create.getByRole('button', { name: 'Create' }).click();
    await create.waitFor({ state: 'hidden' });

    const lead = (await world.harness.as('root').get('/api/leads?q=Pavel').expect(200)).body.items[0];
    expect(lead).toMatchObject({ name: 'Pavel Sidorov', phone: '+79165551234', company_name: 'Sidorov & Sons', fields: { interest: 'services' } });
    const card = cardIn('new', lead.id);
    await card.waitFor();
    expect(await card.innerText()).toContain('+7 916 555 12 34');
    expect(await card.innerText()).not.toContain('anna');

    // The hand-off needs a product: the board asks for exactly that field, and nothing else.
    await card.getByLabel('Move Pavel Sidorov to…').selectOption('handoff_services');
    const fill = page.getByRole('dialog');
    await fill.getByRole('heading', { name: /needs Product for Hand over — services/ }).waitFor();
    expect(await fill.locator('[data-field]').evaluateAll((inputs) => inputs.map((input) => input.getAttribute('data-field')))).toEqual(['product']);
    expect(await page.locator('#refusal').innerText()).toBe('Cannot move «Pavel Sidorov» to Hand over — services: fill in Product first.');
    await fill.getByLabel('Product').fill('audit');
    await fill.getByRole('button', { name: 'Save and move' }).click();

    await cardIn('handoff_services', lead.id).waitFor();
    expect(await cardIn('new', lead.id).count()).toBe(0);
    expect(await page.locator('#refusal').innerText()).toBe('');
    expect(await page.locator('#status').innerText()).toBe('Moved «Pavel Sidorov» from New to Hand over — services.');
    expect((await world.harness.as('root').get(`/api/leads/${lead.id}`).expect(200)).body).toMatchObject({ stage: 'handoff_services', fields: { product: 'audit', interest: 'services' } });

    // The panel's timeline says so, and the field shows the value saved.
    await cardIn('handoff_services', lead.id).getByRole('button', { name: 'Pavel Sidorov' }).click();
    const panel = page.getByRole('complementary');
    await panel.getByRole('heading', { name: `Lead #${lead.id} Pavel Sidorov` }).waitFor();
    await panel.locator('#timeline-entries li.stage').nth(1).waitFor();
    expect(await panel.locator('#timeline-entries li.stage').nth(1).innerText()).toMatch(/Hand over — services|handoff_services/);
    expect(await panel.getByLabel('Product').inputValue()).toBe('audit');
    expect(await panel.locator('#panel-about').innerText()).toContain('+7 916 555 12 34');
  });

  it('search finds a lead by part of its phone, and the link keeps the view', async () => {
    const root = world.harness.as('root');
    const wanted = (await root.post('/api/leads', { name: 'Search Me', phone: '+7 903 777-42-42', responsible: 'boris' }).expect(201)).body;
    await root.post('/api/leads', { name: 'Someone Else', phone: '+7 903 111-00-00' }).expect(201);
    await signIn();
    await page.getByLabel('Search', { exact: true }).fill('777 42');
    await page.locator('#status').filter({ hasText: '1 item matches.' }).waitFor();
    expect(await cards()).toEqual(['Search Me']);
    expect(await cardIn('new', wanted.id).innerText()).toContain('Boris SDR');
    expect(new URL(page.url()).hash).toBe('#q=777+42');

    // The link reproduces the view: the same search, the same single card.
    await page.reload();
    await page.locator('#status').filter({ hasText: '1 item matches.' }).waitFor();
    expect(await page.getByLabel('Search', { exact: true }).inputValue()).toBe('777 42');
    expect(await cards()).toEqual(['Search Me']);

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.locator('main .card[aria-label="Someone Else"]').waitFor();
    await page.locator('#filter-mine').check();
    await page.locator('#status').filter({ hasText: 'items match' }).waitFor();
    expect(await cards()).not.toContain('Search Me');
  });

  it('a lost move asks for a reason and keeps the comment on the timeline', async () => {
    const lead = (await world.harness.as('anna').post('/api/leads', { name: 'Lost Cause', phone: '+79037770001' }).expect(201)).body;
    await signIn();
    await cardIn('new', lead.id).getByLabel('Move Lost Cause to…').selectOption('junk');
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').selectOption('no_budget');
    await dialog.getByLabel('Comment (optional)').fill('Call again after their budget in June');
    await dialog.getByRole('button', { name: 'Move' }).click();
    await cardIn('junk', lead.id).waitFor();
    expect((await world.harness.as('anna').get(`/api/leads/${lead.id}`).expect(200)).body).toMatchObject({ stage: 'junk', lost_reason: 'no_budget' });

    // Won and lost columns are narrow until opened.
    const junk = page.locator('.column[data-stage="junk"]');
    expect(await junk.getAttribute('class')).toContain('collapsed');
    await junk.getByRole('button', { name: 'Expand Junk' }).click();
    expect(await page.locator('.column[data-stage="junk"]').getAttribute('class')).not.toContain('collapsed');

    await cardIn('junk', lead.id).getByRole('button', { name: 'Lost Cause' }).click();
    const panel = page.getByRole('complementary');
    await panel.getByText('“Call again after their budget in June”').waitFor();
  });

  it('columns that do not fit say how many more there are, and the board is kept as a screenshot', async () => {
    await signIn();
    await page.setViewportSize({ width: 900, height: 800 });
    const more = page.locator('#more-columns');
    await more.filter({ hasText: /^\d+ more →$/ }).waitFor();
    expect(await page.locator('#board-wrap').getAttribute('data-overflow')).toBe('right');
    await page.setViewportSize({ width: 1440, height: 900 });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'board-work.png'), fullPage: true });
  });
});
