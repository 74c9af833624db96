import { Duration } from 'luxon';

/**
 * Durations as sales ops write them: `30s`, `10m`, `2h`, `3d`, `1w`, combined as `1d12h`,
 * or ISO 8601 (`PT30M`). Parsing is delegated to luxon so calendar units stay honest.
 */
const SHORT_FORM = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export function parseDuration(text: string): Duration | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const short = SHORT_FORM.exec(trimmed);
  if (short && short.slice(1).some((part) => part !== undefined)) {
    const [, weeks, days, hours, minutes, seconds] = short.map((part) => (part === undefined ? 0 : Number(part)));
    return Duration.fromObject({ weeks, days, hours, minutes, seconds });
  }
  // Luxon reads a bare `P` or `PT` as zero; ISO 8601 wants at least one number.
  if (/^P.*\d/i.test(trimmed)) {
    const iso = Duration.fromISO(trimmed.toUpperCase());
    return iso.isValid ? iso : null;
  }
  return null;
}

export function isDuration(text: string): boolean {
  return parseDuration(text) !== null;
}
