import { DateTime } from 'luxon';

/** The presets of the date range; `custom` is whatever the two day inputs say. */
export type RangePreset = 'today' | 'week' | 'month' | 'last30' | 'custom';

/** Both days are included: today→today is one whole day (YYYY-MM-DD, the config's time zone). */
export interface DayRange {
  from: string;
  to: string;
}

/**
 * The days a preset covers as the sales team counts them: in the config's time zone (a Moscow
 * team's "today" starts at Moscow's midnight, wherever the browser is), weeks start on Monday.
 */
export function presetRange(preset: Exclude<RangePreset, 'custom'>, now: number, zone: string): DayRange {
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  const day = (value: DateTime) => value.toISODate() ?? '';
  switch (preset) {
    case 'today':
      return { from: day(today), to: day(today) };
    case 'week':
      return { from: day(today.startOf('week')), to: day(today) };
    case 'month':
      return { from: day(today.startOf('month')), to: day(today) };
    case 'last30':
      return { from: day(today.minus({ days: 29 })), to: day(today) };
  }
}

/** Which preset a range is, so a link with `from`/`to` shows the right button pressed. */
export function presetOf(range: DayRange, now: number, zone: string): RangePreset {
  for (const preset of ['today', 'week', 'month', 'last30'] as const) {
    const candidate = presetRange(preset, now, zone);
    if (candidate.from === range.from && candidate.to === range.to) return preset;
  }
  return 'custom';
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A range typed by hand: both days real, the first not after the second. */
export function isValidRange(range: DayRange): boolean {
  if (!ISO_DAY.test(range.from) || !ISO_DAY.test(range.to)) return false;
  if (!DateTime.fromISO(range.from).isValid || !DateTime.fromISO(range.to).isValid) return false;
  return range.from <= range.to;
}
