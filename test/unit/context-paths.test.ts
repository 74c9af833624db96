import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfigFile, loadConfigText } from '../../config/loader';
import type { CompiledConfig } from '../../server/core/compiled-config';
import { buildContext } from '../../server/core/context';
import { contextSchema, EventContext } from '../../server/core/context-schema';
import { formatConfigIssue } from '../../server/core/errors';
import { asItem } from '../../server/core/items';
import type { DealRow, LeadRow } from '../../server/core/rows';

/** YAML written line by line, so a test can name the line it means. */
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

const HEAD = ['users: [{ login: anna, name: Anna, role: sales }]', 'fields:', '  budget: { type: number }', '  interest: { type: enum, values: [goods, services] }'];

/** `line:col path: message` of every problem, or [] when the config loads. */
function problemsOf(text: string): string[] {
  const result = loadConfigText(text, 'robots.yaml');
  return result.ok ? [] : result.issues.map((issue) => `${issue.line}:${issue.col} ${issue.path}: ${issue.message}`);
}

/** 1-based line and column of `token` on the first line containing `needle`. */
function at(text: string, needle: string, token: string = needle): string {
  const lines = text.split('\n');
  const line = lines.findIndex((candidate) => candidate.includes(needle));
  const found = lines[line];
  if (found === undefined || !found.includes(token)) throw new Error(`no "${token}" on a line with "${needle}"`);
  return `${line + 1}:${found.indexOf(token) + 1}`;
}

/** A config with one lead pipeline and one deal pipeline, each with the given stage lines. */
function config(options: { head?: string[]; leadStage?: string[]; dealStage?: string[]; tail?: string[] }): string {
  return yaml(
    ...HEAD,
    ...(options.head ?? []),
    'leads:',
    '  stages:',
    '    - id: new',
    ...(options.leadStage ?? []).map((line) => `      ${line}`),
    'deals:',
    '  sales:',
    '    stages:',
    '      - id: new',
    ...(options.dealStage ?? []).map((line) => `        ${line}`),
    ...(options.tail ?? []),
  );
}

