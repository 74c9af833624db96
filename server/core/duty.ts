import { DateTime } from 'luxon';
import type { CompiledConfig } from './compiled-config';
import type { Config, UserSpec } from '../../config/schema';
import type { WhenNobodyOnDuty } from '../../config/primitives';

/**
 * Who is on duty at a moment: a user's `schedule:` (their working days and hours,
 * in their own time zone) minus their `away:` dates. Pure: the callers pass the moment, from
 * the engine's clock. A user without `schedule:` — and every user added by the CLI or the API,
 * who has none — is on duty round the clock, except on `away:` dates.
 */

export interface DutySchedule {
  zone: string;
  /** null: no working hours written, so on duty all day (away dates excepted). */
  shift: { workingDays: Set<number>; startMinute: number; endMinute: number; holidays: Set<string> } | null;
  away: ReadonlyArray<{ from: string; to: string }>;
}

const WEEKDAY_NUMBER: Record<Config['calendar']['working_days'][number], number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };
/** How far ahead "the next moment someone is on duty" looks, as the working calendar does. */
const HORIZON_DAYS = 400;

function minuteOfDay(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  if (hours === undefined || minutes === undefined) throw new Error(`time of day "${hhmm}" is not HH:MM`);
  return hours * 60 + minutes;
}

/**
 * A user's schedule: the keys their `schedule:` does not write come from the config's
 * `calendar:` (days, hours, holidays) and `timezone`. Undefined user → on duty always.
 */
export function dutyScheduleOf(source: Pick<Config, 'timezone' | 'calendar'>, user: Pick<UserSpec, 'schedule' | 'away'> | undefined): DutySchedule {
  const written = user?.schedule;
  const zone = written?.timezone ?? source.timezone;
  const away = user?.away ?? [];
  if (!written) return { zone, shift: null, away };
  const hours = written.working_hours ?? source.calendar.working_hours;
  return {
    zone,
    shift: {
      workingDays: new Set((written.working_days ?? source.calendar.working_days).map((day) => WEEKDAY_NUMBER[day])),
      startMinute: minuteOfDay(hours.start),
      endMinute: minuteOfDay(hours.end),
      holidays: new Set(written.holidays ?? source.calendar.holidays),
    },
    away,
  };
}

function isAway(schedule: DutySchedule, isoDate: string): boolean {
  // ISO dates compare as strings; both ends are inclusive.
  return schedule.away.some((range) => range.from <= isoDate && isoDate <= range.to);
}

function atMinute(day: DateTime, minute: number): DateTime {
  return day.set({ hour: Math.floor(minute / 60), minute: minute % 60, second: 0, millisecond: 0 });
}

/**
 * The shift that starts on `day` (local), or null when that day is off. An end at or before
 * the start is a night shift ending the next day (`22:00`–`06:00`); equal ends are 24 hours.
 * A shift belongs to the day it starts on: away on the 14th means no night shift from the 14th.
 */
function shiftStartingOn(schedule: DutySchedule, day: DateTime): { start: number; end: number } | null {
  const isoDate = day.toISODate() ?? '';
  if (isAway(schedule, isoDate)) return null;
  const shift = schedule.shift;
  if (!shift) return { start: day.startOf('day').toMillis(), end: day.startOf('day').plus({ days: 1 }).toMillis() };
  if (!shift.workingDays.has(day.weekday) || shift.holidays.has(isoDate)) return null;
  const start = atMinute(day, shift.startMinute);
  const end = shift.endMinute > shift.startMinute ? atMinute(day, shift.endMinute) : atMinute(day.plus({ days: 1 }), shift.endMinute);
  return { start: start.toMillis(), end: end.toMillis() };
}

export function isOnDuty(schedule: DutySchedule, at: number): boolean {
  const today = DateTime.fromMillis(at, { zone: schedule.zone }).startOf('day');
  return [today.minus({ days: 1 }), today].some((day) => {
    const shift = shiftStartingOn(schedule, day);
    return shift !== null && shift.start <= at && at < shift.end;
  });
}

/** `at` itself when on duty then, else the start of the next shift; null when none comes within 400 days. */
export function nextOnDuty(schedule: DutySchedule, at: number): number | null {
  if (isOnDuty(schedule, at)) return at;
  let day = DateTime.fromMillis(at, { zone: schedule.zone }).startOf('day');
  for (let step = 0; step < HORIZON_DAYS; step += 1) {
    const shift = shiftStartingOn(schedule, day);
    if (shift && shift.end > at) return Math.max(shift.start, at);
    day = day.plus({ days: 1 }).startOf('day');
  }
  return null;
}

/** The schedule of a login as the config stands (a login it does not list: on duty always). */
export function dutyOf(config: CompiledConfig, login: string): DutySchedule {
  return dutyScheduleOf(config.source, config.users.get(login));
}

/** Those of `logins` on duty at `at`, in the order given. */
export function onDutyAt(config: CompiledConfig, logins: readonly string[], at: number): string[] {
  return logins.filter((login) => isOnDuty(dutyOf(config, login), at));
}

/** The first moment at or after `at` when any of `logins` is on duty; null if none is within 400 days. */
export function nextOnDutyOfAny(config: CompiledConfig, logins: readonly string[], at: number): number | null {
  const moments = logins.map((login) => nextOnDuty(dutyOf(config, login), at)).filter((moment): moment is number => moment !== null);
  return moments.length > 0 ? Math.min(...moments) : null;
}

/** The robot's own `when_nobody_on_duty`, else its team's, else `anyone` (as before schedules existed). */
export function whenNobodyOnDuty(config: CompiledConfig, team: string | undefined, robotSetting: WhenNobodyOnDuty | undefined): WhenNobodyOnDuty {
  return robotSetting ?? (team ? config.teams.get(team)?.when_nobody_on_duty : undefined) ?? 'anyone';
}

/** Whom a pick, an alert or a call may take from `candidates` at `at`. */
export type DutyChoice = { kind: 'among'; logins: string[]; note: string | null } | { kind: 'manager' } | { kind: 'wait'; until: number };

/**
 * The candidates on duty; when none is, the fallback: all of them (`anyone`), the manager, or
 * wait for the first to come on duty. `wait` with nobody ever on duty again falls back to anyone.
 */
export function chooseOnDuty(config: CompiledConfig, candidates: readonly string[], at: number, fallback: WhenNobodyOnDuty): DutyChoice {
  const onDuty = onDutyAt(config, candidates, at);
  if (onDuty.length > 0 || candidates.length === 0) return { kind: 'among', logins: onDuty, note: null };
  if (fallback === 'manager') return { kind: 'manager' };
  if (fallback === 'wait') {
    const until = nextOnDutyOfAny(config, candidates, at);
    if (until !== null) return { kind: 'wait', until };
  }
  return { kind: 'among', logins: [...candidates], note: `nobody on duty (${candidates.join(', ')}), so anyone` };
}

/** A moment as people of the config read it: `Tue 03 Mar 09:00 (Europe/Moscow)`. */
export function wallClock(at: number, zone: string): string {
  return `${DateTime.fromMillis(at, { zone }).toFormat('ccc dd LLL HH:mm')} (${zone})`;
}
