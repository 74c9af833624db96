/** YAML written line by line, so a test can say "line 11" and mean it. */
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

/** A sales team's file with ten everyday mistakes: refused values, unknown names, a broken text. */
export const TEN_MISTAKES = yaml(
  'timezone: Europe/Moscow', // 1
  'users:', // 2
  '  - login: anna', // 3
  '    name: Анна Петрова', // 4
  '    role: sales', // 5
  '    team: sales', // 6
  '    schedule:', // 7
  '      working_hours: { start: "09:00", end: "14.00" }', // 8   a dot, not a colon
  '  - login: boris', // 9
  '    name: Борис Смирнов', // 10
  '    role: salesman', // 11  no such role
  '    team: sales', // 12
  '  - login: olga', // 13
  '    name: Ольга Иванова', // 14
  '    role: manager', // 15
  '    away:', // 16
  '      - { from: 2026-05-10, to: 2026-05-01 }', // 17  reversed
  'teams:', // 18
  '  sales:', // 19
  '    members: [anna, boris]', // 20
  '    manager: olga', // 21
  'templates:', // 22
  '  welcome:', // 23
  '    channel: sms', // 24
  '    text: "Здравствуйте, {{item.name}}!"', // 25
  'leads:', // 26
  '  stages:', // 27
  '    - id: new', // 28
  '      robots:', // 29
  '        - id: greet', // 30
  '          type: send_message', // 31
  '          template: welcom', // 32  unknown template
  '        - id: alert', // 33
  '          type: notfy', // 34  robot type typo
  '          text: "Новый лид"', // 35
  '        - id: tell_boss', // 36
  '          type: notify', // 37
  '          to: [manger]', // 38  recipient keyword typo
  '          text: "Лид {{item.name}}"', // 39
  '        - id: avito_ping', // 40
  '          type: notify', // 41
  '          condition: { "==": [{ var: item.sorce }, "avito"] }', // 42  context path typo
  '          text: "Лид с Авито {{item.name}}"', // 43
  '        - id: broken_text', // 44
  '          type: notify', // 45
  '          text: "Лид {{#if item.phone}} без конца"', // 46  a block left open
  '        - id: reminder', // 47
  '          type: notify', // 48
  '          after: "3 days"', // 49  not a duration
  '          text: "Напоминание"', // 50
  '        - id: promote', // 51
  '          type: change_status', // 52
  '          to: qualifed', // 53  stage typo
  '    - id: qualified', // 54
  '    - id: lost', // 55
  '      semantic: lost', // 56
  '      reasons:', // 57
  '        - { id: no_budget, refused_by: client_refused }', // 58
);

export const TEN_ERRORS = [
  'robots.yaml:8:45 users[0].schedule.working_hours.end: time of day is HH:MM, 24-hour',
  'robots.yaml:11:11 users[1].role: unknown role "salesman" (did you mean "sales"?)',
  'robots.yaml:17:9 users[2].away[0]: an away range ends on or after its start (`from` ≤ `to`)',
  'robots.yaml:32:21 leads.stages[0].robots[0].template: unknown template "welcom" (did you mean "welcome"?)',
  'robots.yaml:34:17 leads.stages[0].robots[1].type: unknown robot type "notfy" (did you mean "notify"?)',
  'robots.yaml:38:16 leads.stages[0].robots[2].to[0]: unknown recipient "manger" (did you mean "manager"?)',
  'robots.yaml:42:38 leads.stages[0].robots[3].condition.==[0].var: unknown variable "item.sorce" (did you mean "item.source"?)',
  'robots.yaml:46:17 leads.stages[0].robots[4].text: text does not compile: Parse error on line 1: unexpected end of text (a block left open?)',
  'robots.yaml:49:18 leads.stages[0].robots[5].after: bad duration "3 days": write 30s, 10m, 2h, 3d, 1w or combine them (1d12h)',
  'robots.yaml:53:15 leads.stages[0].robots[6].to: unknown stage "qualifed" (did you mean "qualified"?)',
];