describe('robots validate checks every path a condition reads', () => {
  it('a typo in a robot condition is refused at its place, with the name meant', () => {
    const text = config({ leadStage: ['robots:', '  - { id: sla, type: notify, text: late, condition: { "!": [{ var: item.responsibel }] } }'] });
    expect(problemsOf(text)).toEqual([`${at(text, 'item.responsibel')} leads.stages[0].robots[0].condition.![0].var: unknown variable "item.responsibel" (did you mean "item.responsible"?)`]);
  });

  it('a typo in a trigger condition is refused', () => {
    const text = config({ leadStage: ['triggers:', '  - { id: pricing, type: link_clicked, condition: { "==": [{ var: item.sorce }, site] } }'] });
    expect(problemsOf(text)).toEqual([`${at(text, 'item.sorce')} leads.stages[0].triggers[0].condition.==[0].var: unknown variable "item.sorce" (did you mean "item.source"?)`]);
  });

  it('a typo in a scoring rule condition is refused', () => {
    const text = config({ tail: ['scoring:', '  rules:', '    - { event: page_visit, points: 5, condition: { ">": [{ var: scroe }, 10] } }'] });
    expect(problemsOf(text)).toEqual([`${at(text, 'scroe')} scoring.rules[0].condition.>[0].var: unknown variable "scroe" (did you mean "score"?)`]);
  });

  it('the array form of var, with a default, is checked too', () => {
    const text = config({ leadStage: ['robots:', '  - { id: sla, type: notify, text: late, condition: { var: [item.responsibel, null] } }'] });
    expect(problemsOf(text)).toEqual([`${at(text, '[item.responsibel', '[')} leads.stages[0].robots[0].condition.var: unknown variable "item.responsibel" (did you mean "item.responsible"?)`]);
  });

  it("a custom field must be one of the config's fields, under fields. and item.fields.", () => {
    const text = config({
      leadStage: [
        'robots:',
        '  - { id: big, type: notify, text: big, condition: { ">": [{ var: fields.budgte }, 100] } }',
        '  - { id: goods, type: notify, text: goods, condition: { "==": [{ var: item.fields.intrest }, goods] } }',
        '  - { id: nothing_close, type: notify, text: x, condition: { var: fields.colour } }',
      ],
    });
    expect(problemsOf(text)).toEqual([
      `${at(text, 'fields.budgte')} leads.stages[0].robots[0].condition.>[0].var: unknown variable "fields.budgte" (did you mean "fields.budget"?)`,
      `${at(text, 'item.fields.intrest')} leads.stages[0].robots[1].condition.==[0].var: unknown variable "item.fields.intrest" (did you mean "item.fields.interest"?)`,
      `${at(text, 'fields.colour')} leads.stages[0].robots[2].condition.var: unknown variable "fields.colour": fields has budget, interest`,
    ]);
  });

  it('numeric segments index lists, and a value has no keys below it', () => {
    const text = config({
      leadStage: ['robots:', '  - { id: tagged, type: notify, text: x, condition: { "==": [{ var: item.tags.0 }, vip] } }', '  - { id: deep, type: notify, text: x, condition: { var: score.total } }'],
    });
    expect(problemsOf(text)).toEqual([`${at(text, 'score.total')} leads.stages[0].robots[1].condition.var: unknown variable "score.total": score has no keys`]);
  });

  it('names under missing are checked; vars inside some/all read the element and are not', () => {
    const text = config({
      leadStage: [
        'robots:',
        '  - { id: vip, type: notify, text: x, condition: { some: [{ var: item.tags }, { "==": [{ var: "" }, vip] }] } }',
        '  - { id: named, type: notify, text: x, condition: { all: [{ var: item.tags }, { "!!": [{ var: anything }] }] } }',
        '  - { id: reachable, type: notify, text: x, condition: { missing: [item.phone, item.emial] } }',
      ],
    });
    expect(problemsOf(text)).toEqual([`${at(text, 'item.emial')} leads.stages[0].robots[2].condition.missing[1]: unknown variable "item.emial" (did you mean "item.email"?)`]);
  });

  it('any key below event. is allowed, but event itself is checked', () => {
    const text = config({
      leadStage: [
        'triggers:',
        '  - { id: form, type: form_submitted, condition: { "==": [{ var: event.utm_campaign }, spring] } }',
        '  - { id: reply, type: message_inbound, condition: { "==": [{ var: evnt.channel }, email] } }',
      ],
    });
    expect(problemsOf(text)).toEqual([`${at(text, 'evnt.channel')} leads.stages[0].triggers[1].condition.==[0].var: unknown variable "evnt.channel" (did you mean "event.channel"?)`]);
  });

  describe('lead-only and deal-only paths', () => {
    it("a deal robot cannot read lead. or the lead's own columns", () => {
      const text = config({
        dealStage: [
          'robots:',
          '  - { id: a, type: notify, text: x, condition: { var: lead.score } }',
          '  - { id: b, type: notify, text: x, condition: { var: item.deal_id } }',
          '  - { id: c, type: notify, text: x, condition: { ">": [{ var: deal.amount }, { var: item.lead_id }] } }',
        ],
      });
      expect(problemsOf(text)).toEqual([
        `${at(text, 'lead.score')} deals.sales.stages[0].robots[0].condition.var: unknown variable "lead.score" (did you mean "deal.score"?)`,
        `${at(text, 'item.deal_id')} deals.sales.stages[0].robots[1].condition.var: unknown variable "item.deal_id" (did you mean "item.lead_id"?)`,
      ]);
    });

    it('a lead robot cannot read deal. or amount', () => {
      const text = config({
        leadStage: [
          'robots:',
          '  - { id: a, type: notify, text: x, condition: { var: deal.id } }',
          '  - { id: b, type: notify, text: x, condition: { var: item.amount } }',
          '  - { id: c, type: notify, text: x, condition: { and: [{ var: lead.repeat_client }, { var: item.deal_id }] } }',
        ],
      });
      expect(problemsOf(text)).toEqual([
        `${at(text, 'deal.id')} leads.stages[0].robots[0].condition.var: unknown variable "deal.id" (did you mean "lead.id"?)`,
        expect.stringMatching(new RegExp(`^${at(text, 'item.amount')} leads.stages\\[0\\].robots\\[1\\].condition.var: unknown variable "item.amount": item has id, kind, `)),
      ]);
    });

    it('a scoring rule scores leads and deals, so a path of either passes', () => {
      const text = config({ tail: ['scoring:', '  rules:', '    - { event: call, points: 5, condition: { or: [{ var: lead.repeat_client }, { ">": [{ var: deal.amount }, 0] }] } }'] });
      expect(problemsOf(text)).toEqual([]);
    });
  });
});

