import './notifications.css';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import type { Kind } from '../api/types';
import { hasWord, useI18n } from '../i18n';
import { useLiveEvent, useLiveResync } from '../live/stream';
import { paths } from '../paths';
import { useSession } from '../session';
import { configZone, formatInZone } from './zone';

/** One notification as `GET /api/notifications` and the live `notification` event give it. */
export interface NotificationView {
  id: number | string;
  kind?: string;
  text?: string;
  title?: string;
  item?: { kind: Kind; id: number; title?: string | null } | null;
  at?: string;
  created_at?: string;
  read?: boolean;
}

interface NotificationList {
  items: NotificationView[];
  unread: number;
}

const LIMIT = 30;

/** The server starts a notification with an emoji for chat apps; the list has its own kind label (and not every system has the emoji's font). */
function textOf(note: NotificationView): string {
  return (note.text ?? note.title ?? '').replace(/^\p{Extended_Pictographic}\uFE0F?\s*/u, '');
}

/**
 * The bell in the header: the unread count, and on opening the latest notifications, each a link
 * to its item. New ones arrive over the live stream (event `notification`); opening one marks it
 * read. Escape or a click outside closes the list and gives focus back to the bell.
 */
export function NotificationsBell() {
  const { t, locale } = useI18n();
  const { config } = useSession();
  const zone = configZone(config);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<NotificationView[] | null>(null);
  const [unread, setUnread] = useState(0);
  const [unavailable, setUnavailable] = useState(false);
  const [announce, setAnnounce] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const bell = useRef<HTMLButtonElement>(null);

  // A list asked for before a "read" was sent must not bring the old count back.
  const generation = useRef(0);
  // What the stream brought, with the generation it came in: a list asked for before a note was
  // written does not hold it, and must not take it (or its count) away when it answers late —
  // the stream opening asks for the list again at the very moment notes may be arriving.
  const arrived = useRef<Array<{ note: NotificationView; generation: number }>>([]);

  const load = useCallback(async () => {
    const asked = ++generation.current;
    try {
      const answer = await api<NotificationList>('/api/notifications', { query: { limit: LIMIT } });
      if (asked !== generation.current) return;
      const known = new Set(answer.items.map((item) => item.id));
      const missed = arrived.current.filter((entry) => entry.generation >= asked && !known.has(entry.note.id)).map((entry) => entry.note);
      arrived.current = [];
      setItems([...missed, ...answer.items].slice(0, LIMIT));
      setUnread(answer.unread + missed.filter((note) => !note.read).length);
      setUnavailable(false);
    } catch (failure) {
      // A server without notifications yet (404): the bell stays, quiet, and live ones still show.
      if (failure instanceof ApiError && failure.status === 404) setUnavailable(true);
      setItems((current) => current ?? []);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);
  useLiveResync(load);
  useLiveEvent(
    'notification',
    useCallback(
      (event: unknown) => {
        const note = event as NotificationView;
        if (note.id === undefined) return;
        arrived.current = [...arrived.current, { note, generation: generation.current }].slice(-LIMIT);
        setItems((current) => [note, ...(current ?? []).filter((other) => other.id !== note.id)].slice(0, LIMIT));
        if (!note.read) setUnread((count) => count + 1);
        setAnnounce(t('notify.arrived', { text: textOf(note) }));
      },
      [t],
    ),
  );

  useEffect(() => {
    if (!open) return undefined;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent) {
        if (event.key !== 'Escape') return;
        setOpen(false);
        bell.current?.focus();
      } else if (!box.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  async function markRead(note: NotificationView) {
    if (note.read) return;
    setItems((current) => (current ?? []).map((other) => (other.id === note.id ? { ...other, read: true } : other)));
    setUnread((count) => Math.max(0, count - 1));
    generation.current += 1;
    if (!unavailable) await api(`/api/notifications/${note.id}/read`, { method: 'POST' }).catch(() => undefined);
  }

  async function readAll() {
    setItems((current) => (current ?? []).map((other) => ({ ...other, read: true })));
    setUnread(0);
    generation.current += 1;
    bell.current?.focus();
    if (!unavailable) await api('/api/notifications/read-all', { method: 'POST' }).catch(() => undefined);
  }

  const kindWord = (kind: string | undefined) => {
    const key = `notify.kind.${kind ?? 'other'}`;
    return hasWord(key) ? t(key) : t('notify.kind.other');
  };

  return (
    <div class="bell" ref={box}>
      <button
        type="button"
        ref={bell}
        class="icon-button"
        aria-expanded={open}
        aria-controls="notifications-list"
        onClick={() => {
          setOpen(!open);
          if (!open) void load();
        }}
        title={t('notifications.title')}
      >
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>
        <span class="visually-hidden">{unread ? t('notifications.unread', { count: unread }) : t('notifications.title')}</span>
        {unread > 0 && (
          <span class="badge" aria-hidden="true" data-unread={unread}>
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      <span class="visually-hidden" role="status" aria-live="polite">
        {announce}
      </span>
      {open && (
        <div class="popover notifications-popover" id="notifications-list" role="region" aria-label={t('notifications.title')}>
          <div class="popover-head">
            <h2>{t('notifications.title')}</h2>
            {unread > 0 && (
              <button type="button" class="link-button" onClick={() => void readAll()}>
                {t('notify.readAll')}
              </button>
            )}
          </div>
          {items === null ? (
            <p role="status">{t('notify.loading')}</p>
          ) : items.length === 0 ? (
            <p>{t('notifications.none')}</p>
          ) : (
            <ul class="notifications">
              {items.map((note) => {
                const text = textOf(note);
                const at = note.at ?? note.created_at;
                return (
                  <li key={note.id} class={note.read ? 'read' : 'unread'}>
                    <span class="notification-kind">{kindWord(note.kind)}</span>
                    {note.item ? (
                      <a href={paths.item(note.item.kind, note.item.id)} onClick={() => (void markRead(note), setOpen(false))}>
                        {text}
                      </a>
                    ) : (
                      <span>{text}</span>
                    )}
                    {note.item?.title && <span class="notification-item">{note.item.title}</span>}
                    {at && <time dateTime={at}>{formatInZone(at, locale, zone, Date.now())}</time>}
                    {!note.read && (
                      <button type="button" class="link-button" aria-label={t('notify.markRead', { text })} onClick={() => void markRead(note)}>
                        ✓
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
