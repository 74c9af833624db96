import type { PipelinesResponse } from '../api/types';

/**
 * The config's time zone (`timezone:` in robots.yaml, given by GET /api/config/pipelines): due
 * times and "today" are the sales team's, not the browser's. An older server that does not say
 * falls back to the browser's zone.
 */
export function configZone(config: PipelinesResponse): string {
  const zone = (config as PipelinesResponse & { timezone?: unknown }).timezone;
  return typeof zone === 'string' && zone ? zone : Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Login → the person's name, as the config and the users table give it. */
export function personName(config: PipelinesResponse, login: string | null | undefined): string {
  if (!login) return '';
  return config.users.find((user) => user.login === login)?.name ?? login;
}

/** A zone as people read it in their language (`Москва`, `Moscow Time`), not its IANA id. */
export function zoneLabel(zone: string, locale: string): string {
  try {
    // `long`: browsers' short generic names are often English only («Moscow» on a Russian page).
    const part = new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { timeZone: zone, timeZoneName: 'long' }).formatToParts(new Date()).find((piece) => piece.type === 'timeZoneName');
    if (!part?.value || /^GMT/.test(part.value)) return zone;
    // «Москва, стандартное время» → «Москва»: the city is what people recognise.
    return locale === 'ru' ? (part.value.split(',')[0] ?? part.value) : part.value;
  } catch {
    return zone;
  }
}

const yearIn = (ms: number, zone: string) => new Intl.DateTimeFormat('en', { timeZone: zone, year: 'numeric' }).format(ms);

/**
 * `6 дек., 14:00` / `6 Dec, 14:00` in the config's zone; the year only when it is not this one.
 * Plain Intl (no luxon): the header's bell uses it, and the board's first paint stays small.
 */
export function formatInZone(iso: string, locale: string, zone: string, now: number): string {
  const ms = Date.parse(iso);
  const sameYear = yearIn(ms, zone) === yearIn(now, zone);
  return new Intl.DateTimeFormat(locale === 'ru' ? 'ru' : 'en', { timeZone: zone, day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }), hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    ms,
  );
}
