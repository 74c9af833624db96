import { z } from 'zod';
import { contextSchema, ITEM_KINDS, unwrap } from './context-schema';
import { TEMPLATE_HELPERS, type HelperArgument } from './template-helpers';

/**
 * What a template may call and read, for the studio editor's completion inside `{{ }}`: the
 * helpers with their arguments (template-helpers.ts) and the context paths two levels deep
 * (context-schema.ts), so the editor offers what `robots validate` accepts. Custom field ids
 * are the draft's own: the editor adds them under `item.fields.`.
 */

export interface VocabularyHelper {
  name: string;
  /** Handlebars' block helpers (`{{#if …}}…{{/if}}`). */
  block: boolean;
  arguments: HelperArgument[];
  options: string[];
}

export interface TemplateVocabulary {
  helpers: VocabularyHelper[];
  /** `item.name`, `contact.phone`, `links.item`, …: on a lead or a deal, a template's context. */
  paths: string[];
}

const BLOCK_HELPERS: VocabularyHelper[] = [
  { name: 'if', block: true, arguments: [{ name: 'a value', kind: 'value' }], options: [] },
  { name: 'unless', block: true, arguments: [{ name: 'a value', kind: 'value' }], options: [] },
  { name: 'each', block: true, arguments: [{ name: 'a list', kind: 'value' }], options: [] },
  { name: 'with', block: true, arguments: [{ name: 'a value', kind: 'value' }], options: [] },
];

function pathsOf(schema: z.ZodType, prefix: string, depth: number): string[] {
  const node = unwrap(schema);
  if (!(node instanceof z.ZodObject) || depth === 0) return [prefix];
  // `fields` holds the custom fields, which the editor takes from the draft.
  const children = Object.entries(node.shape as Record<string, z.ZodType>);
  return [prefix, ...children.flatMap(([key, child]) => (key === 'fields' ? [`${prefix}.fields`] : pathsOf(child, `${prefix}.${key}`, depth - 1)))];
}

function buildVocabulary(): TemplateVocabulary {
  const paths = new Set<string>();
  for (const kind of ITEM_KINDS) {
    const shape = contextSchema({ kind, fields: {}, recipient: true }).shape as Record<string, z.ZodType>;
    for (const [root, schema] of Object.entries(shape)) for (const path of pathsOf(schema, root, 1)) paths.add(path);
  }
  const helpers = Object.entries(TEMPLATE_HELPERS).map(([name, spec]): VocabularyHelper => ({ name, block: false, arguments: spec.arguments, options: spec.options ?? [] }));
  return { helpers: [...helpers, ...BLOCK_HELPERS], paths: [...paths].sort() };
}

/** The same for every config: built once. */
export const templateVocabulary: TemplateVocabulary = buildVocabulary();
