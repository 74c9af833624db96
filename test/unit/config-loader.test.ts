import fs from 'node:fs';
import path from 'node:path';
import { loadConfigText } from '../../config/loader';
import { configJsonSchema } from '../../config/registered-schema';
import { ConfigError, formatConfigIssue, type ConfigIssue } from '../../server/core/errors';
import { first } from '../support/lists';

/** YAML written line by line, so a test can say "line 19" and mean it. */
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

function issuesOf(text: string): ConfigIssue[] {
  const result = loadConfigText(text, 'robots.yaml');
  if (result.ok) throw new Error('expected the config to be refused');
  return result.issues;
}

const MINIMAL = yaml(
  'leads:', //
  '  stages:',
  '    - id: new',
  '      robots:',
  '        - id: hello',
  '          type: notify',
  '          text: "New lead {{item.name}}"',
  '    - id: done',
  '      semantic: won',
);

describe('loadConfigText', () => {
  describe('with a valid config', () => {
    it('loads a minimal config and fills in the defaults', () => {
      const result = loadConfigText(MINIMAL, 'robots.yaml');
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      const { config } = result;
      expect(config.leads.stages.map((stage) => stage.id)).toEqual(['new', 'done']);
      expect(config.source.timezone).toBe('UTC');
      expect(config.source.default_region).toBe('RU');
      expect(config.source.engine).toEqual({ max_causal_depth: 8, max_attempts: 5, retry_backoff: '30s', late_policy: {}, take_owned_items: false });
      expect(config.source.calendar.working_hours).toEqual({ start: '09:00', end: '18:00' });
      expect(first(config.leads.stages).semantic).toBe('open');
      expect(config.robots.get('hello')).toMatchObject({ pipeline: 'leads', stage: 'new', position: 0 });
      expect(config.robots.get('hello')?.robot).toMatchObject({ type: 'notify', to: ['responsible'] });
    });

    it('loads the shipped robots.example.yaml with its template files', () => {
      const file = path.resolve(__dirname, '../../robots.example.yaml');
      const result = loadConfigText(fs.readFileSync(file, 'utf8'), file);
      expect(result.ok ? [] : result.issues.map(formatConfigIssue)).toEqual([]);
    });

    it('compiles templates so robots can render them', () => {
      const result = loadConfigText(yaml('templates:', '  hi:', '    text: "Hi {{item.name}}"', 'leads:', '  stages:', '    - id: new'), 'robots.yaml');
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      expect(result.config.templates.get('hi')?.text({ item: { name: 'Анна' } })).toBe('Hi Анна');
    });
  });

  describe('with a config full of mistakes', () => {
    // Line numbers are 1-based and written in the comments; columns point at the value (or the key for unknown keys).
    const BROKEN = yaml(
      'users:', // 1
      '  - login: anna', // 2
      '    name: Anna', // 3
      '    role: sales', // 4
      'teams:', // 5
      '  sales:', // 6
      '    members: [anna, bob]', // 7   bob is not a user
      'templates:', // 8
      '  hello:', // 9
      '    text: "Hi {{item.name}}"', // 10
      'leads:', // 11
      '  stages:', // 12
      '    - id: new', // 13
      '      robots:', // 14
      '        - id: greet', // 15
      '          type: send_message', // 16
      '          template: helo', // 17  unknown template
      '          after: 5x', // 18  bad duration
      '        - id: greet', // 19  duplicate robot id
      '          type: notify', // 20
      '          titel: typo', // 21  unknown key
      '          text: hi', // 22
      '    - id: qualified', // 23
      '      robots:', // 24
      '        - id: promote', // 25
      '          type: change_status', // 26
      '          to: convertd', // 27  unknown stage
      '        - id: check', // 28
      '          type: notify', // 29
      '          text: x', // 30
      '          condition: { "~=": [1, 2] }', // 31  unknown operator
      '        - id: wait', // 32
      '          type: notify', // 33
      '          text: x', // 34
      '          after_robot: ghost', // 35  not in this stage
      '          condition: { "==": [{ var: secret.thing }, 1] }', // 36  unknown var root
      '        - id: weird', // 37
      '          type: teleport', // 38  unknown robot type
      '    - id: converted', // 39
      '      semantic: won', // 40
      '    - id: junk', // 41
      '      semantic: lost', // 42  no reasons
      '    - id: new', // 43  duplicate stage id
    );

    let issues: ConfigIssue[];
    beforeAll(() => {
      issues = issuesOf(BROKEN);
    });

    it('reports every problem at once, in file order', () => {
      expect(issues.map((issue) => `${issue.line} ${issue.path}`)).toEqual([
        '7 teams.sales.members[1]',
        '17 leads.stages[0].robots[0].template',
        '18 leads.stages[0].robots[0].after',
        '19 leads.stages[0].robots[1].id',
        '21 leads.stages[0].robots[1].titel',
        '27 leads.stages[1].robots[0].to',
        '31 leads.stages[1].robots[1].condition.~=',
        '35 leads.stages[1].robots[2].after_robot',
        '36 leads.stages[1].robots[2].condition.==[0].var',
        '38 leads.stages[1].robots[3].type',
        '42 leads.stages[3].semantic',
        '43 leads.stages[4].id',
      ]);
    });

    it.each<[string, Omit<Partial<ConfigIssue>, 'message'> & { message: string | RegExp }]>([
      ['an unknown team member', { line: 7, col: 21, path: 'teams.sales.members[1]', message: 'unknown user "bob" (known: anna)' }],
      ['an unknown template, with a suggestion', { line: 17, col: 21, path: 'leads.stages[0].robots[0].template', message: 'unknown template "helo" (did you mean "hello"?)' }],
      ['a bad duration in `after:`', { line: 18, col: 18, path: 'leads.stages[0].robots[0].after', message: /^bad duration "5x": write 30s, 10m/ }],
      ['a duplicate robot id', { line: 19, col: 15, path: 'leads.stages[0].robots[1].id', message: 'duplicate robot id "greet" (robot ids are unique in the whole file)' }],
      ['a typo in a key, pointing at the key', { line: 21, col: 11, path: 'leads.stages[0].robots[1].titel', message: 'unknown key "titel"' }],
      ['an unknown stage in change_status `to:`', { line: 27, col: 15, path: 'leads.stages[1].robots[0].to', message: 'unknown stage "convertd" (did you mean "converted"?)' }],
      ['a bad json-logic operator', { line: 31, col: 30, path: 'leads.stages[1].robots[1].condition.~=', message: 'unknown json-logic operator "~="' }],
      ['after_robot naming a robot not in the stage', { line: 35, col: 24, path: 'leads.stages[1].robots[2].after_robot', message: 'unknown robot "ghost" (known: promote, check, wait, weird) in this stage' }],
      ['an unknown variable root in a var', { line: 36, col: 38, path: 'leads.stages[1].robots[2].condition.==[0].var', message: /^unknown variable "secret.thing": conditions read item, / }],
      ['an unknown robot type', { line: 38, col: 17, path: 'leads.stages[1].robots[3].type', message: /^unknown robot type "teleport" \(known: create_on_basis, change_status, .*, branch, split\)$/ }],
      ['a lost stage without reasons', { line: 42, col: 17, path: 'leads.stages[3].semantic', message: 'a lost stage needs `reasons` (each with `refused_by`)' }],
      ['a duplicate stage id', { line: 43, col: 11, path: 'leads.stages[4].id', message: 'duplicate stage id "new"' }],
    ])('reports %s with its line, column and path', (_, expected) => {
      const { message, ...place } = expected;
      const issue = issues.find((candidate) => candidate.path === place.path);
      expect(issue).toMatchObject({ file: 'robots.yaml', ...place });
      if (typeof message === 'string') expect(issue?.message).toBe(message);
      else expect(issue?.message).toMatch(message);
    });

    it('formats an issue as file:line:col path: message', () => {
      const typo = issues.find((issue) => issue.path.endsWith('titel')) as ConfigIssue;
      expect(formatConfigIssue(typo)).toBe('robots.yaml:21:11 leads.stages[0].robots[1].titel: unknown key "titel"');
      expect(new ConfigError(issues).message.split('\n')).toHaveLength(issues.length);
    });
  });

  it('still checks references when a robot of a known type misses a required key', () => {
    const issues = issuesOf(
      yaml(
        'leads:', // 1
        '  stages:', // 2
        '    - id: new', // 3
        '      robots:', // 4
        '        - id: promote', // 5
        '          type: change_status', // 6  no `to:`
        '        - id: tell', // 7
        '          type: notify', // 8
        '          template: nope', // 9  unknown template
      ),
    );
    expect(issues.map((issue) => `${issue.line} ${issue.path}: ${issue.message}`)).toEqual(['5 leads.stages[0].robots[0].to: missing required key "to"', '9 leads.stages[0].robots[1].template: unknown template "nope"']);
  });

  it.each([
    ['an unknown team manager', yaml('teams:', '  sales:', '    manager: ghost', 'leads:', '  stages:', '    - id: new'), 'teams.sales.manager', 3, 'unknown user "ghost"'],
    ['a required field nobody defined', yaml('leads:', '  stages:', '    - id: new', '      required: [prodct]'), 'leads.stages[0].required[0]', 4, 'unknown field "prodct"'],
    ['reasons on an open stage', yaml('leads:', '  stages:', '    - id: new', '      reasons: []'), 'leads.stages[0].reasons', 4, 'only lost stages take `reasons`'],
    ['an unknown time zone', yaml('timezone: Mars/Olympus', 'leads:', '  stages:', '    - id: new'), 'timezone', 1, 'unknown time zone "Mars/Olympus"'],
    ['a stage id that is not lower_snake_case', yaml('leads:', '  stages:', '    - id: New-Stage'), 'leads.stages[0].id', 3, 'ids are lower_snake_case'],
    ['a pipeline without stages', yaml('leads:', '  stages: []'), 'leads.stages', 2, 'a pipeline needs at least one stage'],
    ['a config without leads', yaml('users: []'), 'leads', 1, 'missing required key "leads"'],
    ['a broken handlebars template', yaml('templates:', '  bad:', '    text: "Hi {{#if x}}"', 'leads:', '  stages:', '    - id: new'), 'templates.bad.text', 3, 'template does not compile'],
    [
      'a scoring rule on an event type that does not exist',
      yaml('scoring:', '  rules:', '    - event: emial_opened', '      points: 5', 'leads:', '  stages:', '    - id: new'),
      'scoring.rules[0].event',
      3,
      'unknown event type "emial_opened" (did you mean "email_opened"?)',
    ],
    [
      'a user phone that is no phone number',
      yaml('users:', '  - login: anna', '    name: Anna', '    role: sales', '    phone: "call me"', 'leads:', '  stages:', '    - id: new'),
      'users[0].phone',
      5,
      '"call me" is not a phone number (default region RU)',
    ],
    [
      'an assign robot given both a person and a team',
      yaml(
        'users:',
        '  - { login: irina, name: Ирина Соколова, role: sales, team: clinic }',
        'teams:',
        '  clinic: { members: [irina] }',
        'leads:',
        '  stages:',
        '    - id: new',
        '      robots:',
        '        - { id: to_irina, type: assign, user: irina, team: clinic }',
      ),
      'leads.stages[0].robots[0].team',
      9,
      'give `user` (this person) or `team` (a pick from it), not both',
    ],
    ['a template file that does not exist', yaml('templates:', '  gone:', '    file: nowhere.hbs', 'leads:', '  stages:', '    - id: new'), 'templates.gone.file', 3, 'template file not found: nowhere.hbs'],
  ])('reports %s', (_, text, issuePath, line, message) => {
    const issue = issuesOf(text).find((candidate) => candidate.path === issuePath);
    expect(issue).toBeDefined();
    expect(issue?.line).toBe(line);
    expect(issue?.message).toContain(message);
  });

  it('reports a YAML syntax error with its position and nothing else', () => {
    const issues = issuesOf(yaml('leads:', '  stages:', '    - id: new', '      name: "unterminated', '    - id: next'));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((issue) => issue.path === '(yaml)')).toBe(true);
    expect(first(issues).line).toBeGreaterThanOrEqual(4);
  });

  it('reports a key written twice in one mapping at the second one', () => {
    const issues = issuesOf(yaml('leads:', '  stages:', '    - id: new', '      id: other'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: '(yaml)', line: 4, col: 7 });
    expect(first(issues).message).toMatch(/unique/i);
  });
});

