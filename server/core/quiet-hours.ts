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
  if (hours === undefined || minutes === undefined) throw new Error(`time of day "${hhmm}" is not HH:MM`);
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

/** A robot that must not act now: the runner puts its run back in the queue for `until` (not a failure, no attempt used). */
export class NotNowError extends Error {
  constructor(
    message: string,
    readonly until: number,
  ) {
    super(message);
    this.name = 'NotNowError';
  }
}

/**
 * For a client touch on `channel` at `now`: null when it may go, else the NotNowError that
 * moves it to the end of the config's quiet hours.
 */
export function quietHoursDeferral(config: { timezone: string; quiet_hours?: { start: string; end: string; channels: string[] } }, channel: string, now: number): NotNowError | null {
  const quiet = config.quiet_hours;
  if (!quiet || !quiet.channels.includes(channel)) return null;
  const allowed = nextAllowedTime(now, { start: quiet.start, end: quiet.end, zone: config.timezone });
  if (allowed === now) return null;
  return new NotNowError(`quiet hours ${quiet.start}–${quiet.end} (${config.timezone}): ${channel} touch moved to ${new Date(allowed).toISOString()}`, allowed);
}
