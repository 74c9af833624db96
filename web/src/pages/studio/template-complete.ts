import type { TemplateVocabulary, VocabularyHelper } from '../../../../server/core/template-vocabulary';

/**
 * Completion inside a template's `{{ … }}` in robots.yaml: the helpers first in an expression,
 * context paths there and as arguments, the draft's own custom fields under `item.fields.`.
 * Pure: the text before the cursor in, the options out (CodeEditor.tsx shows them).
 */

export type { TemplateVocabulary, VocabularyHelper };

/** The keys whose values are Handlebars: a robot's `text`, `title`, `whisper`; a template's `text`, `subject`, `html`. */
export const TEMPLATE_KEYS: ReadonlySet<string> = new Set(['text', 'title', 'whisper', 'subject', 'html']);

export type TemplateOption = { label: string; apply: string; kind: 'helper'; helper: VocabularyHelper } | { label: string; apply: string; kind: 'path'; custom: boolean };

const KEY_BEFORE = /(?:^|[\s{,])([\w$-]+)\s*:(?:\s|$)/g;

/** The key whose value the text at the end of `head` belongs to: on its own line, or the nearest less indented key above (a block scalar). */
export function valueKeyAt(head: string): string | null {
  const lines = head.split('\n');
  const current = lines.at(-1) ?? '';
  const onLine = [...current.matchAll(KEY_BEFORE)].at(-1);
  if (onLine) return onLine[1]!;
  const indent = /^\s*/.exec(current)?.[0].length ?? 0;
  for (let index = lines.length - 2; index >= 0; index--) {
    const line = lines[index]!;
    if (!line.trim()) continue;
    const lineIndent = /^\s*(?:-\s+)*/.exec(line)?.[0].length ?? 0;
    if (lineIndent >= indent) continue;
    return /^\s*(?:-\s+)*([\w$-]+)\s*:/.exec(line)?.[1] ?? null;
  }
  return null;
}

/** The ids under the top-level `fields:` of a draft (block style), for `item.fields.<id>`. */
export function customFieldIds(yaml: string): string[] {
  const lines = yaml.split('\n');
  const start = lines.findIndex((line) => /^fields\s*:\s*(#.*)?$/.test(line));
  if (start < 0) return [];
  const ids: string[] = [];
  let indent: number | null = null;
  for (const line of lines.slice(start + 1)) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const lineIndent = /^\s*/.exec(line)![0].length;
    if (lineIndent === 0) break;
    indent ??= lineIndent;
    const key = lineIndent === indent ? /^\s*([\w$-]+)\s*:/.exec(line)?.[1] : undefined;
    if (key) ids.push(key);
  }
  return ids;
}

const CUSTOM_ROOTS = ['item.fields', 'lead.fields', 'deal.fields', 'fields'];

/** The options at the end of `before` (the document up to the cursor), or null when the cursor is not inside a template's `{{`. */
export function templateCompletions(before: string, vocabulary: TemplateVocabulary, fieldIds: readonly string[]): { from: number; options: TemplateOption[] } | null {
  const open = before.lastIndexOf('{{');
  if (open < 0 || before.lastIndexOf('}}') > open) return null;
  const key = valueKeyAt(before.slice(0, open));
  if (!key || !TEMPLATE_KEYS.has(key)) return null;
  const inside = before.slice(open + 2);
  const word = /[\w.@]*$/.exec(inside)?.[0] ?? '';
  const from = before.length - word.length;
  const lead = inside.slice(0, inside.length - word.length);
  const first = /^\{?~?\s*([#/^]?)$/.exec(lead);
  const paths: TemplateOption[] = [
    ...vocabulary.paths.map((path) => ({ label: path, apply: path, kind: 'path' as const, custom: false })),
    ...CUSTOM_ROOTS.flatMap((root) => fieldIds.map((id) => ({ label: `${root}.${id}`, apply: `${root}.${id}`, kind: 'path' as const, custom: true }))),
  ];
  // An argument, or after `this`/a path: only paths.
  if (!first) return { from, options: paths };
  const sigil = first[1];
  if (sigil) return { from, options: vocabulary.helpers.filter((helper) => helper.block).map((helper) => ({ label: helper.name, apply: helper.name, kind: 'helper' as const, helper })) };
  const helpers = vocabulary.helpers.map((helper) => ({ label: helper.name, apply: helper.block ? `#${helper.name} ` : `${helper.name} `, kind: 'helper' as const, helper }));
  return { from, options: [...helpers, ...paths] };
}

/** `{{date <a date or time> ["pattern"]}}`: the call as written, argument names in the page's words. */
export function helperUsage(helper: VocabularyHelper, argumentWord: (name: string) => string): string {
  const parts = helper.arguments.map((argument) => {
    const shown = argument.kind === 'string' ? `"${argumentWord(argument.name)}"` : `<${argumentWord(argument.name)}>`;
    const repeated = argument.repeats ? `${shown} …` : shown;
    return argument.optional ? `[${repeated}]` : repeated;
  });
  const options = helper.options.map((option) => `[${option}="…"]`);
  const call = [`${helper.block ? '#' : ''}${helper.name}`, ...parts, ...options].join(' ');
  return helper.block ? `{{${call}}}…{{/${helper.name}}}` : `{{${call}}}`;
}