describe('robots validate checks every path a template reads', () => {
  /** 1-based column of `token` in a one-line text. */
  const column = (source: string, token: string) => source.indexOf(token) + 1;

  /** A lead robot `notify` with this inline text; the problems come back as `path: message`. */
  function textProblems(source: string): string[] {
    const text = config({ leadStage: ['robots:', `  - { id: a, type: notify, text: "${source}" }`] });
    return problemsOf(text).map((problem) => {
      expect(problem.startsWith(`${at(text, `"${source}"`)} leads.stages[0].robots[0].text: `)).toBe(true);
      return problem.replace(/^\S+ \S+ /, '');
    });
  }

  it("a robot's inline text and subject name the column inside the text", () => {
    const line = '  - { id: hi, type: notify, to: [anna], text: "New lead {{lead.nmae}}", subject: "{{recipient.nmae}}" }';
    const text = config({ leadStage: ['robots:', line] });
    expect(problemsOf(text)).toEqual([
      `${at(text, '"New lead')} leads.stages[0].robots[0].text: unknown variable "lead.nmae" (did you mean "lead.name"?), at column 12 of the text`,
      `${at(text, '"{{recipient')} leads.stages[0].robots[0].subject: unknown variable "recipient.nmae" (did you mean "recipient.name"?), at column 3 of the subject`,
    ]);
  });

  it('a multi-line inline template names the line and column inside the text', () => {
    const text = config({
      head: ['templates:', '  offer:', '    subject: "Offer"', '    text: |', '      Hello {{lead.name}},', '      your budget: {{fields.budgte}}'],
      leadStage: ['robots:', '  - { id: offer, type: send_message, template: offer }'],
    });
    expect(problemsOf(text)).toEqual([`${at(text, 'text: |', '|')} templates.offer.text: unknown variable "fields.budgte" (did you mean "fields.budget"?), at line 2, column 16 of the text`]);
  });

  describe('in a template file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-context-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('points at the line and column inside the file', () => {
      const thirdLine = '{{#if responsible}}Your manager: {{responsible.nmae}}{{/if}}';
      fs.mkdirSync(path.join(dir, 'templates'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'templates', 'welcome.hbs'), `Hello {{lead.name}}!\n\n${thirdLine}\n`);
      const text = config({ head: ['templates:', '  welcome: { file: templates/welcome.hbs }'], leadStage: ['robots:', '  - { id: welcome, type: send_message, template: welcome }'] });
      const file = path.join(dir, 'robots.yaml');
      fs.writeFileSync(file, text);
      const result = loadConfigFile(file);
      expect(result.ok ? [] : result.issues.map((issue) => `${issue.line}:${issue.col} ${issue.path}: ${issue.message}`)).toEqual([
        `${at(text, 'templates/welcome.hbs')} templates.welcome.file: template file templates/welcome.hbs:3:${column(thirdLine, 'responsible.nmae')}: unknown variable "responsible.nmae" (did you mean "responsible.name"?)`,
      ]);
    });
  });

  it('inside #if and #unless, paths are read from the context as outside', () => {
    const source = '{{#if contact}}{{contact.nmae}}{{else}}{{lead.nmae}}{{/if}}{{#unless score}}{{scroe}}{{/unless}}';
    expect(textProblems(source)).toEqual([
      `unknown variable "contact.nmae" (did you mean "contact.name"?), at column ${column(source, 'contact.nmae')} of the text`,
      `unknown variable "lead.nmae" (did you mean "lead.name"?), at column ${column(source, 'lead.nmae')} of the text`,
      `unknown variable "scroe" (did you mean "score"?), at column ${column(source, 'scroe')} of the text`,
    ]);
  });

  it("inside #each, paths are the element's: this, @index, @key and block params pass, the {{else}} is outside", () => {
    expect(textProblems('{{#each item.tags}}{{@index}}: {{this}} {{@first}} {{../lead.name}}{{/each}}{{#each event.items}}{{name}} {{@key}}{{/each}}')).toEqual([]);
    const source = '{{#each item.tags as |tag i|}}{{tag}} {{i}}{{else}}{{lead.nmae}}{{/each}}';
    expect(textProblems(source)).toEqual([`unknown variable "lead.nmae" (did you mean "lead.name"?), at column ${column(source, 'lead.nmae')} of the text`]);
  });

  it('#with makes paths relative, ../ climbs back out', () => {
    const source = '{{#with contact}}{{name}} {{phone}} {{nmae}} {{../lead.name}}{{/with}}';
    expect(textProblems(source)).toEqual([`unknown variable "nmae" inside {{#with contact}} (did you mean "name"?), at column ${column(source, 'nmae')} of the text`]);
  });

  it('parameters of helpers and sub-expressions are checked, and so is the helper', () => {
    const source = "{{lookup item.fieldz 'budget'}} {{#each (lookup lead 'tags')}}x{{/each}} {{formatDate lead.created_at}} {{#if (lookup lead.nmae 'x')}}y{{/if}}";
    expect(textProblems(source)).toEqual([
      `unknown variable "item.fieldz" (did you mean "item.fields"?), at column ${column(source, 'item.fieldz')} of the text`,
      `unknown helper "formatDate" (helpers: each, if, unless, log, lookup, with, date, time, relative, money, phone, list, user, plural, default), at column ${column(source, 'formatDate')} of the text`,
      `unknown variable "lead.nmae" (did you mean "lead.name"?), at column ${column(source, 'lead.nmae')} of the text`,
    ]);
  });

  describe('formatting helpers', () => {
    it('a misspelt helper is refused where it is written, with the name meant', () => {
      const source = 'Приём {{dat lead.created_at}}';
      expect(textProblems(source)).toEqual([`unknown helper "dat" (did you mean "date"?), at column ${column(source, 'dat ')} of the text`]);
    });

    it('a date pattern that is not text in quotes is refused', () => {
      const source = '{{date lead.created_at 5}} {{time lead.created_at true}}';
      expect(textProblems(source)).toEqual([
        `the pattern of {{date}} is text in quotes, not 5 (e.g. "d MMMM в HH:mm"), at column ${column(source, '5')} of the text`,
        `the pattern of {{time}} is text in quotes, not true (e.g. "d MMMM в HH:mm"), at column ${column(source, 'true')} of the text`,
      ]);
    });

    it('too few or too many arguments, and options they do not take, are refused', () => {
      const source = `{{plural score}} {{phone lead.phone lead.email}} {{money fields.budget curency='USD'}}`;
      expect(textProblems(source)).toEqual([
        `{{plural}} needs a number, word form…, at column ${column(source, 'plural')} of the text`,
        `{{phone}} takes 1 argument (a phone number), at column ${column(source, 'lead.email')} of the text`,
        `{{money}} has no option "curency" (did you mean "currency"?), at column ${column(source, 'curency')} of the text`,
      ]);
    });

    it('the paths they format are checked like any other', () => {
      const source = `{{date lead.created_att 'd MMMM'}} {{default (money fields.budget) '—'}}`;
      expect(textProblems(source)).toEqual([`unknown variable "lead.created_att" (did you mean "lead.created_at"?), at column ${column(source, 'lead.created_att')} of the text`]);
    });

    it('written well, they pass; alone, their name is a path of the context as before', () => {
      const source = `{{date lead.created_at 'd MMMM в HH:mm'}} {{time lead.created_at}} {{relative lead.created_at}} {{money fields.budget currency='USD'}} {{phone lead.phone}} {{list lead.tags separator='; '}} {{user lead.responsible}} {{plural score 'балл' 'балла' 'баллов'}} {{#with contact}}{{phone}}{{/with}}`;
      expect(textProblems(source)).toEqual([]);
      expect(textProblems('{{phone}}')).toEqual([expect.stringMatching(/^unknown variable "phone"/)]);
    });
  });

  it('@root. paths are read from the root, wherever they are', () => {
    const source = '{{#with contact}}{{@root.lead.name}} {{@root.lead.nmae}}{{/with}}';
    expect(textProblems(source)).toEqual([`unknown variable "@root.lead.nmae" (did you mean "@root.lead.name"?), at column ${column(source, '@root.lead.nmae')} of the text`]);
  });

  it('@index outside #each and partials are refused', () => {
    const source = '{{@index}} {{> footer}}';
    expect(textProblems(source)).toEqual(['"@index" is only set inside {{#each}}, at column 3 of the text', `unknown partial "footer": templates have no partials, at column ${column(source, 'footer')} of the text`]);
  });

  it('recipient is there for messages, not for task titles', () => {
    const title = 'Call {{recipient.name}} {{lead.nmae}}';
    const text = config({ leadStage: ['robots:', '  - { id: a, type: notify, to: [anna], text: "{{recipient.name}}" }', `  - { id: b, type: create_task, title: "${title}" }`] });
    expect(problemsOf(text).map((problem) => problem.replace(/^\S+ /, ''))).toEqual([
      expect.stringMatching(/^leads\.stages\[0\]\.robots\[1\]\.title: unknown variable "recipient\.name": templates read item, lead, fields, .*, at column 8 of the title$/),
      `leads.stages[0].robots[1].title: unknown variable "lead.nmae" (did you mean "lead.name"?), at column ${column(title, 'lead.nmae')} of the title`,
    ]);
  });

  it('an inline text that does not parse is refused at load, not at the first send', () => {
    expect(textProblems('Hi {{#if lead.name}}')).toEqual(['text does not compile: Parse error on line 1: unexpected end of text (a block left open?)']);
  });

  describe('a template is checked for the kind of item its robots run on', () => {
    const template = (source: string) => ['templates:', `  note: { text: "${source}" }`];

    it('used on deals only, lead. is refused', () => {
      const source = '{{deal.amount}} {{lead.name}}';
      const text = config({ head: template(source), dealStage: ['robots:', '  - { id: a, type: notify, template: note }'] });
      expect(problemsOf(text)).toEqual([`${at(text, 'note:', '"')} templates.note.text: unknown variable "lead.name" (did you mean "deal.name"?), at column ${column(source, 'lead.name')} of the text`]);
    });

    it('used from both pipelines, a path one kind lacks is reported once, saying which', () => {
      const source = '{{item.name}} {{lead.name}}';
      const text = config({
        head: template(source),
        leadStage: ['robots:', '  - { id: a, type: notify, template: note }'],
        dealStage: ['robots:', '  - { id: b, type: notify, template: note }', '  - { id: c, type: send_message, template: note }'],
      });
      expect(problemsOf(text)).toEqual([`${at(text, 'note:', '"')} templates.note.text: unknown variable "lead.name" on a deal (did you mean "deal.name"?), at column ${column(source, 'lead.name')} of the text`]);
    });

    it('used by no robot, a path of either kind passes and a typo does not', () => {
      const source = '{{lead.name}} {{deal.amount}} {{item.amont}}';
      const text = config({ head: template(source) });
      expect(problemsOf(text)).toEqual([`${at(text, 'note:', '"')} templates.note.text: unknown variable "item.amont" (did you mean "item.amount"?), at column ${column(source, 'item.amont')} of the text`]);
    });
  });
});

