import { DateTime } from 'luxon';
import { formatInZone } from '../../components/zone';

/** The tabs of the task page: every open task, then open ones by when they are due, then the done ones. */
export type TaskTab = 'open' | 'overdue' | 'today' | 'upcoming' | 'done';
export const TASK_TABS: readonly TaskTab[] = ['open', 'overdue', 'today', 'upcoming', 'done'];

export interface TaskLike {
  status: string;
  overdue: boolean;
  due_at: string | null;
}

/**
 * Where an open task belongs. "Today" is the config's day (a Moscow team's tasks roll over at
 * Moscow's midnight); a task with no due time is upcoming; the server's `overdue` flag wins.
 */
export function tabOf(task: TaskLike, now: number, zone: string): Exclude<TaskTab, 'open'> {
  if (task.status === 'done') return 'done';
  if (task.overdue) return 'overdue';
  if (task.due_at === null) return 'upcoming';
  const due = DateTime.fromISO(task.due_at, { zone });
  if (due.toMillis() < now) return 'overdue';
  return due.hasSame(DateTime.fromMillis(now, { zone }), 'day') ? 'today' : 'upcoming';
}

/** The status the API filters by for a tab; today and upcoming are open tasks split here. */
export function apiStatusOf(tab: TaskTab): 'open' | 'overdue' | 'done' {
  return tab === 'overdue' ? 'overdue' : tab === 'done' ? 'done' : 'open';
}

/** Open tasks soonest first (no due time last); done ones latest first. */
export function byDue(a: TaskLike & { completed_at?: string | null }, b: TaskLike & { completed_at?: string | null }): number {
  if (a.status === 'done' && b.status === 'done') return (b.completed_at ?? '').localeCompare(a.completed_at ?? '');
  if (a.due_at === null) return b.due_at === null ? 0 : 1;
  if (b.due_at === null) return -1;
  return a.due_at.localeCompare(b.due_at);
}

/** `2026-12-06T14:00` for a `datetime-local` input, read in the config's zone. */
export function toLocalInput(iso: string | null, zone: string): string {
  if (iso === null) return '';
  return DateTime.fromISO(iso, { zone }).toFormat("yyyy-LL-dd'T'HH:mm");
}

/** What a `datetime-local` input means, taken in the config's zone (not the browser's): an ISO instant. */
export function fromLocalInput(value: string, zone: string): string | null {
  if (!value) return null;
  const when = DateTime.fromISO(value, { zone });
  return when.isValid ? when.toUTC().toISO() : null;
}

/** `6 дек., 14:00` / `6 Dec, 14:00` in the config's zone; the year only when it is not this one. */
export const formatWhen = formatInZone;
