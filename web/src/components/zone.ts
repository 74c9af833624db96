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
