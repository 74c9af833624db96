import type { FieldView, ItemView, Kind, PipelinesResponse } from '../api/types';
import { hasWord, type I18n } from '../i18n';

/** What names a field in the reader's language: the dictionary for the standard ones, the config's own words for the rest. */
export type FieldWords = Pick<I18n, 't' | 'word'>;

/** A field of an item as a form edits it: the standard ones by name, the config's own under `fields`. */
export interface FieldSpec {
  id: string;
  label: string;
  /** `text`, `tel`, `email`, `number`, `enum`, `person` (a responsible: one of the users) … */
  type: string;
  values?: string[];
  standard: boolean;
}

const STANDARD: Record<Kind, string[]> = {
  lead: ['name', 'phone', 'email', 'company_name', 'source', 'responsible'],
  deal: ['title', 'name', 'phone', 'email', 'company_name', 'amount', 'source', 'responsible'],
};

const STANDARD_TYPE: Record<string, string> = { phone: 'tel', email: 'email', amount: 'number', responsible: 'person' };

export function fieldSpecs(kind: Kind, config: PipelinesResponse, words: FieldWords): FieldSpec[] {
  return [...STANDARD[kind].map((id) => standardSpec(id, config, words)), ...config.fields.map((field) => customSpec(field, words))];
}

export function fieldSpec(id: string, config: PipelinesResponse, words: FieldWords): FieldSpec {
  const custom = config.fields.find((field) => field.id === id);
  return custom ? customSpec(custom, words) : standardSpec(id, config, words);
}

function standardSpec(id: string, config: PipelinesResponse, words: FieldWords): FieldSpec {
  const key = `field.${id}`;
  // The server names standard fields in English; the page has them in both languages.
  const label = hasWord(key) ? words.t(key) : words.word(config.field_labels[id], id);
  return { id, label, type: STANDARD_TYPE[id] ?? 'text', standard: true };
}

function customSpec(field: FieldView, words: FieldWords): FieldSpec {
  return { id: field.id, label: words.word(field.label, field.id), type: field.type, ...(field.values ? { values: field.values } : {}), standard: false };
}

/** The name people call an item by. */
export function itemName(item: ItemView): string {
  return item.title || item.name || item.company_name || item.phone_display || `#${item.id}`;
}

export function valueOf(item: ItemView, spec: FieldSpec): unknown {
  if (!spec.standard) return item.fields[spec.id];
  return (item as unknown as Record<string, unknown>)[spec.id];
}

/** What an input shows for a value. */
export function inputText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The PATCH body that sets one field to what was typed (an empty box clears it). */
export function patchOf(spec: FieldSpec, typed: string): Record<string, unknown> {
  const trimmed = typed.trim();
  let value: unknown = trimmed;
  if (spec.type === 'number') value = trimmed === '' ? null : Number(trimmed.replace(',', '.').replace(/\s/g, ''));
  else if (spec.type === 'boolean') value = trimmed === 'true';
  else if (trimmed === '' && !spec.standard) value = null;
  return spec.standard ? { [spec.id]: value } : { fields: { [spec.id]: value } };
}
