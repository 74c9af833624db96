import { templateVocabulary } from '../../server/core/template-vocabulary';
import { TEMPLATE_HELPERS } from '../../server/core/template-helpers';
import { customFieldIds, helperUsage, templateCompletions } from '../../web/src/pages/studio/template-complete';
import { studio } from '../../web/src/i18n/studio';

const DRAFT_HEAD = 'fields:\n  budget:\n    type: money\n  visit_at:\n    type: datetime\nleads:\n  stages:\n    - id: new\n      robots:\n';

function labelsAt(before: string, fieldIds: string[] = []): string[] | null {
  return templateCompletions(before, templateVocabulary, fieldIds)?.options.map((option) => option.label) ?? null;
}

describe('the studio editor completes inside a template’s {{ }}', () => {
  it('offers the formatting helpers and the context paths after `{{` in a robot’s text', () => {
    const labels = labelsAt(`${DRAFT_HEAD}        - { id: hello, type: send_message, text: "Ждём вас {{da`);
    expect(labels).toEqual(expect.arrayContaining(['date', 'time', 'relative', 'money', 'phone', 'list', 'user', 'plural', 'default', 'if', 'unless', 'each', 'with']));
    expect(labels).toEqual(expect.arrayContaining(['item.name', 'item.phone', 'lead.name', 'contact.phone', 'links.item', 'now.date', 'recipient.name']));
  });

  it('starts the completion where the word being typed starts, and opens a block helper with #', () => {
    const before = `${DRAFT_HEAD}          text: |\n            Здравствуйте!\n            {{if`;
    const found = templateCompletions(before, templateVocabulary, []);
    expect(found?.from).toBe(before.length - 'if'.length);
    expect(found?.options.find((option) => option.label === 'if')?.apply).toBe('#if ');
    expect(found?.options.find((option) => option.label === 'date')?.apply).toBe('date ');
  });

  it('offers only paths as a helper’s argument, the draft’s custom fields among them', () => {
    const ids = customFieldIds(`${DRAFT_HEAD}        - id: a\n`);
    expect(ids).toEqual(['budget', 'visit_at']);
    const labels = labelsAt(`${DRAFT_HEAD}          title: "Встреча {{date item.fields.vi`, ids);
    expect(labels).toEqual(expect.arrayContaining(['item.fields.budget', 'item.fields.visit_at', 'deal.amount']));
    expect(labels).not.toContain('date');
  });

  it('offers only block helpers after {{# and {{/', () => {
    expect(labelsAt('templates:\n  welcome:\n    text: "{{#e')).toEqual(['if', 'unless', 'each', 'with']);
    expect(labelsAt('templates:\n  welcome:\n    html: "{{#if item.name}}x{{/')).toEqual(['if', 'unless', 'each', 'with']);
  });

  it.each([
    ['a closed expression', '        - { id: a, type: notify, text: "{{item.name}} и '],
    ['a key that is not a template', '        - { id: a, type: notify, to: "{{da'],
    ['a robot without {{', '        - { id: a, type: notify, text: "Позвоните'],
  ])('offers nothing after %s', (_case, line) => {
    expect(labelsAt(`${DRAFT_HEAD}${line}`)).toBeNull();
  });

  it('writes a helper’s usage with its arguments in the page’s words, and has a word for each in both languages', () => {
    for (const locale of ['ru', 'en'] as const) {
      const words = studio[locale] as Record<string, unknown>;
      for (const helper of templateVocabulary.helpers) {
        expect(words[`complete.helper.${helper.name}`]).toEqual(expect.any(String));
        for (const argument of helper.arguments) expect(words[`complete.arg.${argument.name}`]).toEqual(expect.any(String));
      }
    }
    expect(templateVocabulary.helpers.map((helper) => helper.name)).toEqual(expect.arrayContaining(Object.keys(TEMPLATE_HELPERS)));
    const ru = (name: string) => String((studio.ru as Record<string, unknown>)[`complete.arg.${name}`]);
    const helper = (name: string) => templateVocabulary.helpers.find((candidate) => candidate.name === name)!;
    expect(helperUsage(helper('date'), ru)).toBe('{{date <дата или время> ["шаблон"]}}');
    expect(helperUsage(helper('money'), ru)).toBe('{{money <сумма> [currency="…"]}}');
    expect(helperUsage(helper('if'), ru)).toBe('{{#if <значение>}}…{{/if}}');
  });
});
