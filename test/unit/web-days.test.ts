import { isValidRange, presetOf, presetRange } from '../../web/src/pages/analytics/range';
import { fromLocalInput, tabOf, toLocalInput } from '../../web/src/pages/tasks/buckets';

/** The web pages count days as the sales team does: in the config's zone, not the browser's. */
describe("the pages' days are the config's", () => {
  // Sunday 1 March 2026, 23:30 in Moscow; still Sunday 21:30 in Berlin's eyes, but Moscow's day is what counts.
  const lateSunday = Date.parse('2026-03-01T23:30:00+03:00');
  // Monday 2 March, 00:30 in Moscow: Sunday 21:30 in UTC.
  const earlyMonday = Date.parse('2026-03-02T00:30:00+03:00');

  it.each([
    ['today', earlyMonday, { from: '2026-03-02', to: '2026-03-02' }],
    ['week', earlyMonday, { from: '2026-03-02', to: '2026-03-02' }],
    ['week', lateSunday, { from: '2026-02-23', to: '2026-03-01' }],
    ['month', lateSunday, { from: '2026-03-01', to: '2026-03-01' }],
    ['last30', earlyMonday, { from: '2026-02-01', to: '2026-03-02' }],
  ] as const)('%s at %p in Moscow is %p, both days included', (preset, now, range) => {
    expect(presetRange(preset, now, 'Europe/Moscow')).toEqual(range);
    // A range that is also today's shows as "Today" pressed.
    expect(presetOf(range, now, 'Europe/Moscow')).toBe(range.from === range.to ? 'today' : preset);
  });

  it('a typed range is two real days, the first not after the second', () => {
    expect(isValidRange({ from: '2026-03-01', to: '2026-03-01' })).toBe(true);
    expect(isValidRange({ from: '2026-03-02', to: '2026-03-01' })).toBe(false);
    expect(isValidRange({ from: '2026-02-30', to: '2026-03-01' })).toBe(false);
    expect(isValidRange({ from: '', to: '2026-03-01' })).toBe(false);
  });

  it.each([
    ['due later today in Moscow', { status: 'open', overdue: false, due_at: '2026-03-02T20:00:00.000Z' }, 'today'], // 23:00 Moscow
    ['due after Moscow midnight', { status: 'open', overdue: false, due_at: '2026-03-02T21:30:00.000Z' }, 'upcoming'], // 00:30 on the 3rd
    ['past due, not yet swept', { status: 'open', overdue: false, due_at: '2026-03-02T08:00:00.000Z' }, 'overdue'],
    ['marked overdue by the server', { status: 'open', overdue: true, due_at: '2026-03-02T20:00:00.000Z' }, 'overdue'],
    ['without a due time', { status: 'open', overdue: false, due_at: null }, 'upcoming'],
    ['done', { status: 'done', overdue: true, due_at: '2026-03-01T08:00:00.000Z' }, 'done'],
  ] as const)('a task %s is in the %p tab', (_what, task, tab) => {
    expect(tabOf(task, Date.parse('2026-03-02T12:00:00+03:00'), 'Europe/Moscow')).toBe(tab);
  });

  it("a due time typed in the page is the config's local time, whatever the browser's zone", () => {
    expect(fromLocalInput('2026-03-03T12:00', 'Europe/Moscow')).toBe('2026-03-03T09:00:00.000Z');
    expect(toLocalInput('2026-03-03T09:00:00.000Z', 'Europe/Moscow')).toBe('2026-03-03T12:00');
    expect(fromLocalInput('', 'Europe/Moscow')).toBeNull();
  });
});