describe('every documented path passes', () => {
  const common = [
    ...[
      'id',
      'kind',
      'pipeline',
      'stage',
      'title',
      'name',
      'phone',
      'email',
      'company_name',
      'source',
      'responsible',
      'fields',
      'fields.budget',
      'contact_id',
      'company_id',
      'lost_reason',
      'refused_by',
      'score',
      'tags',
      'tags.length',
      'entered_stage_at',
      'created_at',
      'updated_at',
    ].map((key) => `item.${key}`),
    'fields.budget',
    'fields.interest',
    'contact',
    'contact.id',
    'contact.name',
    'contact.phone',
    'contact.email',
    'company.id',
    'company.name',
    'responsible.login',
    'responsible.name',
    'responsible.phone',
    'responsible.email',
    'responsible.team',
    'stage.id',
    'stage.name',
    'stage.entered_at',
    'stage.minutes_in_stage',
    'minutes_in_stage',
    'touches_sent',
    'replies_received',
    'repeat_client',
    'score',
    'source',
    'now.iso',
    'now.hour',
    'now.minute',
    'now.weekday',
    'now.date',
    'links.item',
    'event',
    'event.type',
    'event.page',
    'event.form',
    'event.channel',
  ];
  const lead = [...common, 'lead.name', 'lead.repeat_client', 'lead.deal_id', 'item.repeat_client', 'item.deal_id'];
  const deal = [...common, 'deal.name', 'deal.lead_id', 'deal.amount', 'item.lead_id', 'item.amount'];
  /** A robot reading each path in its condition, and one rendering them all in a text. */
  const robotsReading = (paths: string[]) => [
    'robots:',
    ...paths.map((variable, index) => `  - { id: reads_${index}, type: notify, text: x, condition: { "!!": [{ var: ${variable} }] } }`),
    `  - { id: renders_all, type: notify, text: "${[...paths, 'recipient.name', 'recipient.login'].map((variable) => `{{${variable}}}`).join(' ')}" }`,
  ];

  it('in conditions and texts of lead robots', () => {
    expect(problemsOf(config({ leadStage: robotsReading(lead) }))).toEqual([]);
  });

  it('in conditions and texts of deal robots', () => {
    expect(problemsOf(config({ dealStage: robotsReading(deal) }))).toEqual([]);
  });

  it('the shipped example and every fixture load cleanly', () => {
    const root = path.join(__dirname, '..', '..');
    const files = [
      'robots.example.yaml',
      ...fs
        .readdirSync(path.join(root, 'test', 'fixtures'))
        .filter((name) => name.endsWith('.yaml'))
        .map((name) => path.join('test', 'fixtures', name)),
    ];
    for (const file of files) {
      const result = loadConfigFile(path.join(root, file));
      expect({ file, issues: result.ok ? [] : result.issues.map(formatConfigIssue) }).toEqual({ file, issues: [] });
    }
  });
});

