import Handlebars from 'handlebars';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { DateTime } from 'luxon';
import { labelIn } from '../../config/primitives';
import type { Config, Locale } from '../../config/schema';

/**
 * The helpers templates format values with (`{{date item.fields.appointment_at "d MMMM в HH:mm"}}`,
 * `{{money item.fields.budget}}`, …), on an environment of their own so that nothing else
 * registered on the global Handlebars leaks into messages. What they need of the config (time
 * zone, language, fields, users) travels with each render as `@data` (`templateData`), never in
 * a global: two configs, or a preview of a new one, render side by side.
 */

/** What a helper's argument must be, for `robots validate`: any value, or a string in quotes. */
export type HelperArgument = { name: string; kind: 'value' | 'string'; optional?: boolean; repeats?: boolean };

export interface HelperSpec {
  arguments: HelperArgument[];
  /** `key=value` options it takes, each a string. */
  options?: string[];
}

/** The helpers by name, with the arguments the config validator checks (config/context-paths.ts). */
export const TEMPLATE_HELPERS: Readonly<Record<string, HelperSpec>> = {
  date: {
    arguments: [
      { name: 'a date or time', kind: 'value' },
      { name: 'pattern', kind: 'string', optional: true },
    ],
  },
  time: {
    arguments: [
      { name: 'a time', kind: 'value' },
      { name: 'pattern', kind: 'string', optional: true },
    ],
  },
  relative: { arguments: [{ name: 'a date or time', kind: 'value' }] },
  money: { arguments: [{ name: 'an amount', kind: 'value' }], options: ['currency'] },
  phone: { arguments: [{ name: 'a phone number', kind: 'value' }] },
  list: { arguments: [{ name: 'a list', kind: 'value' }], options: ['separator'] },
  user: { arguments: [{ name: 'a login', kind: 'value' }] },
  plural: {
    arguments: [
      { name: 'a number', kind: 'value' },
      { name: 'word form', kind: 'string', repeats: true },
    ],
  },
  default: {
    arguments: [
      { name: 'a value', kind: 'value' },
      { name: 'fallback', kind: 'value' },
    ],
  },
};

/** The config's part of every render: under `@formatting` in Handlebars' data. */
export interface TemplateFormatting {
  timezone: string;
  locale: Locale;
  region: string;
  fields: Config['fields'];
  userNames: ReadonlyMap<string, string>;
}

const DEFAULT_FORMATTING: TemplateFormatting = { timezone: 'UTC', locale: 'ru', region: 'RU', fields: {}, userNames: new Map() };

const formattingOf = new WeakMap<Config, { formatting: TemplateFormatting }>();

/** The `data` option of a render for a config; built once per loaded config. */
export function templateData(config: Config): { formatting: TemplateFormatting } {
  let data = formattingOf.get(config);
  if (!data) {
    data = {
      formatting: {
        timezone: config.timezone,
        locale: config.locale,
        region: config.default_region,
        fields: config.fields,
        userNames: new Map(config.users.map((user) => [user.login, user.name])),
      },
    };
    formattingOf.set(config, data);
  }
  return data;
}

type Options = Handlebars.HelperOptions & { ids?: unknown[]; data?: { formatting?: TemplateFormatting; root?: unknown } };

function formattingIn(options: Options): TemplateFormatting {
  return options.data?.formatting ?? DEFAULT_FORMATTING;
}

