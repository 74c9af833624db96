import type { EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { DateTime } from 'luxon';
import type { Locale } from '../../config/schema';
import type { EntityKind, NotificationKind, NotificationRow } from '../core/rows';
import { NotificationEntity } from '../db/entities';
import { insertOneIfAbsent } from '../db/hot-path';

/** A notification to write: keyed, so writing it twice (a retried run, a resent message) writes it once. */
export type NewNotification = Omit<NotificationRow, 'id' | 'readAt'>;

/**
 * Writes a person's notification inside the caller's transaction (the one that records the send,
 * or the task), unless one with its key is there already. Returns the row when this call wrote it:
 * only then is it published.
 */
export async function insertNotification(manager: EntityManager, notification: NewNotification): Promise<NotificationRow | null> {
  const written = await insertOneIfAbsent(manager, NotificationEntity, { ...notification, readAt: null }, 'key');
  return written ? { ...written, readAt: null } : null;
}

/** What a listener is told: enough to load it and to know whose stream it goes to. */
export interface NotificationPublished {
  id: number;
  login: string;
}

export type NotificationListener = (notification: NotificationPublished) => void;

/** `notification:42:anna` between processes (the Postgres NOTIFY channel item changes use too). */
const LINE = /^notification:([1-9][0-9]{0,9}):(.+)$/;

/**
 * Notifications written, told to whoever listens (the live streams of their person, the relay to
 * other processes) once committed: writers publish after their own transaction has resolved.
 */
export class NotificationFeed {
  private readonly listeners = new Set<NotificationListener>();
  /** Only what was written here goes to other processes: what came from them is not sent back. */
  private relayTo: NotificationListener | null = null;

  constructor(private readonly logger: Pick<Logger, 'error'>) {}

  subscribe(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Call only after the transaction that wrote them has committed. */
  publish(notifications: ReadonlyArray<Pick<NotificationRow, 'id' | 'login'>>): void {
    for (const { id, login } of notifications) this.emit({ id, login }, 'here');
  }

  /** Lines from another process; lines that are not notifications (item changes) are ignored. */
  receive(text: string): void {
    for (const line of text.split('\n')) {
      const match = LINE.exec(line);
      if (match) this.emit({ id: Number(match[1]), login: decodeURIComponent(match[2]!) }, 'elsewhere');
    }
  }

  /** Hands every notification written here to `send`, as a line (the Postgres NOTIFY to other processes). */
  relay(send: (line: string) => void): () => void {
    this.relayTo = (notification) => send(`notification:${notification.id}:${encodeURIComponent(notification.login)}`);
    return () => {
      this.relayTo = null;
    };
  }

  private emit(notification: NotificationPublished, origin: 'here' | 'elsewhere'): void {
    if (origin === 'here') this.relayTo?.(notification);
    for (const listener of [...this.listeners]) {
      // Already committed: a listener's failure must not become the writer's error.
      try {
        listener(notification);
      } catch (error) {
        this.logger.error({ err: error, notification }, 'a notification listener failed');
      }
    }
  }
}

/** The words of a task notification, in the config's locale. */
export function taskNotificationText(locale: Locale, timezone: string, change: 'created' | 'reassigned', task: { title: string; dueAt: number | null }, by: string | null): string {
  const due = task.dueAt === null ? null : DateTime.fromMillis(task.dueAt, { zone: timezone }).toFormat('dd.LL HH:mm');
  if (locale === 'ru') {
    const head = change === 'created' ? 'Новая задача' : 'Вам передана задача';
    return `📝 ${head}: «${task.title}»${due ? `, срок ${due}` : ''}${by ? ` (от ${by})` : ''}`;
  }
  const head = change === 'created' ? 'New task' : 'Task handed to you';
  return `📝 ${head}: “${task.title}”${due ? `, due ${due}` : ''}${by ? ` (from ${by})` : ''}`;
}

/** A task's notification for its assignee; none when they gave it to themselves or it has nobody. */
export function taskNotification(
  settings: { locale: Locale; timezone: string },
  task: { id: number; entityType: EntityKind; entityId: number; title: string; dueAt: number | null },
  assignee: string | null,
  by: string | null,
  change: { kind: 'created' } | { kind: 'reassigned'; changeId: number },
  now: number,
): NewNotification | null {
  if (assignee === null || assignee === by) return null;
  const kind: NotificationKind = 'task';
  return {
    login: assignee,
    entityType: task.entityType,
    entityId: task.entityId,
    kind,
    text: taskNotificationText(settings.locale, settings.timezone, change.kind, task, by),
    key: change.kind === 'created' ? `task:${task.id}:assigned:${assignee}` : `task-change:${change.changeId}`,
    createdAt: now,
  };
}