describe('the context schema agrees with buildContext', () => {
  const loaded = loadConfigText(config({}).replace('users: [{ login: anna, name: Anna, role: sales }]', 'users: [{ login: anna, name: Anna, role: sales, phone: "+79160000000" }]'), 'robots.yaml');
  if (!loaded.ok) throw new Error(loaded.issues.map(formatConfigIssue).join('\n'));
  const compiled: CompiledConfig = loaded.config;

  const row = {
    id: 7,
    title: 'Audit',
    name: 'Ivan',
    phone: '+79161234567',
    email: null,
    companyName: 'Acme',
    stage: 'new',
    stageEntryId: 3,
    enteredStageAt: 0,
    source: 'form',
    responsible: 'anna',
    fields: { budget: 100, interest: 'goods' },
    contactId: 4,
    companyId: 5,
    lostReason: null,
    refusedBy: null,
    score: 30,
    tags: ['price_interest'],
    scoredAt: null,
    createdAt: 0,
    updatedAt: 0,
  };
  const snapshot = {
    config: compiled,
    contact: { id: 4, name: 'Ivan', phone: '+79161234567', email: null, companyId: 5, createdAt: 0 },
    company: { id: 5, name: 'Acme', nameKey: 'acme', createdAt: 0 },
    touchesSent: 2,
    repliesReceived: 1,
    now: Date.UTC(2026, 2, 2, 9, 30),
    publicUrl: 'https://crm.example.com',
  };

  it.each([
    ['a lead', asItem('lead', { ...row, repeatClient: true, dealId: null } satisfies LeadRow)],
    ['a deal', asItem('deal', { ...row, pipeline: 'sales', leadId: 2, amount: 5000 } satisfies DealRow)],
  ])('the context of %s is exactly what the schema says, no key more or less', (_, item) => {
    const schema = contextSchema({ kind: item.kind, fields: compiled.source.fields });
    expect(schema.safeParse(buildContext({ ...snapshot, item })).error?.issues ?? []).toEqual([]);
    const withEvent = buildContext({ ...snapshot, item, event: { type: 'page_visit', page: 'pricing' } });
    expect(schema.safeParse(withEvent).error?.issues ?? []).toEqual([]);
    expect(EventContext.parse(withEvent.event)).toEqual({ type: 'page_visit', page: 'pricing' });
  });

  it('a responsible no longer in users: keeps login and name, and still fits', () => {
    const item = asItem('lead', { ...row, responsible: 'gone', repeatClient: false, dealId: 1 } satisfies LeadRow);
    const context = buildContext({ ...snapshot, item, contact: null, company: null });
    expect(context.responsible).toEqual({ login: 'gone', name: 'gone' });
    expect(contextSchema({ kind: 'lead', fields: compiled.source.fields }).safeParse(context).success).toBe(true);
  });
});