/** The custom field a helper's first argument was read from (`item.fields.budget` → budget), known from its path. */
function fieldOf(options: Options, formatting: TemplateFormatting): Config['fields'][string] | undefined {
  const path = options.ids?.[0];
  if (typeof path !== 'string') return undefined;
  const segments = path.split(/[./]/);
  if (segments.at(-2) !== 'fields') return undefined;
  const id = segments.at(-1);
  return id !== undefined && Object.hasOwn(formatting.fields, id) ? formatting.fields[id] : undefined;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A stored date (ISO text, epoch milliseconds or a Date) in the config's zone; null when it is none. */
function dateTimeOf(value: unknown, formatting: TemplateFormatting): DateTime | null {
  const options = { zone: formatting.timezone, locale: formatting.locale };
  const parsed = typeof value === 'string' ? DateTime.fromISO(value.trim(), options) : typeof value === 'number' ? DateTime.fromMillis(value, options) : value instanceof Date ? DateTime.fromJSDate(value, options) : null;
  return parsed?.isValid ? parsed : null;
}

/** A date field holds a day, no time: its default format leaves the time out. */
function isDateOnly(value: unknown): boolean {
  return typeof value === 'string' && DATE_ONLY.test(value.trim());
}

function formatDate(value: unknown, pattern: unknown, formatting: TemplateFormatting, part: 'date' | 'time'): string {
  if (isEmpty(value)) return '';
  const moment = dateTimeOf(value, formatting);
  if (!moment) return String(value);
  if (typeof pattern === 'string') return moment.toFormat(pattern);
  if (part === 'time') return moment.toLocaleString(DateTime.TIME_SIMPLE);
  // "3 марта 2026 г. в 10:00" / "March 3, 2026 at 10:00 AM": the language's own way of writing it.
  return moment.toLocaleString(isDateOnly(value) ? DateTime.DATE_FULL : { day: 'numeric', month: 'long', year: 'numeric', hour: formatting.locale === 'ru' ? '2-digit' : 'numeric', minute: '2-digit' });
}

/** "завтра", "через 3 дня", "вчера": calendar days from the render's `now` in the config's zone. */
function formatRelative(value: unknown, options: Options, formatting: TemplateFormatting): string {
  if (isEmpty(value)) return '';
  const moment = dateTimeOf(value, formatting);
  if (!moment) return String(value);
  const root = options.data?.root as { now?: { iso?: unknown } } | undefined;
  const base = dateTimeOf(root?.now?.iso, formatting);
  if (!base) return formatDate(value, undefined, formatting, 'date');
  return moment.toRelativeCalendar({ base, locale: formatting.locale }) ?? '';
}

function formatMoney(value: unknown, options: Options, formatting: TemplateFormatting): string {
  if (isEmpty(value)) return '';
  const amount = typeof value === 'number' ? value : Number(String(value).replace(/\s/g, '').replace(',', '.'));
  if (!Number.isFinite(amount)) return String(value);
  const hashCurrency = (options.hash as Record<string, unknown> | undefined)?.currency;
  const currency = typeof hashCurrency === 'string' ? hashCurrency.toUpperCase() : (fieldOf(options, formatting)?.currency ?? 'RUB');
  const digits = Number.isInteger(amount) ? 0 : 2;
  try {
    return new Intl.NumberFormat(formatting.locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount);
  } catch {
    // An unknown currency code in `currency=`: the amount still reads.
    return `${new Intl.NumberFormat(formatting.locale).format(amount)} ${currency}`;
  }
}

/**
 * "+7 916 123-45-67": the international prefix with the country's own grouping (libphonenumber
 * writes international numbers with spaces only). Where the national form carries a trunk
 * prefix or brackets (020 …, (213) …), the plain international form.
 */
function formatPhone(value: unknown, formatting: TemplateFormatting): string {
  if (isEmpty(value)) return '';
  const phone = parsePhoneNumberFromString(String(value), formatting.region.toUpperCase() as CountryCode);
  if (!phone?.isPossible()) return String(value);
  const national = phone.format('NATIONAL', { nationalPrefix: false });
  const grouped = national.replace(/\D/g, '') === phone.nationalNumber && !/[()]/.test(national);
  return grouped ? `+${phone.countryCallingCode} ${national}` : phone.formatInternational();
}

function userName(login: unknown, formatting: TemplateFormatting): string {
  return formatting.userNames.get(String(login)) ?? String(login);
}

function formatList(value: unknown, options: Options, formatting: TemplateFormatting): string {
  if (isEmpty(value)) return '';
  const field = fieldOf(options, formatting);
  const shown = (entry: unknown): string => {
    if (field?.type === 'user') return userName(entry, formatting);
    const label = field?.labels?.[String(entry)];
    return label !== undefined ? labelIn(label, formatting.locale) : String(entry);
  };
  const separator = (options.hash as Record<string, unknown> | undefined)?.separator;
  return (Array.isArray(value) ? value : [value]).map(shown).join(typeof separator === 'string' ? separator : ', ');
}

/** Which of the forms written (ru: one, few, many; en: one, other) a CLDR plural category takes. */
const FORM_OF: Record<Locale, Partial<Record<Intl.LDMLPluralRule, number>>> = {
  // Fractions (other) agree with the genitive singular: 1,5 заявки.
  ru: { one: 0, few: 1, many: 2, other: 1 },
  en: { one: 0, other: 1 },
};

function formatPlural(count: unknown, forms: unknown[], formatting: TemplateFormatting): string {
  const words = forms.map(String);
  if (words.length === 0) return '';
  const number = Number(count);
  const category = Number.isFinite(number) ? new Intl.PluralRules(formatting.locale).select(number) : 'other';
  const index = FORM_OF[formatting.locale][category] ?? words.length - 1;
  return words[Math.min(index, words.length - 1)] ?? '';
}

/** `{{phone}}` alone inside `{{#with contact}}` reads the context's `phone`, as it did before there was a helper of that name. */
function bareOr(name: string, format: (args: unknown[], options: Options) => string) {
  return function (this: unknown, ...args: unknown[]): unknown {
    const options = args.pop() as Options | undefined;
    if (options === undefined || args.length === 0) return this !== null && typeof this === 'object' ? (this as Record<string, unknown>)[name] : undefined;
    return format(args, options);
  };
}

function createEnvironment(): typeof Handlebars {
  const environment = Handlebars.create();
  const helpers: Record<keyof typeof TEMPLATE_HELPERS, (args: unknown[], options: Options) => unknown> = {
    date: ([value, pattern], options) => formatDate(value, pattern, formattingIn(options), 'date'),
    time: ([value, pattern], options) => formatDate(value, pattern, formattingIn(options), 'time'),
    relative: ([value], options) => formatRelative(value, options, formattingIn(options)),
    money: ([value], options) => formatMoney(value, options, formattingIn(options)),
    phone: ([value], options) => formatPhone(value, formattingIn(options)),
    list: ([value], options) => formatList(value, options, formattingIn(options)),
    user: ([value], options) => (isEmpty(value) ? '' : (Array.isArray(value) ? value : [value]).map((login) => userName(login, formattingIn(options))).join(', ')),
    plural: ([count, ...forms], options) => formatPlural(count, forms, formattingIn(options)),
    default: ([value, fallback]) => (isEmpty(value) ? fallback : value),
  };
  for (const [name, helper] of Object.entries(helpers)) environment.registerHelper(name, bareOr(name, helper as (args: unknown[], options: Options) => string));
  return environment;
}

/** The Handlebars every template of the config is compiled with. */
export const templateEnvironment = createEnvironment();

/**
 * Compiles a template's text: plain text unescaped (an SMS shows `&` as `&`), HTML escaped.
 * `trackIds` lets a helper see the path of its argument, so `{{money item.fields.budget}}` knows
 * the field and its currency.
 */
export function compileTemplate(source: string, format: 'text' | 'html' = 'text'): Handlebars.TemplateDelegate {
  // `trackIds` is a compile option of Handlebars that its typings leave out.
  const options: CompileOptions & { trackIds: boolean } = { noEscape: format === 'text', trackIds: true };
  return templateEnvironment.compile(source, options);
}

/** Names the validator accepts as helpers: Handlebars' built-ins (if, each, with, …) and ours. */
export function helperNames(): string[] {
  return Object.keys(templateEnvironment.helpers).filter((name) => !name.endsWith('Missing'));
}
