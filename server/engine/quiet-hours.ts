import { DateTime } from 'luxon';

/** Client touches on these channels wait out the night; email is read when the client chooses. */
export const QUIET_CHANNELS_DEFAULT = ['sms', 'voice', 'telegram'] as const;

export interface QuietHours {
  /** `HH:MM` local time the quiet period starts (inclusive). */
  start: string;
  /** `HH:MM` local time it ends (exclusive): the first allowed minute. */
  end: string;
  zone: string;
}

function minuteOfDay(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return hours * 60 + minutes;
}

/**
 * The first moment at or after `at` outside quiet hours, in the config's time zone. A window
 * may wrap midnight (21:00–09:00) or not (13:00–14:00); start = end means no quiet hours. On a
 * DST day luxon moves a wall time that does not exist forward, so the answer is always real.
 */
export function nextAllowedTime(at: number, quiet: QuietHours): number {
  const start = minuteOfDay(quiet.start);
  const end = minuteOfDay(quiet.end);
  if (start === end) return at;
  const local = DateTime.fromMillis(at, { zone: quiet.zone });
  const minute = local.hour * 60 + local.minute;
  const wraps = start > end;
  const inside = wraps ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inside) return at;
  const endToday = local.set({ hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 });
  // After the evening start of a wrapping window, the quiet period ends tomorrow morning.
  const allowed = wraps && minute >= start ? endToday.plus({ days: 1 }) : endToday;
  return allowed.toMillis();
}
