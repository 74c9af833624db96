import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page, Request } from 'playwright-core';
import { BOARD, describeInBrowser, expectNoSeriousAxeViolations, expectOneLanguage, otherLanguageWords, screenshot, signInAs, useBrowserWorld } from '../support/browser';
import { overflowsSideways } from '../support/sales-team';

/**
 * robots.example.yaml beside its templates in a folder of its own (the studio writes the file),
 * read in English, with a day-3 SMS added to the cadence: the robot a walk through the studio
 * looks for, changes, applies and rolls back.
 */
const ROOT = path.join(__dirname, '..', '..');
const DAY3_SMS = `        - id: touch_day3_sms
          title: SMS на третий день
          type: send_message
          template: touch_sms
          after: 3d
          working_hours: true
`;
function exampleWithSms(): string {
  const example = fs.readFileSync(path.join(ROOT, 'robots.example.yaml'), 'utf8');
  return example
    .replace(/^locale: ru\b/m, 'locale: en')
    .replace('  touch_messenger:\n', '  touch_sms:\n    channel: sms\n    text: "{{lead.name}}, напоминаем о нашем предложении. Ответьте на это сообщение."\n  touch_messenger:\n')
    .replace(/( +- \{ id: touch_3_email,)/, `${DAY3_SMS}$1`);
}

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-studio-browser-'));
fs.cpSync(path.join(ROOT, 'templates'), path.join(folder, 'templates'), { recursive: true });
const CONFIG = path.join(folder, 'robots.yaml');
const ORIGINAL = exampleWithSms();
fs.writeFileSync(CONFIG, ORIGINAL);

describeInBrowser('the automation studio in Chromium', () => {
  // The browser is in New York, the config in Moscow: times on the studio pages are Moscow's.
  const world = useBrowserWorld({ viewport: { width: 1440, height: 900 }, timezoneId: 'America/New_York', harness: { configFile: CONFIG } });
  const requests: string[] = [];
  let page: Page;

  beforeAll(() => {
    world.browser.on('request', (request: Request) => requests.push(request.url()));
  });
  beforeEach(async () => {
    page = await world.browser.newPage();
    page.setDefaultTimeout(15_000);
  });
  afterEach(async () => {
    await page.evaluate(() => localStorage.removeItem('robots.locale')).catch(() => undefined);
    await page.close();
  });
  afterAll(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const openStudio = async (login: string, view = '') => {
    await signInAs(page, world, login, `${BOARD}automation${view}`);
    await page.locator('.studio-page h1').waitFor();
  };
  const lead = async (name: string, phone: string) => {
    const id = (await world.harness.as('admin').post('/api/leads', { name, phone }).expect(201)).body.id as number;
    await world.harness.as('admin').post(`/api/leads/${id}/move`, { stage: 'contacting' }).expect(200);
    return id;
  };
  const pendingRunsOf = async (robot: string) =>
    ((await world.harness.as('admin').get(`/api/runs?robot=${robot}&limit=50`).expect(200)).body.runs as Array<{ status: string }>).filter((run) => run.status === 'scheduled').length;
  /** In the editor, the cursor on the robot's first line (from the map's robot panel), then `down` lines further. */
  const toRobotLine = async (robotTitle: string, down: number) => {
    await page.getByRole('link', { name: 'Map' }).click();
    await page.getByRole('button', { name: `More about the robot: ${robotTitle}`, exact: true }).click();
    await page.getByRole('button', { name: 'Change in the editor' }).click();
    await page.locator('.cm-content').waitFor();
    await page.waitForFunction(() => document.activeElement?.classList.contains('cm-content'));
    for (let step = 0; step < down; step++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
  };

  it('the map of robots.example.yaml shows every stage with all its robots and the triggers drawn into their stages', async () => {
    await openStudio('olga');
    const config = world.harness.runtime.config.current;
    for (const pipeline of [config.leads, ...config.deals.values()]) {
      for (const stage of pipeline.stages) {
        const column = page.locator(`.map-pipeline:has(h2[id$="-${pipeline.key}"]) [data-stage="${stage.id}"]`);
        // A robot as a card; an escalation level (a robot of its own when running) as a step of its ladder.
        expect((await column.locator('.map-robot').count()) + (await column.locator('.escalation-step').count())).toBe(stage.robots.length);
        expect(await column.locator('.map-trigger').count()).toBe(stage.triggers.length);
      }
    }
    expect((await page.locator('.map-robot').count()) + (await page.locator('.escalation-step').count())).toBe(config.robots.size);
    expect(await page.locator('[data-robot="first_contact_sla"] .escalation-step').count()).toBe(2);
    // Timing and conditions in words, the reply trigger in the stage it moves leads to.
    await expect(page.locator('[data-robot="touch_2_messenger"] .robot-timing').textContent()).resolves.toBe('after 1 d, in working hours');
    await expect(page.locator('[data-stage="dialogue"] [data-trigger="client_replied"]').textContent()).resolves.toContain('inbound message');
    await expectNoSeriousAxeViolations(page);
    await expectOneLanguage(page, 'en');
    await screenshot(page, 'studio-map-1440-en');

    await page.evaluate(() => localStorage.setItem('robots.locale', 'ru'));
    await page.reload();
    await page.locator('.map-robot').first().waitFor();
    await expect(page.locator('[data-robot="touch_2_messenger"] .robot-timing').textContent()).resolves.toBe('через 1 дн., в рабочие часы');
    await expectOneLanguage(page, 'ru');
    await screenshot(page, 'studio-map-1440-ru');
  });

  it('works at 390 px and by keyboard: a robot opens with Enter, shows its lines and pending runs, and closes with Escape', async () => {
    await lead('Анна Смирнова', '8 916 123-45-67');
    await page.setViewportSize({ width: 390, height: 844 });
    await openStudio('olga');
    expect(await overflowsSideways(page)).toBe(false);
    await page.getByRole('button', { name: 'More about the robot: SMS на третий день' }).focus();
    await page.keyboard.press('Enter');
    const panel = page.locator('.robot-panel');
    await expect(panel.locator('[data-testid="pending"]').textContent()).resolves.toBe('1');
    await expect(panel.locator('pre').textContent()).resolves.toContain('template: touch_sms');
    await screenshot(page, 'studio-robot-panel-390');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  });

  it('a manager sees the map but no editor; first-line staff are refused', async () => {
    await openStudio('georgy');
    await page.locator('.map-robot').first().waitFor();
    expect(await page.getByRole('link', { name: 'Editor' }).count()).toBe(0);
    expect(await page.locator('header').getByRole('link', { name: 'Automation' }).count()).toBe(1);
    await world.harness.as('georgy').get('/api/config/source').expect(403);
    await openStudio('anna');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Automation is for sales ops, admins and managers');
    expect(await page.locator('header').getByRole('link', { name: 'Automation' }).count()).toBe(0);
    await world.harness.as('anna').get('/api/automation').expect(403);
  });

  it('a typo typed in the editor is shown at its line with a did-you-mean that fixes it', async () => {
    await openStudio('olga', '?view=editor');
    await toRobotLine('SMS на третий день', 3);
    await page.keyboard.type('x');
    const line = ORIGINAL.split('\n').findIndex((text) => text.includes('template: touch_sms')) + 1;
    const issue = page.locator(`.editor-issues li[data-line="${line}"]`);
    await issue.waitFor();
    await expect(issue.textContent()).resolves.toContain('did you mean "touch_sms"');
    await page.locator('.cm-lintRange-error').first().waitFor();
    await screenshot(page, 'studio-editor-typo');
    await issue.getByRole('button', { name: /Replace with/ }).click();
    await page.locator('.editor-status', { hasText: 'No errors' }).waitFor();
    await expect(page.getByRole('button', { name: 'No changes' }).isDisabled()).resolves.toBe(true);
  });

  it("a mistake typed in the Russian studio is explained in Russian (only the file's names in Latin, quoted), and in English in English", async () => {
    const words = {
      ru: { open: 'Подробнее о роботе', edit: 'Изменить в редакторе', said: 'нет шаблона «touch_smsx» (может быть, «touch_sms»?)' },
      en: { open: 'More about the robot', edit: 'Change in the editor', said: 'unknown template "touch_smsx" (did you mean "touch_sms"?)' },
    };
    for (const locale of ['ru', 'en'] as const) {
      await openStudio('olga');
      await page.evaluate((chosen) => localStorage.setItem('robots.locale', chosen), locale);
      await page.reload();
      await page.getByRole('button', { name: `${words[locale].open}: SMS на третий день`, exact: true }).click();
      await page.getByRole('button', { name: words[locale].edit }).click();
      await page.waitForFunction(() => document.activeElement?.classList.contains('cm-content'));
      for (let step = 0; step < 3; step++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('End');
      await page.keyboard.type('x');
      const message = page.locator('.editor-issues li .issue-message');
      await message.waitFor();
      const said = (await message.textContent()) ?? '';
      expect(said).toBe(words[locale].said);
      if (locale === 'ru') expect(said.replace(/«[^»]*»/g, '')).not.toMatch(/[A-Za-z]/);
      await expectOneLanguage(page, locale);
      await screenshot(page, `studio-editor-diagnostic-${locale}`);
    }
  });

  it('typing {{da inside a template’s text offers the date helper with its usage in Russian, and choosing it writes it', async () => {
    await openStudio('olga');
    await page.evaluate(() => localStorage.setItem('robots.locale', 'ru'));
    await openStudio('olga', '?view=editor');
    const line = ORIGINAL.split('\n').findIndex((text) => text.includes('text: "{{lead.name}}, напоминаем'));
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+Home');
    for (let step = 0; step < line; step++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    // Inside the closing quote: the text is still the template's.
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.type(' {{da');
    // The best match comes first, chosen already; its description and usage beside the list.
    await page.locator('.cm-tooltip-autocomplete li[aria-selected] .cm-completionLabel', { hasText: /^date$/ }).waitFor();
    const info = page.locator('.cm-completionInfo');
    await expect(info.textContent()).resolves.toContain('{{date <дата или время> ["шаблон"]}}');
    await expect(info.textContent()).resolves.toContain('Дата');
    await screenshot(page, 'studio-helper-complete');
    await page.keyboard.press('Enter');
    await expect(page.locator('.cm-content').textContent()).resolves.toContain('Ответьте на это сообщение. {{date "');
  });

  it('a template previewed with a real lead: the SMS as sent, its length and segments', async () => {
    const id = await lead('Вера Павлова', '8 (926) 700-11-22');
    await openStudio('olga', '?view=templates');
    await page.getByLabel('Template', { exact: true }).selectOption('touch_sms');
    await page.getByLabel('Item (lead:42 or deal:7)').fill(`lead:${id}`);
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(page.locator('.preview-text').textContent()).resolves.toBe('Вера Павлова, напоминаем о нашем предложении. Ответьте на это сообщение.');
    await expect(page.locator('.preview-sms').textContent()).resolves.toBe('72 characters, UCS-2, 2 segments');
    await expectOneLanguage(page, 'en');
    await screenshot(page, 'studio-template-preview');
  });

  it('a walk: find the day-3 SMS, change its delay, review the plan, apply, roll back to the file as it was, byte for byte', async () => {
    await openStudio('olga');
    await screenshot(page, 'walk-1-map');
    await page.getByRole('link', { name: 'Editor' }).click();
    await toRobotLine('SMS на третий день', 4);
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('5d');
    await page.locator('.editor-status', { hasText: 'No errors' }).waitFor();
    await screenshot(page, 'walk-2-edited');
    await page.getByRole('button', { name: 'Review changes' }).click();
    const review = page.locator('.review');
    await review.locator('.review-change', { hasText: 'touch_day3_sms' }).waitFor();
    const pending = await pendingRunsOf('touch_day3_sms');
    expect(pending).toBeGreaterThan(1);
    await expect(review.locator('.review-change').textContent()).resolves.toContain(`${pending} runs keep their old timing`);
    await expect(review.locator('.diff-add').textContent()).resolves.toContain('after: 5d');
    await expectOneLanguage(page, 'en');
    await screenshot(page, 'walk-3-review');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('.applied').waitFor();
    expect(fs.readFileSync(CONFIG, 'utf8')).toContain('          after: 5d\n');
    expect(world.harness.runtime.config.current.robots.get('touch_day3_sms')?.robot.after).toBe('5d');

    await page.getByRole('link', { name: 'History' }).click();
    const versions = (await world.harness.as('olga').get('/api/config/versions').expect(200)).body.versions as Array<{ id: number }>;
    await page.getByRole('button', { name: `Roll back to version ${versions[1]!.id}` }).click();
    await review.locator('.review-change', { hasText: 'touch_day3_sms' }).waitFor();
    await screenshot(page, 'walk-4-rollback-review');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('.applied', { hasText: `version ${versions[0]!.id + 1}.` }).waitFor();
    expect(fs.readFileSync(CONFIG).equals(Buffer.from(ORIGINAL))).toBe(true);
    await page.locator('.history tbody tr').first().waitFor();
    const newest = (await world.harness.as('olga').get('/api/config/versions').expect(200)).body.versions[0] as { createdAt: number };
    const clock = (zone: string) => new Intl.DateTimeFormat('en', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(newest.createdAt);
    expect(clock('Europe/Moscow')).not.toBe(clock('America/New_York'));
    await expect(page.locator('.history tbody tr time').first().textContent()).resolves.toContain(clock('Europe/Moscow'));
    await expect(page.locator('.history .hint').textContent()).resolves.toBe("Times are in the config's time zone: Moscow Standard Time.");
    await expectOneLanguage(page, 'en');
    await screenshot(page, 'walk-5-history');
  });

  it('the studio is live: a change on disk redraws an open map, and an editor with a draft is told which version it is based on, its edits kept', async () => {
    const editorPage = await world.browser.newPage();
    const runtime = world.harness.runtime;
    runtime.watch(50);
    try {
      const base = ((await world.harness.as('olga').get('/api/config/versions').expect(200)).body.versions as Array<{ id: number }>)[0]!.id;
      await openStudio('olga');
      const timing = page.locator('[data-robot="touch_2_messenger"] .robot-timing');
      await expect(timing.textContent()).resolves.toBe('after 1 d, in working hours');
      await editorPage.setViewportSize({ width: 390, height: 844 });
      await editorPage.goto(`${world.baseUrl}${BOARD}automation?view=editor`);
      await editorPage.locator('.cm-content').click();
      await editorPage.keyboard.press('Control+Home');
      await editorPage.keyboard.type('# my draft\n');
      await editorPage.locator('.editor-status', { hasText: 'No errors' }).waitFor();

      // Someone saves the file by hand: the watcher reloads it.
      fs.writeFileSync(CONFIG, ORIGINAL.replace('template: touch_messenger, after: 1d,', 'template: touch_messenger, after: 2d,'));
      await page.locator('[data-robot="touch_2_messenger"] .robot-timing', { hasText: 'after 2 d, in working hours' }).waitFor();
      const notice = editorPage.locator('.stale-notice');
      await notice.waitFor();
      await expect(notice.locator('p').textContent()).resolves.toBe(
        `The config changed on disk, it is now version ${base + 1}; your draft is based on version ${base}. Your edits stay in the editor; applying them will show the difference.`,
      );
      await expect(editorPage.locator('.cm-content').textContent()).resolves.toContain('# my draft');
      expect(await overflowsSideways(editorPage)).toBe(false);
      await expectOneLanguage(editorPage, 'en');
      await screenshot(page, 'studio-live-map');
      await screenshot(editorPage, 'studio-live-draft-notice-390');

      // Taking the new file is the reader's choice, by keyboard too.
      await notice.getByRole('button', { name: 'Open the new version (your edits are dropped)' }).focus();
      await editorPage.keyboard.press('Enter');
      await notice.waitFor({ state: 'detached' });
      await expect(editorPage.locator('.cm-content').textContent()).resolves.not.toContain('# my draft');

      fs.writeFileSync(CONFIG, ORIGINAL);
      await timing.filter({ hasText: 'after 1 d, in working hours' }).waitFor();
    } finally {
      runtime.unwatch();
      await editorPage.close();
    }
  });

  it('every studio page speaks one language, in Russian and in English, at 1440 and 390 px', async () => {
    const words = {
      ru: { tabs: ['Карта', 'Редактор', 'История', 'Шаблоны'], review: 'Проверить изменения' },
      en: { tabs: ['Map', 'Editor', 'History', 'Templates'], review: 'Review changes' },
    };
    for (const locale of ['ru', 'en'] as const) {
      for (const width of [1440, 390]) {
        await page.setViewportSize({ width, height: width > 500 ? 900 : 844 });
        await openStudio('olga');
        await page.evaluate((chosen) => localStorage.setItem('robots.locale', chosen), locale);
        await page.reload();
        await page.locator('.map-robot').first().waitFor();
        const [map, editor, history, templates] = words[locale].tabs;
        const look = async (name: string) => {
          await screenshot(page, `studio-${name}-${width}-${locale}`);
          expect({ name, overflows: await overflowsSideways(page), otherLanguage: await otherLanguageWords(page, locale) }).toEqual({ name, overflows: false, otherLanguage: [] });
        };
        expect(await page.getByRole('link', { name: map, exact: true }).count()).toBe(1);
        await look('map');
        await page.getByRole('link', { name: history, exact: true }).click();
        await page.locator('.history tbody tr').first().waitFor();
        await look('history');
        await page.getByRole('link', { name: templates, exact: true }).click();
        await page.locator('select').first().waitFor();
        await look('templates');
        await page.getByRole('link', { name: editor, exact: true }).click();
        await page.locator('.cm-content').click();
        await page.keyboard.press('Control+Home');
        await page.keyboard.type('# a note\n');
        await page.getByRole('button', { name: words[locale].review }).click();
        await page.locator('.review-headline').waitFor();
        await look('review');
      }
    }
  });

  it('applying a change that removes a robot says first how many pending runs it cancels, then cancels them', async () => {
    await lead('Борис Кузнецов', '+7 (903) 555-12-34');
    const pending = await pendingRunsOf('touch_day3_sms');
    expect(pending).toBeGreaterThanOrEqual(2);
    await openStudio('olga', '?view=editor');
    await toRobotLine('SMS на третий день', 0);
    await page.keyboard.press('Home');
    for (let step = 0; step < 6; step++) await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Backspace');
    await page.locator('.editor-status', { hasText: 'No errors' }).waitFor();
    await page.getByRole('button', { name: 'Review changes' }).click();
    await expect(page.locator('.review-headline').textContent()).resolves.toBe(`cancels ${pending} pending runs`);
    expect(await pendingRunsOf('touch_day3_sms')).toBe(pending);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('.applied').waitFor();
    expect(await pendingRunsOf('touch_day3_sms')).toBe(0);
    expect(fs.readFileSync(CONFIG, 'utf8')).not.toContain('touch_day3_sms');
  });

  it('two editors applying from the same file: the second is refused with a diff and nothing is overwritten', async () => {
    const other = await world.browser.newPage();
    try {
      await openStudio('olga', '?view=editor');
      await page.locator('.cm-content').waitFor();
      await other.goto(`${world.baseUrl}${BOARD}automation?view=editor`);
      await other.locator('.cm-content').waitFor();
      for (const [tab, text] of [
        [page, '# first editor\n'],
        [other, '# second editor\n'],
      ] as const) {
        await tab.locator('.cm-content').click();
        await tab.keyboard.press('Control+Home');
        await tab.keyboard.type(text);
        await tab.getByRole('button', { name: 'Review changes' }).click();
        await tab.locator('.review-headline').waitFor();
      }
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.locator('.applied').waitFor();
      await other.getByRole('button', { name: 'Apply' }).click();
      const conflict = other.locator('.conflict');
      await conflict.waitFor();
      await expect(conflict.locator('.diff-del').allTextContents()).resolves.toContain('-# first editor\n');
      await expect(conflict.locator('.diff-add').allTextContents()).resolves.toContain('+# second editor\n');
      await screenshot(other, 'studio-conflict');
      const disk = fs.readFileSync(CONFIG, 'utf8');
      expect(disk.startsWith('# first editor\n')).toBe(true);
      expect(disk).not.toContain('# second editor');
    } finally {
      await other.close();
    }
  });

  it('no request from the studio pages left 127.0.0.1', () => {
    expect(requests.length).toBeGreaterThan(20);
    expect(requests.filter((url) => !url.startsWith(world.baseUrl) && !url.startsWith('data:') && !url.startsWith('blob:'))).toEqual([]);
  });
});
