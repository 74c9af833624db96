import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { ItemRowBase } from './rows';

/**
 * What search compares: an item's words folded the same way as what a person types. SQLite's
 * LOWER() folds A–Z only and Postgres's depends on the collation, so the folding happens here, in
 * JavaScript, once when the item is written (`search_text`) and once for each query: "Смирнов",
 * "СМИРНОВ" and "смирнов" are one word on both databases, and so are "Фёдор" and "Федор".
 */

/**
 * What separates words: spaces, quotes of every kind («Ромашка», "Ромашка"), brackets and the
 * punctuation between words. Anything else stays in the word, so an email, a hyphenated surname,
 * `sure_thing` or `100%` is found as written.
 */
const NOT_A_WORD = /[\s\p{Cc}"'`«»„“”‘’‹›()[\]{}<>,;:!?/\\|]+/u;
const EDGE_PUNCTUATION = /^[@._+-]+|[@._+-]+$/g;
/** Soft hyphens and zero-width characters that pasted text carries inside words. */
const INVISIBLE = /\p{Cf}/gu;

/** NFKC, lower case in every script, ё → е. */
export function foldText(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').toLowerCase().replace(/ё/g, 'е');
}

/** The words of a text as search sees them: folded, split on spaces and punctuation («», quotes, commas). */
export function searchWords(text: string): string[] {
  return foldText(text)
    .split(NOT_A_WORD)
    .map((word) => word.replace(EDGE_PUNCTUATION, ''))
    .filter((word) => word.length > 0);
}

/**
 * The ways a person types a stored phone, as digits: E.164 (79161234567), national with its
 * trunk prefix (89161234567 in Russia) and the national number alone (9161234567). A digit
 * string typed is then a substring of one of them: `8 916 123-45-67`, `+7 (916)…`, `916 123 45 67`,
 * the last four digits.
 */
export function phoneVariants(phone: string, defaultRegion = 'RU'): string[] {
  const digits = phone.replace(/\D/g, '');
  const parsed = parsePhoneNumberFromString(phone, defaultRegion.toUpperCase() as CountryCode);
  if (!parsed?.isPossible()) return digits ? [digits] : [];
  const e164 = parsed.number.replace(/\D/g, '');
  const national = parsed.formatNational().replace(/\D/g, '');
  return [...new Set([e164, national, String(parsed.nationalNumber)])].filter((variant) => variant.length > 0);
}

/** A custom field's value is searched when it is short text or a number (a city, a tax number); long notes are not. */
const MAX_FIELD_TEXT = 200;

/** The columns search reads; a write that changes none of them leaves `search_text` as it is. */
export const SEARCHED_COLUMNS = ['title', 'name', 'phone', 'email', 'companyName', 'fields'] as const;

export type SearchedColumns = Pick<ItemRowBase, (typeof SEARCHED_COLUMNS)[number]>;

/** The `search_text` column of a lead or a deal: its searched words, each once, then its phone's digit forms. */
export function itemSearchText(row: SearchedColumns, defaultRegion = 'RU'): string {
  const texts: string[] = [row.name ?? '', row.title ?? '', row.email ?? '', row.companyName ?? ''];
  for (const value of Object.values(row.fields ?? {})) {
    if (typeof value === 'string' && value.length <= MAX_FIELD_TEXT) texts.push(value);
    else if (typeof value === 'number' && Number.isFinite(value)) texts.push(String(value));
  }
  const words = texts.flatMap(searchWords);
  if (row.phone) words.push(...phoneVariants(row.phone, defaultRegion));
  return [...new Set(words)].join(' ');
}

/** A run of typed phone pieces: `8`, `(916)`, `123-45-67`, `+7`. */
const PHONE_PIECE = /^\+?[\d().-]*\d[\d().-]*$/;

/**
 * What a typed query must find, each a substring of `search_text` (all of them, in any order):
 * its words folded as `itemSearchText` folds, with consecutive phone pieces joined into their
 * digits, so "8 (916) 123-45-67" is one term, 89161234567. At most eight terms.
 */
export function searchTerms(query: string): string[] {
  const terms: string[] = [];
  let digits = '';
  for (const piece of query.trim().split(/\s+/)) {
    if (PHONE_PIECE.test(piece)) {
      digits += piece.replace(/\D/g, '');
      continue;
    }
    if (digits) terms.push(digits);
    digits = '';
    terms.push(...searchWords(piece));
  }
  if (digits) terms.push(digits);
  return [...new Set(terms)].slice(0, 8);
}
