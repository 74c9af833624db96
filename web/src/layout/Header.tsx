import { useLocation } from 'preact-iso';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import { LOCALES, useI18n } from '../i18n';
import { useLiveEvent, useLiveState } from '../live/stream';
import { paths } from '../paths';
import { seesAnalytics, seesAutomation, useSession } from '../session';
import { NotificationsBell } from '../components/notifications';

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');
}

/** Open tasks of the signed-in user, kept fresh by live item changes (a task's item changes with it). */
function useOpenTaskCount(): number | null {
  const [count, setCount] = useState<number | null>(null);
  const load = useCallback(() => {
    api<{ total: number }>('/api/tasks', { query: { assignee: 'me', status: 'open', limit: 1 } })
      .then((answer) => setCount(answer.total))
      .catch(() => setCount(null));
  }, []);
  useEffect(load, [load]);
  useLiveEvent('item', load);
  return count;
}

export function Header() {
  const { t, word, locale, setLocale } = useI18n();
  const { user, config, signOut } = useSession();
  const location = useLocation();
  const live = useLiveState();
  const [menuOpen, setMenuOpen] = useState(false);
  const [userOpen, setUserOpen] = useState(false);
  const tasks = useOpenTaskCount();
  const userMenu = useRef<HTMLDivElement>(null);

  // A new page closes the menus.
  useEffect(() => {
    setMenuOpen(false);
    setUserOpen(false);
  }, [location.url]);

  useEffect(() => {
    if (!userOpen) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !userMenu.current?.contains(event.target as Node)) setUserOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [userOpen]);

  const current = (href: string, exact = true) => (exact ? location.path === href : location.path.startsWith(href)) || undefined;
  const links = [
    { href: paths.leads(), label: t('nav.leads'), current: current(paths.leads()) },
    ...config.deals.map((pipeline) => ({ href: paths.deals(pipeline.key), label: word(pipeline.name, pipeline.key), current: current(paths.deals(pipeline.key)) })),
    { href: paths.list(), label: t('nav.list'), current: current(paths.list()) },
    {
      href: paths.tasks(),
      label: t('nav.tasks'),
      current: current(paths.tasks()),
      badge: tasks ? { text: String(tasks), label: t('nav.openTasks', { count: tasks }) } : undefined,
    },
    ...(seesAnalytics(user) ? [{ href: paths.analytics(), label: t('nav.analytics'), current: current(paths.analytics()) }] : []),
    ...(seesAutomation(user) ? [{ href: paths.automation(), label: t('nav.automation'), current: current(paths.automation()) }] : []),
  ];

  return (
    <header class="header">
      <a class="skip-link" href="#main">
        {t('nav.main')}
      </a>
      <a class="brand" href={paths.leads()}>
        {t('app.name')}
      </a>
      <button type="button" class="menu-button" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>
        <span aria-hidden="true">☰</span>
        <span class="visually-hidden">{t('nav.menu')}</span>
      </button>
      <nav id="main-nav" class={`main-nav${menuOpen ? ' open' : ''}`} aria-label={t('nav.main')}>
        <ul>
          {links.map((link) => (
            <li key={link.href}>
              <a href={link.href} aria-current={link.current ? 'page' : undefined}>
                {link.label}
                {link.badge && (
                  <span class="badge" title={link.badge.label}>
                    <span aria-hidden="true">{link.badge.text}</span>
                    <span class="visually-hidden">{link.badge.label}</span>
                  </span>
                )}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <span class={`live-dot ${live}`} role="img" aria-label={live === 'open' ? t('live.connected') : t('live.reconnecting')} title={live === 'open' ? t('live.connected') : t('live.reconnecting')} />
      <NotificationsBell />
      <div class="user-menu" ref={userMenu}>
        <button type="button" class="avatar" aria-haspopup="true" aria-expanded={userOpen} onClick={() => setUserOpen(!userOpen)}>
          <span aria-hidden="true" data-user-content>
            {initials(user.name)}
          </span>
          <span class="visually-hidden">{t('user.menu')}</span>
        </button>
        {userOpen && (
          <div class="popover" role="group" aria-label={t('user.menu')}>
            <p class="popover-title">
              <span data-user-content>{user.name}</span>
              <small>{t(`role.${user.role}`)}</small>
            </p>
            <fieldset class="language">
              <legend>{t('user.language')}</legend>
              {LOCALES.map((option) => (
                <label key={option}>
                  <input type="radio" name="language" value={option} checked={locale === option} onChange={() => setLocale(option)} />
                  <span lang={option}>{t(`language.${option}`)}</span>
                </label>
              ))}
            </fieldset>
            <button type="button" onClick={() => void signOut()}>
              {t('user.signOut')}
            </button>
          </div>
        )}
      </div>
    </header>
  );
}
