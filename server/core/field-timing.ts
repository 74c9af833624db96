import { DateTime } from 'luxon';
import { parseDuration } from '../../config/duration';
import type { FieldTiming } from '../../config/primitives';
import { computeDueAt, nextWorkingMoment, type Timing, type WorkingCalendar } from './calendar';

/**
 * A robot timed from a date field of the item (`at: {field: appointment_at, offset: -1d}`),
 * pure: the due time is a function of the field's value, the offset, the calendar and the zone.
 */

/** The field timing of a robot, when its `at:` names a field rather than a time of day. */
export function fieldTimingOf(robot: { at?: unknown }): FieldTiming | null {
  const at = robot.at;
  return at !== null && typeof at === 'object' && 'field' in at ? (at as FieldTiming) : null;
}

/**
 * The moment a date field holds: an ISO date-time (with its offset, or else read in the
 * config's zone), a bare `YYYY-MM-DD` (midnight in the zone), or epoch milliseconds. Null when
 * the field is empty or not a date.
 */
export function fieldMoment(value: unknown, zone: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const parsed = DateTime.fromISO(value.trim(), { zone, setZone: false });
  return parsed.isValid ? parsed.toMillis() : null;
}

/** `-1d` → {sign: -1, 1 day}; `2h` or `+2h` → {sign: 1, 2 hours}. */
function signedOffset(offset: string): { sign: 1 | -1; duration: ReturnType<typeof parseDuration> } {
  const sign = offset.trim().startsWith('-') ? -1 : 1;
  return { sign, duration: parseDuration(offset.trim().replace(/^[-+]/, '')) };
}

/**
 * The last working moment at or before `at`: a reminder *before* an appointment that falls on
 * a night or a day off goes out at the end of the working day before it, never after it.
 */
export function previousWorkingMoment(at: number, calendar: WorkingCalendar): number {
  let local: DateTime = DateTime.fromMillis(at, { zone: calendar.zone });
  for (let day = 0; day < 400; day += 1) {
    const working = calendar.workingDays.has(local.weekday) && !calendar.holidays.has(local.toISODate() ?? '');
    if (working) {
      const start = local.set({ hour: Math.floor(calendar.startMinute / 60), minute: calendar.startMinute % 60, second: 0, millisecond: 0 });
      const end = local.set({ hour: Math.floor(calendar.endMinute / 60), minute: calendar.endMinute % 60, second: 0, millisecond: 0 });
      // Working hours are [start, end): the last working minute begins a minute before the end.
      if (local >= end) return end.minus({ minutes: 1 }).toMillis();
      if (local >= start) return local.toMillis();
    }
    local = local.minus({ days: 1 }).set({ hour: 23, minute: 59, second: 0, millisecond: 0 });
  }
  throw new Error('the working calendar has no working time in the 400 days before');
}

/**
 * When a field-timed robot is due, or null when the field holds no date. Calendar units are
 * added in the config's zone, so `-1d` before a 10:00 appointment is 10:00 the day before across
 * a DST change. With `working_hours`, a time before the field moves earlier (the reminder still
 * comes first) and a time after it moves later. A time already past is returned as it is: the
 * runner's late policy decides whether a run that late still runs.
 */
export function dueFromField(timing: FieldTiming, value: unknown, calendar: WorkingCalendar, workingHours = false): number | null {
  const moment = fieldMoment(value, calendar.zone);
  if (moment === null) return null;
  const { sign, duration } = signedOffset(timing.offset);
  let due = DateTime.fromMillis(moment, { zone: calendar.zone });
  if (duration) due = sign < 0 ? due.minus(duration) : due.plus(duration);
  const dueMs = due.toMillis();
  if (!workingHours) return dueMs;
  return sign < 0 ? previousWorkingMoment(dueMs, calendar) : nextWorkingMoment(dueMs, calendar);
}

/**
 * When a robot of a stage just entered at `from` is due: from its delay and time of day, or, when
 * timed from a field, from that field of the item (null while the field is empty: the run waits
 * for it to be set).
 */
export function dueOnEntry(robot: Timing, fields: Record<string, unknown>, from: number, calendar: WorkingCalendar): number | null {
  const timing = fieldTimingOf(robot);
  if (!timing) return computeDueAt(robot, from, calendar);
  return dueFromField(timing, fields[timing.field], calendar, robot.working_hours === true);
}