describe('users as the config writes them', () => {
  it.each([['+7 900 000-01-01'], ['8 900 000 01 01'], ['+79000000101'], ['(900) 000-01-01']])('a phone written as %s is dialled as +79000000101', (phone) => {
    const result = loadConfigText(yaml('users:', '  - { login: anna, name: Anna, role: sales, phone: "' + phone + '" }', 'leads:', '  stages:', '    - id: new'), 'robots.yaml');
    if (!result.ok) throw new Error(result.issues.map(formatConfigIssue).join('\n'));
    expect(result.config.users.get('anna')?.phone).toBe('+79000000101');
  });
});

describe('configJsonSchema', () => {
  const schema = configJsonSchema() as { type?: string; properties?: Record<string, unknown>; required?: string[] };

  it('is a JSON Schema object describing the top-level sections', () => {
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(['leads', 'deals', 'users', 'teams', 'templates', 'calendar', 'engine']));
    expect(schema.required).toEqual(['leads']);
  });

  it.each(['create_on_basis', 'change_status', 'notify_repeat_client', 'send_message', 'webhook'])('offers the robot type %s to editors', (type) => {
    expect(JSON.stringify(schema)).toContain(`"${type}"`);
  });

  it('matches the committed config/robots.schema.json editors use (rerun `npm run schema` after changing schema or robot params)', () => {
    const committed = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../config/robots.schema.json'), 'utf8')) as Record<string, unknown>;
    const { title: _title, description: _description, ...committedSchema } = committed;
    expect(committedSchema).toEqual(schema);
  });
});
