import type { ItemView, PipelinesResponse } from '../../api/types';
import { configWord, translate, type Locale } from '../../i18n';

/** The lead/deal columns every item has; anything else is a custom field (`fields.<id>`). */
export const STANDARD_FIELDS = ['title', 'name', 'phone', 'email', 'company_name', 'source', 'responsible', 'amount'] as const;
export type StandardField = (typeof STANDARD_FIELDS)[number];

export function isStandardField(id: string): id is StandardField {
  return (STANDARD_FIELDS as readonly string[]).includes(id);
}

/** A field's label: the board's own words for the standard ones, the config's for custom fields. */
export function fieldLabel(config: PipelinesResponse, locale: Locale, id: string): string {
  if (isStandardField(id)) return translate(locale, `field.${id}` as const);
  return configWord(config.fields.find((field) => field.id === id)?.label ?? config.field_labels[id], locale, id);
}

export function fieldValue(item: ItemView, id: string): unknown {
  return isStandardField(id) ? item[id] : item.fields[id];
}

export function hasValue(value: unknown): boolean {
  return value !== null && value !== undefined && value !== '';
}

export { itemName } from '../../components/item-fields';

export function personName(config: PipelinesResponse, login: string | null): string {
  if (!login) return '';
  return config.users.find((user) => user.login === login)?.name ?? login;
}

export function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');
}
