import { validateConfig } from '../../config/validate';
import { formatConfigIssue } from '../../server/core/errors';
import { TEN_ERRORS, TEN_MISTAKES } from '../support/ten-mistakes';

/** YAML written line by line, so a test can say "line 11" and mean it. */
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('validateConfig', () => {
  it('reports all ten mistakes of a file in one run, each at its line and column', () => {
    const result = validateConfig(TEN_MISTAKES, {});
    expect(result.config).toBeUndefined();
    expect(result.errors.map(formatConfigIssue)).toEqual(TEN_ERRORS);
  });

  it('once the ten are fixed, the file loads with nothing left to report', () => {
    const fixed = TEN_MISTAKES.replace('"14.00"', '"14:00"')
      .replace('role: salesman', 'role: sales')
      .replace('from: 2026-05-10, to: 2026-05-01', 'from: 2026-05-01, to: 2026-05-10')
      .replace('template: welcom', 'template: welcome')
      .replace('type: notfy', 'type: notify')
      .replace('[manger]', '[manager]')
      .replace('item.sorce', 'item.source')
      .replace('{{#if item.phone}} без конца', '{{#if item.phone}} с телефоном{{/if}}')
      .replace('"3 days"', '3d')
      .replace('to: qualifed', 'to: qualified');
    expect(validateConfig(fixed, {}).errors.map(formatConfigIssue)).toEqual([]);
  });

  describe('when the schema refuses a value', () => {
    it('a user whose role is refused is still a user: a team naming them is not an error, an unknown member still is', () => {
      const result = validateConfig(yaml('users:', '  - { login: anna, name: Анна, role: boss }', 'teams:', '  sales: { members: [anna, ivan] }', 'leads:', '  stages:', '    - id: new'), {});
      expect(result.errors.map((issue) => `${issue.line} ${issue.path}`)).toEqual(['2 users[0].role', '4 teams.sales.members[1]']);
    });

    it('template files and inline texts are still checked', () => {
      const result = validateConfig(
        yaml(
          'timezone: Mars/Olympus', // 1
          'templates:', // 2
          '  offer: { file: offer.hbs }', // 3
          'leads:', // 4
          '  stages:', // 5
          '    - id: new', // 6
          '      robots:', // 7
          '        - { id: tell, type: notify, text: "Лид {{item.nmae}}" }', // 8
        ),
        { 'offer.hbs': 'Здравствуйте, {{contact.nmae}}!' },
      );
      expect(result.errors.map((issue) => `${issue.line} ${issue.path}: ${issue.message}`)).toEqual([
        '1 timezone: unknown time zone "Mars/Olympus"',
        '3 templates.offer.file: template file offer.hbs:1:17: unknown variable "contact.nmae" (did you mean "contact.name"?)',
        expect.stringMatching(/^8 leads\.stages\[0\]\.robots\[0\]\.text: unknown variable "item\.nmae" \(did you mean "item\.name"\?\)/),
      ]);
    });
  });

  it('is a pure function of the text and the template files: the browser gets the same answer as the CLI', () => {
    const text = yaml('templates:', '  hi: { file: hi.hbs }', 'leads:', '  stages:', '    - id: new');
    expect(validateConfig(text, { 'hi.hbs': 'Привет, {{item.name}}' }).errors).toEqual([]);
    expect(validateConfig(text, {}).errors.map(formatConfigIssue)).toEqual(['robots.yaml:2:15 templates.hi.file: template file not found: hi.hbs']);
  });
});

describe('moves into a lost stage carry a reason', () => {
  const withLost = (...lines: string[]) =>
    yaml(
      'hooks:', //
      '  crm: { secret_env: CRM_SECRET }',
      'leads:',
      '  stages:',
      '    - id: new',
      ...lines,
      '    - id: lost',
      '      semantic: lost',
      '      reasons: [{ id: no_budget, refused_by: client_refused }, { id: spam, refused_by: we_refused }]',
    );
  const messages = (text: string) => validateConfig(text, {}).errors.map((issue) => `${issue.line} ${issue.path}: ${issue.message}`);

  it('a trigger into a lost stage without `reason:` is refused at the trigger: it could never fire', () => {
    const text = withLost('      robots: []').replace(
      '      reasons: [{ id: no_budget, refused_by: client_refused }, { id: spam, refused_by: we_refused }]',
      '      reasons: [{ id: no_budget, refused_by: client_refused }, { id: spam, refused_by: we_refused }]\n      triggers:\n        - { id: crm_lost, type: webhook, hooks: [crm] }',
    );
    expect(messages(text)).toEqual(['11 leads.stages[1].triggers[0]: "lost" is a lost stage: a trigger into it needs `reason:` (one of no_budget, spam)']);
  });

  it('a trigger whose reason the stage does not have is refused at `reason:`, with the one meant', () => {
    const text = withLost().replace(
      '      reasons: [{ id: no_budget, refused_by: client_refused }, { id: spam, refused_by: we_refused }]',
      '      reasons: [{ id: no_budget, refused_by: client_refused }, { id: spam, refused_by: we_refused }]\n      triggers:\n        - { id: crm_lost, type: webhook, hooks: [crm], reason: no_budjet }',
    );
    expect(messages(text)).toEqual(['10 leads.stages[1].triggers[0].reason: stage "lost" has no reason "no_budjet" (did you mean "no_budget"?)']);
  });

  it('change_status into a lost stage needs a reason of that stage; into an open stage a reason is optional', () => {
    expect(messages(withLost('      robots:', '        - { id: give_up, type: change_status, to: lost, after: 30d }'))).toEqual([
      '7 leads.stages[0].robots[0].to: "lost" is a lost stage: the move needs `reason:` (one of no_budget, spam)',
    ]);
    expect(messages(withLost('      robots:', '        - { id: give_up, type: change_status, to: lost, reason: spam, after: 30d }'))).toEqual([]);
    expect(messages(withLost('      robots:', '        - { id: back, type: change_status, to: new, reason: no_reply, after: 30d }'))).toEqual([]);
  });
});
