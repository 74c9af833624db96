import type { Page } from 'playwright-core';
import type { Harness } from './harness';

/**
 * A Russian sales team as the item, task and notification pages are tested with: people with
 * Russian names, a stage that needs a phone and a product, a lost stage with its reasons, a robot
 * that checks for a repeat client (skipped for a new one: a reason code) and one that sets a call task.
 */
export const SALES_TEAM = `
locale: ru
timezone: Europe/Moscow
users:
  - { login: root, name: Администратор, role: admin }
  - { login: olya, name: Ольга Настройкина, role: ops }
  - { login: gena, name: Геннадий Продажин, role: sales, team: general }
  - { login: galya, name: Галина Сделкина, role: sales, team: general }
  - { login: gm, name: Мария Руководова, role: manager, team: general }
teams:
  general: { members: [gena, galya], manager: gm }
fields:
  product: { type: string, label: Продукт }
templates:
  repeat_alert:
    channel: telegram
    text: "Повторный клиент: {{item.name}}"
leads:
  team: general
  stages:
    - id: new
      name: Новый
      robots:
        - { id: repeat_check, type: notify_repeat_client, template: repeat_alert, title: Проверка повторного клиента }
    - id: in_work
      name: В работе
      robots:
        - { id: call_task, type: create_task, title: "Позвонить {{item.name}}", due_in: 2h }
    - id: qualified
      name: Квалифицирован
      required: [phone, product]
    - id: won
      name: Успешно
      semantic: won
    - id: junk
      name: Отказ
      semantic: lost
      reasons:
        - { id: no_budget, label: Нет бюджета, refused_by: client_refused }
        - { id: not_target, label: Не целевой, refused_by: we_refused }
deals:
  general:
    name: Продажи
    team: general
    stages:
      - { id: new, name: Новая }
      - { id: contract, name: Договор }
      - { id: won, name: Выиграна, semantic: won }
`;

/** A lead of `login`, with the robots of its first stage run. */
export async function leadOf(harness: Harness, login: string, body: Record<string, unknown>): Promise<number> {
  const id = (await harness.as(login).post('/api/leads', body).expect(201)).body.id as number;
  await harness.runDue();
  return id;
}

/** The browser's clock is the harness's: "today", "overdue" and relative dates agree with the server. */
export async function pinBrowserClock(page: Page, harness: Harness): Promise<void> {
  await page.clock.setFixedTime(new Date(harness.clock.now()));
}

/** Whether the page is wider than its viewport (a phone must not scroll sideways). */
export async function overflowsSideways(page: Page): Promise<boolean> {
  // A string: this file is type-checked without the DOM's types.
  return Boolean(await page.evaluate('document.documentElement.scrollWidth > window.innerWidth + 1'));
}
