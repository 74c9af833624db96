import type { CompiledConfig } from '../core/compiled-config';
import { ownValue, type NewItemInput } from '../core/inputs';

/** The lead fields a column can fill; a custom field of robots.yaml is named by its key. */
export const STANDARD_TARGETS = ['name', 'last_name', 'first_name', 'middle_name', 'phone', 'email', 'company_name', 'source', 'title', 'responsible'] as const;
type StandardTarget = (typeof STANDARD_TARGETS)[number];

/**
 * Columns that go to the consent register, not to the lead: the client's yes or no per channel,
 * and when it was given. Named with --map only: a title such as "Согласие" does not say which
 * channel it is for. Telegram has none: a CSV holds no chat to tie it to.
 */
export const CONSENT_TARGETS = { consent_email: 'email', consent_sms: 'sms', consent_call: 'call' } as const;
export type ConsentTarget = keyof typeof CONSENT_TARGETS;
export const CONSENT_DATE_TARGET = 'consent_at';

function isConsentTarget(target: string): target is ConsentTarget | typeof CONSENT_DATE_TARGET {
  return Object.hasOwn(CONSENT_TARGETS, target) || target === CONSENT_DATE_TARGET;
}

/**
 * Column titles as Bitrix24 and amoCRM exports and hand-made spreadsheets name them, folded
 * (lower case, ё as е, a trailing "(контакт)" dropped). The person's name may come whole (ФИО)
 * or in parts (Фамилия, Имя, Отчество), as Bitrix24 writes it. `responsible` is never guessed: an
 * export names people ("Иван Петров"), not our logins.
 */
const ALIASES: Record<Exclude<StandardTarget, 'responsible'>, string[]> = {
  name: ['фио', 'name', 'full name', 'полное имя', 'полное имя контакта', 'контакт', 'имя контакта', 'клиент', 'contact', 'contact name'],
  last_name: ['фамилия', 'last name', 'surname'],
  first_name: ['имя', 'first name'],
  middle_name: ['отчество', 'middle name'],
  phone: ['телефон', 'рабочий телефон', 'мобильный телефон', 'домашний телефон', 'другой телефон', 'телефон контакта', 'phone', 'mobile', 'mobile phone', 'work phone', 'tel', 'телефоны'],
  email: ['e-mail', 'email', 'e mail', 'эл. почта', 'эл почта', 'электронная почта', 'почта', 'рабочий e-mail', 'рабочий email', 'личный e-mail', 'личный email', 'другой e-mail', 'mail'],
  company_name: ['компания', 'название компании', 'компания контакта', 'организация', 'company', 'company name', 'organization'],
  source: ['источник', 'источник лида', 'source', 'utm_source', 'lead source'],
  title: ['название лида', 'название сделки', 'название', 'title', 'lead name', 'lead title', 'deal name'],
};

