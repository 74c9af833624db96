import { DateTime } from 'luxon';
import type { Locale } from '../../../config/schema';
import { en } from './en';
import type { Messages } from './messages';
import { ru } from './ru';

export type { Messages } from './messages';

/** Every locale the config may name has its sentences: a new one missing here does not compile. */
export const MESSAGES: Record<Locale, Messages> = { ru, en };

/**
 * A name written in both languages, `Новый / New` (as the example config writes its stages and
 * reasons), shows the half of the locale; any other name shows as written.
 */
export function localLabel(label: string, locale: Locale): string {
  const [ruHalf, enHalf, ...more] = label.split(' / ');
  if (ruHalf === undefined || enHalf === undefined || more.length > 0 || !ruHalf.trim() || !enHalf.trim()) return label;
  return (locale === 'ru' ? ruHalf : enHalf).trim();
}

/** `first_contact_sla` → `first contact sla`: an id people can read. */
export function readableId(id: string): string {
  return id.replace(/[_.]+/g, ' ').trim();
}

/** `23 нояб., 18:05` / `Nov 23, 18:05`, in the config's time zone. */
export function formatAt(ms: number, locale: Locale, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).setLocale(locale).toLocaleString({ day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}
