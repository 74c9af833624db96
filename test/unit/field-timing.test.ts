import { DateTime } from 'luxon';
import { calendarFromConfig, type WorkingCalendar } from '../../server/core/calendar';
import { dueFromField, fieldMoment, fieldTimingOf, previousWorkingMoment } from '../../server/core/field-timing';

function calendar(timezone = 'Europe/Moscow', holidays: string[] = []): WorkingCalendar {
  return calendarFromConfig({ timezone, calendar: { working_days: ['mon', 'tue', 'wed', 'thu', 'fri'], working_hours: { start: '09:00', end: '18:00' }, holidays } });
}

/** The wall-clock time a clinic's administrator reads, `2026-03-16T09:00 Mon`. */
function wall(millis: number | null, zone = 'Europe/Moscow'): string | null {
  return millis === null ? null : DateTime.fromMillis(millis, { zone }).toFormat("yyyy-MM-dd'T'HH:mm ccc");
}

describe('a reminder timed from the appointment field', () => {
  it.each([
    // appointment (as the field holds it), offset, working hours, zone → due (wall clock in that zone)
    ['2026-03-18T10:00:00+03:00', '-1d', false, 'Europe/Moscow', '2026-03-17T10:00 Tue'],
    ['2026-03-18T10:00:00+03:00', '-2h', false, 'Europe/Moscow', '2026-03-18T08:00 Wed'],
    ['2026-03-18T10:00:00+03:00', '+1d', false, 'Europe/Moscow', '2026-03-19T10:00 Thu'],
    ['2026-03-18T10:00:00+03:00', '3h', false, 'Europe/Moscow', '2026-03-18T13:00 Wed'],
    ['2026-03-18T10:00:00+03:00', '0m', false, 'Europe/Moscow', '2026-03-18T10:00 Wed'],
    // a datetime written without an offset is read in the config's zone
    ['2026-03-18T10:00', '-1d', false, 'Asia/Yekaterinburg', '2026-03-17T10:00 Tue'],
    // a bare date is midnight in the zone
    ['2026-03-18', '-1d', false, 'Europe/Moscow', '2026-03-17T00:00 Tue'],
    // a day before a Monday 10:00 appointment is Sunday: with working hours it goes out on Friday's last working minute
    ['2026-03-16T10:00:00+03:00', '-1d', true, 'Europe/Moscow', '2026-03-13T17:59 Fri'],
    // two hours before a 10:00 appointment is 08:00, before opening: the day before, at its end
    ['2026-03-18T10:00:00+03:00', '-2h', true, 'Europe/Moscow', '2026-03-17T17:59 Tue'],
    // inside working hours it stays
    ['2026-03-18T15:00:00+03:00', '-3h', true, 'Europe/Moscow', '2026-03-18T12:00 Wed'],
    // a follow-up after a Friday 17:00 visit, a day later, is Saturday: Monday morning with working hours
    ['2026-03-13T17:00:00+03:00', '+1d', true, 'Europe/Moscow', '2026-03-16T09:00 Mon'],
  ])('%s %s (working hours %s, %s) is due %s', (appointment, offset, workingHours, zone, due) => {
    expect(wall(dueFromField({ field: 'appointment_at', offset }, appointment, calendar(zone), workingHours), zone)).toBe(due);
  });

  it('a day before across the spring DST change keeps the wall-clock time (Berlin, 29 March 2026)', () => {
    const zone = 'Europe/Berlin';
    const due = dueFromField({ field: 'appointment_at', offset: '-1d' }, '2026-03-29T10:00', calendar(zone), false);
    expect(wall(due, zone)).toBe('2026-03-28T10:00 Sat');
    // 23 hours of real time, not 24: the night between lost an hour
    expect((Date.parse('2026-03-29T08:00:00Z') - (due ?? 0)) / 3_600_000).toBe(23);
  });

  it('a day before across the autumn DST change keeps the wall-clock time (New York, 1 November 2026)', () => {
    const zone = 'America/New_York';
    const due = dueFromField({ field: 'appointment_at', offset: '-1d' }, '2026-11-02T09:30', calendar(zone), false);
    expect(wall(due, zone)).toBe('2026-11-01T09:30 Sun');
  });

  it('a holiday before the appointment is passed over backwards', () => {
    const due = dueFromField({ field: 'appointment_at', offset: '-1d' }, '2026-03-10T11:00:00+03:00', calendar('Europe/Moscow', ['2026-03-09']), true);
    expect(wall(due)).toBe('2026-03-06T17:59 Fri');
  });

  it.each([[null], [undefined], [''], ['not a date'], [{}]])('an empty or unreadable field (%p) gives no due time', (value) => {
    expect(dueFromField({ field: 'appointment_at', offset: '-1d' }, value, calendar(), false)).toBeNull();
    expect(fieldMoment(value, 'Europe/Moscow')).toBeNull();
  });

  it('tells a field timing from a time of day', () => {
    expect(fieldTimingOf({ at: '10:00' })).toBeNull();
    expect(fieldTimingOf({})).toBeNull();
    expect(fieldTimingOf({ at: { field: 'appointment_at', offset: '-1d' } })).toEqual({ field: 'appointment_at', offset: '-1d' });
  });

  it('the previous working moment of a moment inside working hours is itself', () => {
    const moment = Date.parse('2026-03-18T12:34:00+03:00');
    expect(previousWorkingMoment(moment, calendar())).toBe(moment);
  });
});
