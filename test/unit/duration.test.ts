import { isDuration, parseDuration } from '../../config/duration';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['10m', 10 * MINUTE],
    ['2h', 2 * HOUR],
    ['3d', 3 * DAY],
    ['1w', 7 * DAY],
    ['1d12h', 36 * HOUR],
    ['1w2d3h4m5s', 9 * DAY + 3 * HOUR + 4 * MINUTE + 5_000],
    ['90m', 90 * MINUTE],
    ['PT30M', 30 * MINUTE],
    ['pt30m', 30 * MINUTE],
    ['P1DT2H', DAY + 2 * HOUR],
    ['  10m  ', 10 * MINUTE],
  ])('accepts %j as %i ms', (text, millis) => {
    const duration = parseDuration(text);
    expect(duration).not.toBeNull();
    expect(duration!.toMillis()).toBe(millis);
    expect(isDuration(text)).toBe(true);
  });

  it('keeps days as calendar days, so `after: 1d` can honour DST', () => {
    expect(parseDuration('1d12h')!.toObject()).toMatchObject({ days: 1, hours: 12 });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'blank'],
    ['10', 'a number without a unit'],
    ['5x', 'an unknown unit'],
    ['m10', 'the unit before the number'],
    ['1.5h', 'a fraction'],
    ['12h1d', 'units out of order'],
    ['-5m', 'a negative delay'],
    ['10 m', 'a space inside'],
    ['P', 'an empty ISO duration'],
    ['PT', 'an empty ISO time part'],
    ['1y', 'years (not a supported unit)'],
  ])('rejects %j (%s)', (text) => {
    expect(parseDuration(text)).toBeNull();
    expect(isDuration(text)).toBe(false);
  });
});
