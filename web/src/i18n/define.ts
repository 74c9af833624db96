/** The two languages of the board; the config's `locale` speaks the same ones (config/schema.ts LOCALES). */
export const LOCALES = ['ru', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export type Params = Record<string, string | number>;
/** A phrase: plain text with {name} holes, or a function where the words depend on a number (plurals). */
export type Phrase = string | ((params: Params) => string);

/**
 * One area's words in both languages. Russian is written first and English must have exactly
 * its keys, so a phrase missing in one language is a type error, not a blank on the page.
 */
export function defineWords<Key extends string>(words: { ru: Record<Key, Phrase>; en: Record<Key, Phrase> }): { ru: Record<Key, Phrase>; en: Record<Key, Phrase> } {
  return words;
}

const pluralRules = { ru: new Intl.PluralRules('ru'), en: new Intl.PluralRules('en') };

/** Picks the plural form of `count` in `locale`: Russian has one/few/many, English one/other. */
export function plural(locale: Locale, count: number, forms: { one: string; few?: string; many?: string; other: string }): string {
  const rule = pluralRules[locale].select(count);
  const form = rule === 'one' ? forms.one : rule === 'few' ? (forms.few ?? forms.other) : rule === 'many' ? (forms.many ?? forms.other) : forms.other;
  return form.replace('{count}', String(count));
}
