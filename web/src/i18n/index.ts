import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { analytics } from './analytics';
import { board } from './board';
import { common } from './common';
import { LOCALES, type Locale, type Params, type Phrase } from './define';
import { errors } from './errors';
import { item } from './item';
import { notifications } from './notifications';
import { studio } from './studio';
import { tasks } from './tasks';

export { LOCALES, type Locale } from './define';

/** Every area's words; one file per area so pages built in parallel do not touch the same file. */
const AREAS = [common, errors, board, item, tasks, analytics, notifications, studio] as const;

type AreaKeys<Area> = Area extends { ru: Record<infer Key, Phrase> } ? Key : never;
export type WordKey = AreaKeys<(typeof AREAS)[number]>;

const DICTIONARY: Record<Locale, Record<string, Phrase>> = {
  ru: Object.assign({}, ...AREAS.map((area) => area.ru)),
  en: Object.assign({}, ...AREAS.map((area) => area.en)),
};

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function hasWord(key: string): key is WordKey {
  return key in DICTIONARY.ru;
}

export function translate(locale: Locale, key: WordKey, params: Params = {}): string {
  const phrase = DICTIONARY[locale][key] ?? key;
  const text = typeof phrase === 'function' ? phrase(params) : phrase;
  return text.replace(/\{(\w+)\}/g, (hole, name: string) => (name in params ? String(params[name]) : hole));
}

/** A word from robots.yaml: one string, `{ru, en}`, or the older "Новый / New" written for both. */
export type ConfigWord = string | { ru?: string; en?: string } | null | undefined;

const CYRILLIC = /[\u0400-\u04ff]/;

export function configWord(word: ConfigWord, locale: Locale, fallback = ''): string {
  if (word === null || word === undefined) return fallback;
  if (typeof word === 'object') return word[locale] ?? word.ru ?? word.en ?? fallback;
  const parts = word.split(' / ').map((part) => part.trim());
  if (parts.length === 2 && parts[0] && parts[1]) {
    // Either order: the Russian half is the one written in Cyrillic.
    const russian = parts.find((part) => CYRILLIC.test(part)) ?? parts[0];
    const english = parts.find((part) => part !== russian) ?? parts[1];
    return locale === 'ru' ? russian : english;
  }
  return word;
}

/** Numbers, money and dates as the reader's language writes them. */
export interface Formats {
  number(value: number): string;
  money(amount: number, currency?: string): string;
  date(iso: string | number): string;
  dateTime(iso: string | number): string;
  /** How long ago: "3 дн.", "5 h". */
  age(sinceMs: number, nowMs?: number): string;
}

const intlTag: Record<Locale, string> = { ru: 'ru-RU', en: 'en-GB' };

export function formatsFor(locale: Locale): Formats {
  const tag = intlTag[locale];
  const numbers = new Intl.NumberFormat(tag);
  const moneys = new Map<string, Intl.NumberFormat>();
  const dates = new Intl.DateTimeFormat(tag, { dateStyle: 'medium' });
  const dateTimes = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' });
  const units = {
    minute: new Intl.NumberFormat(tag, { style: 'unit', unit: 'minute', unitDisplay: 'narrow' }),
    hour: new Intl.NumberFormat(tag, { style: 'unit', unit: 'hour', unitDisplay: 'narrow' }),
    day: new Intl.NumberFormat(tag, { style: 'unit', unit: 'day', unitDisplay: 'narrow' }),
  };
  return {
    number: (value) => numbers.format(value),
    money(amount, currency = 'RUB') {
      let format = moneys.get(currency);
      if (!format) {
        format = new Intl.NumberFormat(tag, { style: 'currency', currency, maximumFractionDigits: 0, currencyDisplay: 'narrowSymbol' });
        moneys.set(currency, format);
      }
      return format.format(amount);
    },
    date: (iso) => dates.format(new Date(iso)),
    dateTime: (iso) => dateTimes.format(new Date(iso)),
    age(sinceMs, nowMs = Date.now()) {
      const minutes = Math.max(0, Math.floor((nowMs - sinceMs) / 60_000));
      if (minutes < 60) return units.minute.format(minutes);
      if (minutes < 48 * 60) return units.hour.format(Math.floor(minutes / 60));
      return units.day.format(Math.floor(minutes / 1440));
    },
  };
}

export interface I18n {
  locale: Locale;
  t(key: WordKey, params?: Params): string;
  /** The words of a problem code (`errors.<code>`), or the generic one with its status. */
  error(code: string, status: number): string;
  word(word: ConfigWord, fallback?: string): string;
  fmt: Formats;
  setLocale(locale: Locale): void;
}

export function makeI18n(locale: Locale, setLocale: (locale: Locale) => void): I18n {
  return {
    locale,
    t: (key, params) => translate(locale, key, params),
    error(code, status) {
      const key = `errors.${code}`;
      if (hasWord(key)) return translate(locale, key);
      const family = `errors.${code.split(':')[0]}`;
      return hasWord(family) ? translate(locale, family) : translate(locale, 'errors.unknown', { status });
    },
    word: (word, fallback) => configWord(word, locale, fallback),
    fmt: formatsFor(locale),
    setLocale,
  };
}

export const I18nContext = createContext<I18n>(makeI18n('ru', () => undefined));

export function useI18n(): I18n {
  return useContext(I18nContext);
}

const CHOSEN_KEY = 'robots.locale';

/** The server writes the config's `locale` into the page's `<html lang>` (server/http/board.ts), read before the app changes it. */
const SERVED_LOCALE = document.documentElement.lang;

/** The user's choice, else the config's `locale`, else the browser's language. */
export function pickLocale(configLocale: string = SERVED_LOCALE): Locale {
  const chosen = localStorage.getItem(CHOSEN_KEY);
  if (isLocale(chosen)) return chosen;
  if (isLocale(configLocale)) return configLocale;
  return navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

export function rememberLocale(locale: Locale): void {
  localStorage.setItem(CHOSEN_KEY, locale);
}
