import { useState } from 'preact/hooks';
import type { NotificationEvent } from '../api/types';
import { useI18n } from '../i18n';
import { paths } from '../paths';

/** The notifications that came over the live stream since the page opened. */
export function Bell({ notifications, onRead }: { notifications: NotificationEvent[]; onRead: () => void }) {
  const { t, fmt } = useI18n();
  const [open, setOpen] = useState(false);
  const count = notifications.length;
  return (
    <div class="bell">
      <button type="button" class="icon-button" aria-expanded={open} onClick={() => setOpen(!open)} title={t('notifications.title')}>
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>
        <span class="visually-hidden">{count ? t('notifications.unread', { count }) : t('notifications.title')}</span>
        {count > 0 && (
          <span class="badge" aria-hidden="true">
            {count}
          </span>
        )}
      </button>
      {open && (
        <div class="popover" role="region" aria-label={t('notifications.title')}>
          {count === 0 ? (
            <p>{t('notifications.none')}</p>
          ) : (
            <ul class="notifications">
              {notifications.map((note, index) => (
                <li key={note.id ?? index}>
                  {note.item ? <a href={paths.item(note.item.kind, note.item.id)}>{note.text ?? note.title}</a> : <span>{note.text ?? note.title}</span>}
                  {note.created_at && <small> {fmt.dateTime(note.created_at)}</small>}
                </li>
              ))}
            </ul>
          )}
          {count > 0 && (
            <button
              type="button"
              onClick={() => {
                onRead();
                setOpen(false);
              }}
            >
              {t('common.close')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
