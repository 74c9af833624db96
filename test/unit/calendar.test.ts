import { DateTime } from 'luxon';
import { calendarFromConfig, computeDueAt, nextTimeOfDay, nextWorkingMoment, retryDelay, type WorkingCalendar } from '../../server/core/calendar';

const HOUR = 3_600_000;

/** A calendar with every field defaulted to the office the README describes; override what a case needs. */
function calendar(overrides: { timezone?: string; holidays?: string[]; working_days?: Array<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'>; start?: string; end?: string } = {}): WorkingCalendar {
  return calendarFromConfig({
    timezone: overrides.timezone ?? 'Europe/Moscow',
    calendar: {
      working_days: overrides.working_days ?? ['mon', 'tue', 'wed', 'thu', 'fri'],
      working_hours: { start: overrides.start ?? '09:00', end: overrides.end ?? '18:00' },
      holidays: overrides.holidays ?? [],
    },
  });
}

/** Milliseconds of a local wall-clock time, written `2026-03-13T17:30`. */
function at(local: string, zone = 'Europe/Moscow'): number {
  const moment = DateTime.fromISO(local, { zone });
  if (!moment.isValid) throw new Error(`bad test time ${local}`);
  return moment.toMillis();
}

/** The wall-clock time users would read, `2026-03-16T09:00 Mon`. */
function wall(millis: number, zone = 'Europe/Moscow'): string {
  return DateTime.fromMillis(millis, { zone }).toFormat("yyyy-MM-dd'T'HH:mm ccc");
}

describe('calendarFromConfig', () => {
  it('turns the YAML calendar into weekday numbers, minutes and a holiday set', () => {
    const built = calendar({ working_days: ['mon', 'sat', 'sun'], start: '08:30', end: '17:45', holidays: ['2026-01-01'] });
    expect(built).toEqual({
      zone: 'Europe/Moscow',
      workingDays: new Set([1, 6, 7]),
      startMinute: 8 * 60 + 30,
      endMinute: 17 * 60 + 45,
      holidays: new Set(['2026-01-01']),
    });
  });
});

describe('nextWorkingMoment', () => {
  // 2026-03-13 is a Friday.
  it.each([
    ['inside working hours stays put', '2026-03-11T10:15', '2026-03-11T10:15 Wed'],
    ['before opening waits for 09:00 the same day', '2026-03-11T07:00', '2026-03-11T09:00 Wed'],
    ['exactly at opening stays put', '2026-03-11T09:00', '2026-03-11T09:00 Wed'],
    ['exactly at closing moves to the next morning', '2026-03-11T18:00', '2026-03-12T09:00 Thu'],
    ['after closing on Friday waits for Monday', '2026-03-13T19:30', '2026-03-16T09:00 Mon'],
    ['on Saturday waits for Monday', '2026-03-14T12:00', '2026-03-16T09:00 Mon'],
    ['late on Sunday waits for Monday', '2026-03-15T23:59', '2026-03-16T09:00 Mon'],
  ])('a moment %s', (_, moment, expected) => {
    expect(wall(nextWorkingMoment(at(moment), calendar()))).toBe(expected);
  });

  it('skips holidays as if they were weekend days', () => {
    // 2026-05-01 (Fri) is a holiday: Thursday evening waits for Monday 4 May.
    const withHoliday = calendar({ holidays: ['2026-05-01'] });
    expect(wall(nextWorkingMoment(at('2026-04-30T19:00'), withHoliday))).toBe('2026-05-04T09:00 Mon');
    expect(wall(nextWorkingMoment(at('2026-05-01T11:00'), withHoliday))).toBe('2026-05-04T09:00 Mon');
    expect(wall(nextWorkingMoment(at('2026-05-01T11:00'), calendar()))).toBe('2026-05-01T11:00 Fri');
  });

  it('reads working hours in the config time zone, not UTC', () => {
    // 07:30 UTC is 10:30 in Moscow (inside hours) but 02:30 in New York (before opening).
    const instant = Date.UTC(2026, 2, 11, 7, 30);
    expect(nextWorkingMoment(instant, calendar())).toBe(instant);
    expect(wall(nextWorkingMoment(instant, calendar({ timezone: 'America/New_York' })), 'America/New_York')).toBe('2026-03-11T09:00 Wed');
  });

  it('fails loudly when the calendar has no working time at all', () => {
    expect(() => nextWorkingMoment(at('2026-03-11T10:00'), calendar({ working_days: [] }))).toThrow(/no working time/);
  });
});

describe('nextTimeOfDay', () => {
  it.each([
    ['earlier the same day', '2026-03-11T08:00', '2026-03-11T10:00 Wed'],
    ['exactly then', '2026-03-11T10:00', '2026-03-11T10:00 Wed'],
    ['already past today', '2026-03-11T10:01', '2026-03-12T10:00 Thu'],
  ])('from a moment %s gives the next 10:00', (_, moment, expected) => {
    expect(wall(nextTimeOfDay(at(moment), '10:00', 'Europe/Moscow'))).toBe(expected);
  });

  it('lands on 10:00 wall-clock the day after a DST change (23 hours later in Berlin)', () => {
    const from = at('2026-03-28T12:00', 'Europe/Berlin');
    const due = nextTimeOfDay(from, '10:00', 'Europe/Berlin');
    expect(wall(due, 'Europe/Berlin')).toBe('2026-03-29T10:00 Sun');
    expect(due - from).toBe(21 * HOUR);
  });
});

describe('computeDueAt', () => {
  it('is the entry moment itself when the robot has no timing', () => {
    expect(computeDueAt({}, at('2026-03-14T03:00'), calendar())).toBe(at('2026-03-14T03:00'));
  });

  it('adds `after` in clock time regardless of the calendar when working_hours is off', () => {
    expect(wall(computeDueAt({ after: '2h' }, at('2026-03-13T17:30'), calendar()))).toBe('2026-03-13T19:30 Fri');
  });

  it('with working_hours, Friday 17:30 + 2h lands at Monday opening (hours are not counted, the result is shifted)', () => {
    expect(wall(computeDueAt({ after: '2h', working_hours: true }, at('2026-03-13T17:30'), calendar()))).toBe('2026-03-16T09:00 Mon');
  });

  it('with working_hours, a delay ending inside hours is kept as is', () => {
    expect(wall(computeDueAt({ after: '30m', working_hours: true }, at('2026-03-13T17:00'), calendar()))).toBe('2026-03-13T17:30 Fri');
  });

  it('with working_hours, a lead arriving on a holiday night is handled the next working morning', () => {
    const due = computeDueAt({ after: '30m', working_hours: true }, at('2026-04-30T23:50'), calendar({ holidays: ['2026-05-01'] }));
    expect(wall(due)).toBe('2026-05-04T09:00 Mon');
  });

  it('`at: "10:00"` waits for the next 10:00 after the delay', () => {
    expect(wall(computeDueAt({ at: '10:00' }, at('2026-03-11T08:15'), calendar()))).toBe('2026-03-11T10:00 Wed');
    expect(wall(computeDueAt({ at: '10:00' }, at('2026-03-11T11:00'), calendar()))).toBe('2026-03-12T10:00 Thu');
    expect(wall(computeDueAt({ after: '1d', at: '10:00' }, at('2026-03-11T15:00'), calendar()))).toBe('2026-03-13T10:00 Fri');
  });

  it('`after: 2d`, `at: "10:00"` and working_hours from Thursday gives Monday 10:00, not Monday 09:00', () => {
    const due = computeDueAt({ after: '2d', at: '10:00', working_hours: true }, at('2026-03-12T15:00'), calendar());
    expect(wall(due)).toBe('2026-03-16T10:00 Mon');
  });

  it('`at` with working_hours skips a holiday to the next working day at that time', () => {
    const due = computeDueAt({ at: '10:00', working_hours: true }, at('2026-04-30T12:00'), calendar({ holidays: ['2026-05-01'] }));
    expect(wall(due)).toBe('2026-05-04T10:00 Mon');
  });

  it.each([
    ['08:00', 'before opening', '2026-03-11T10:00', '2026-03-12T09:00 Thu'],
    ['20:00', 'after closing', '2026-03-11T10:00', '2026-03-12T09:00 Thu'],
    ['20:00', 'after closing, on a Friday', '2026-03-13T10:00', '2026-03-16T09:00 Mon'],
  ])('`at: "%s"` (%s) with working_hours runs at the next opening after it, never at night or a year later', (time, _, from, expected) => {
    expect(wall(computeDueAt({ at: time, working_hours: true }, at(from), calendar()))).toBe(expected);
  });

  describe('across a DST change', () => {
    it.each([
      ['Europe/Berlin', '2026-03-28T10:00', '2026-03-29T10:00 Sun', 23],
      ['America/New_York', '2026-03-07T09:30', '2026-03-08T09:30 Sun', 23],
      ['Europe/Berlin', '2026-10-24T10:00', '2026-10-25T10:00 Sun', 25],
    ])('in %s `after: 1d` from %s keeps the wall-clock time (%s, %i real hours)', (zone, from, expected, hours) => {
      const start = at(from, zone);
      const due = computeDueAt({ after: '1d' }, start, calendar({ timezone: zone }));
      expect(wall(due, zone)).toBe(expected);
      expect(due - start).toBe(hours * HOUR);
    });

    it('`after: 24h` counts real hours, so it shows 11:00 after spring-forward', () => {
      const start = at('2026-03-28T10:00', 'Europe/Berlin');
      const due = computeDueAt({ after: '24h' }, start, calendar({ timezone: 'Europe/Berlin' }));
      expect(due - start).toBe(24 * HOUR);
      expect(wall(due, 'Europe/Berlin')).toBe('2026-03-29T11:00 Sun');
    });
  });
});

describe('retryDelay', () => {
  const base = 30_000;

  it.each([
    [1, 30_000],
    [2, 60_000],
    [3, 120_000],
    [4, 240_000],
    [0, 30_000],
  ])('attempt %i waits %i ms (doubling from retry_backoff)', (attempt, expected) => {
    expect(retryDelay(attempt, base)).toBe(expected);
  });

  it('never waits more than a day', () => {
    expect(retryDelay(30, base)).toBe(24 * HOUR);
  });

  it("uses the provider's retry-after instead of the backoff when given", () => {
    expect(retryDelay(4, base, 5_000)).toBe(5_000);
    expect(retryDelay(1, base, 10 * 60_000)).toBe(10 * 60_000);
  });

  it('ignores a zero or negative retry-after', () => {
    expect(retryDelay(2, base, 0)).toBe(60_000);
    expect(retryDelay(2, base, -1)).toBe(60_000);
  });
});
