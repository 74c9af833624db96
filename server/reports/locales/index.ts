import { DateTime } from 'luxon';
import { labelIn } from '../../../config/primitives';
import type { Locale } from '../../../config/schema';
import { en } from './en';
import type { Messages } from './messages';
import { ru } from './ru';

export type { Messages } from './messages';

/** Every locale the config may name has its sentences: a new one missing here does not compile. */
export const MESSAGES: Record<Locale, Messages> = { ru, en };

/** A name written in both languages (`Новый / New`, or `{ru, en}` in the config) in the locale's words. */
export const localLabel = labelIn;

/** `first_contact_sla` → `first contact sla`: an id people can read. */
export function readableId(id: string): string {
  return id.replace(/[_.]+/g, ' ').trim();
}

/** `23 нояб., 18:05` / `Nov 23, 18:05`, in the config's time zone. */
export function formatAt(ms: number, locale: Locale, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).setLocale(locale).toLocaleString({ day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}