export function foldHeader(header: string): string {
  return header
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/\([^)]*\)/g, ' ')
    .replace(/[:*]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const BY_ALIAS = new Map<string, StandardTarget>(Object.entries(ALIASES).flatMap(([target, aliases]) => aliases.map((alias) => [alias, target as StandardTarget])));

/** Which columns fill which field: a field may take several columns (the first one filled wins: Bitrix24's work and mobile phones). */
export interface HeaderMap {
  /** target → column indexes, in file order. */
  columns: Map<string, number[]>;
  /** Columns no field takes, by their title: left out of the import. */
  ignored: string[];
}

export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

/**
 * `name=ФИО,phone=Телефон` as the CLI takes it (and the API's `map`): field, then the column's
 * title as in the file. A title with a comma is not supported there: rename the column.
 */
export function parseMapOption(text: string | undefined): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    if (at <= 0) throw new MappingError(`--map: "${pair.trim()}" is not field=column`);
    mapping[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return mapping;
}

/** Explicit mappings first, then the known titles for whatever is left; a custom field of the config is matched by its key or label too. */
export function mapHeaders(headers: string[], explicit: Record<string, string>, config: CompiledConfig): HeaderMap {
  const columns = new Map<string, number[]>();
  const taken = new Set<number>();
  const customFields = Object.keys(config.source.fields);
  const problems: string[] = [];
  for (const [target, title] of Object.entries(explicit)) {
    if (target === 'consent_telegram') {
      problems.push('--map: consent_telegram: a CSV has no Telegram chat to tie a consent to; it is recorded when the client writes to the bot');
      continue;
    }
    if (!(STANDARD_TARGETS as readonly string[]).includes(target) && !isConsentTarget(target) && !ownValue(config.source.fields, target)) {
      problems.push(`--map: unknown field "${target}" (fields: ${[...STANDARD_TARGETS, ...customFields, ...Object.keys(CONSENT_TARGETS), CONSENT_DATE_TARGET].join(', ')})`);
      continue;
    }
    const index = headers.findIndex((header) => header === title) >= 0 ? headers.findIndex((header) => header === title) : headers.findIndex((header) => foldHeader(header) === foldHeader(title));
    if (index < 0) {
      problems.push(`--map: no column "${title}" in the file (columns: ${headers.join(', ')})`);
      continue;
    }
    columns.set(target, [index]);
    taken.add(index);
  }
  if (explicit[CONSENT_DATE_TARGET] !== undefined && !Object.keys(CONSENT_TARGETS).some((target) => explicit[target] !== undefined)) {
    problems.push(`--map: ${CONSENT_DATE_TARGET} is the date of a consent column: map one too (${Object.keys(CONSENT_TARGETS).join(', ')})`);
  }
  if (problems.length > 0) throw new MappingError(problems.join('; '));
  headers.forEach((header, index) => {
    if (taken.has(index)) return;
    const folded = foldHeader(header);
    const target = BY_ALIAS.get(folded) ?? customFields.find((key) => customFieldNames(key, config).includes(folded));
    if (!target || explicit[target] !== undefined) return;
    columns.set(target, [...(columns.get(target) ?? []), index]);
    taken.add(index);
  });
  return { columns, ignored: headers.filter((_header, index) => !taken.has(index)) };
}

/** A custom field is found by its key or by its label (either language of `{ru, en}`). */
function customFieldNames(key: string, config: CompiledConfig): string[] {
  const label = ownValue(config.source.fields, key)?.label;
  return [key.toLowerCase(), ...(label ? [label, ...label.split(' / ')].map(foldHeader) : [])];
}

/** A cell's words as a custom field of that type wants them: "1 200,50" a number, "да" true. */
function typedValue(type: string, raw: string): string | number | boolean {
  if (type === 'number') {
    const number = Number(raw.replace(/[\s\u00a0]/g, '').replace(',', '.'));
    return Number.isFinite(number) ? number : raw;
  }
  if (type === 'boolean') {
    const word = raw.toLowerCase();
    if (['да', 'yes', 'true', '1', 'y', 'д'].includes(word)) return true;
    if (['нет', 'no', 'false', '0', 'n', 'н'].includes(word)) return false;
  }
  return raw;
}

export interface MappedRow {
  input: NewItemInput;
  /** The column each field came from, so a problem with the value names the column people see. */
  sources: Map<string, string>;
  /** The filled consent cells (consent_email, …, consent_at) as written, with their columns. */
  consent: Map<ConsentTarget | typeof CONSENT_DATE_TARGET, { value: string; column: string }>;
}

/** One row as a new lead's input: empty cells are left out, the name put together from its parts. */
export function mapRow(cells: string[], map: HeaderMap, headers: string[], config: CompiledConfig): MappedRow {
  const values = new Map<string, { value: string; column: string }>();
  for (const [target, indexes] of map.columns) {
    const index = indexes.find((at) => (cells[at] ?? '').trim() !== '');
    if (index !== undefined) values.set(target, { value: cells[index]!.trim(), column: headers[index] ?? target });
  }
  const input: NewItemInput = {};
  const sources = new Map<string, string>();
  const fields: NonNullable<NewItemInput['fields']> = {};
  const set = (target: string, value: string, column: string) => {
    sources.set(target, column);
    if (target === 'name' || target === 'phone' || target === 'email' || target === 'company_name' || target === 'source' || target === 'title' || target === 'responsible') input[target] = value;
    else {
      const spec = ownValue(config.source.fields, target);
      fields[target] = spec ? typedValue(spec.type, value) : value;
    }
  };
  const consent: MappedRow['consent'] = new Map();
  for (const [target, cell] of values) {
    if (target === 'last_name' || target === 'first_name' || target === 'middle_name') continue;
    if (isConsentTarget(target)) consent.set(target, cell);
    else set(target, cell.value, cell.column);
  }
  if (!values.has('name')) {
    // Russian order: Фамилия Имя Отчество.
    const parts = (['last_name', 'first_name', 'middle_name'] as const).map((part) => values.get(part)).filter((part) => part !== undefined);
    if (parts.length > 0) set('name', parts.map((part) => part.value).join(' '), parts.map((part) => part.column).join(' + '));
  }
  if (Object.keys(fields).length > 0) input.fields = fields;
  return { input, sources, consent };
}
