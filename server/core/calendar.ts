import { DateTime } from 'luxon';
import { parseDuration } from '../../config/duration';
import type { Config } from '../../config/schema';

/** The working calendar of the config, in the form the pure schedule functions take. */
export interface WorkingCalendar {
  zone: string;
  /** ISO weekday numbers, 1 = Monday. */
  workingDays: Set<number>;
  startMinute: number;
  endMinute: number;
  holidays: Set<string>;
}

const WEEKDAY_NUMBER: Record<Config['calendar']['working_days'][number], number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

function minuteOfDay(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  if (hours === undefined || minutes === undefined) throw new Error(`time of day "${hhmm}" is not HH:MM`);
  return hours * 60 + minutes;
}

export function calendarFromConfig(config: Pick<Config, 'timezone' | 'calendar'>): WorkingCalendar {
  return {
    zone: config.timezone,
    workingDays: new Set(config.calendar.working_days.map((day) => WEEKDAY_NUMBER[day])),
    startMinute: minuteOfDay(config.calendar.working_hours.start),
    endMinute: minuteOfDay(config.calendar.working_hours.end),
    holidays: new Set(config.calendar.holidays),
  };
}

function isWorkingDay(local: DateTime, calendar: WorkingCalendar): boolean {
  return calendar.workingDays.has(local.weekday) && !calendar.holidays.has(local.toISODate() ?? '');
}

function atMinute(local: DateTime, minute: number): DateTime {
  return local.set({ hour: Math.floor(minute / 60), minute: minute % 60, second: 0, millisecond: 0 });
}

/** `at` itself when it falls inside working hours, else the start of the next working period. */
export function nextWorkingMoment(at: number, calendar: WorkingCalendar): number {
  let local: DateTime = DateTime.fromMillis(at, { zone: calendar.zone });
  for (let day = 0; day < 400; day += 1) {
    if (isWorkingDay(local, calendar)) {
      const start = atMinute(local, calendar.startMinute);
      const end = atMinute(local, calendar.endMinute);
      if (local < start) return start.toMillis();
      if (local < end) return local.toMillis();
    }
    local = atMinute(local.plus({ days: 1 }), 0);
  }
  throw new Error('the working calendar has no working time in the next 400 days');
}

/** The first moment at or after `at` whose local wall-clock time is `hhmm`. */
export function nextTimeOfDay(at: number, hhmm: string, zone: string): number {
  const local = DateTime.fromMillis(at, { zone });
  const today = atMinute(local, minuteOfDay(hhmm));
  return (today >= local ? today : atMinute(local.plus({ days: 1 }), minuteOfDay(hhmm))).toMillis();
}

export interface Timing {
  after?: string;
  /** A time of day; a field timing (`{field, offset}`) is server/core/field-timing.ts's, not this one's. */
  at?: string | object;
  working_hours?: boolean;
}

/**
 * When a robot entered at `from` is due. Calendar units are added in the config's zone, so
 * `after: 1d` across a DST change lands at the same wall-clock time the next day.
 */
export function computeDueAt(timing: Timing, from: number, calendar: WorkingCalendar): number {
  let due: DateTime = DateTime.fromMillis(from, { zone: calendar.zone });
  if (timing.after) {
    const delay = parseDuration(timing.after);
    if (delay) due = due.plus(delay);
  }
  let dueMs = due.toMillis();
  const at = typeof timing.at === 'string' ? timing.at : undefined;
  for (let guard = 0; guard < 400; guard += 1) {
    if (at) dueMs = nextTimeOfDay(dueMs, at, calendar.zone);
    if (!timing.working_hours) return dueMs;
    const working = nextWorkingMoment(dueMs, calendar);
    if (!at || working === dueMs) return working;
    // A time of day outside working hours never comes inside them: the next working moment after it is the best we can do.
    const atMinuteOfDay = minuteOfDay(at);
    if (atMinuteOfDay < calendar.startMinute || atMinuteOfDay >= calendar.endMinute) return working;
    // A time of day that falls outside working hours on that day: try the next day's.
    dueMs = atMinute(DateTime.fromMillis(working, { zone: calendar.zone }), 0).toMillis();
  }
  return dueMs;
}

/** Backoff for a failed run: base, 2×base, 4×base … capped at a day; a provider's retry-after wins. */
export function retryDelay(attempt: number, baseMs: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined && retryAfterMs > 0) return retryAfterMs;
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 24 * 60 * 60 * 1000);
}
