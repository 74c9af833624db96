import '../../components/page.css';
import './tasks.css';
import { useLocation } from 'preact-iso';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import { configZone, zoneLabel } from '../../components/zone';
import { useI18n } from '../../i18n';
import { useLiveEvent, useLiveResync } from '../../live/stream';
import { paths } from '../../paths';
import { useSession } from '../../session';
import type { TaskListResponse, TaskView } from '../item/types';
import { apiStatusOf, byDue, tabOf, TASK_TABS, type TaskTab } from './buckets';
import { TaskRow } from './TaskRow';

const LIMIT = 200;

/**
 * /board/tasks — the signed-in person's tasks by when they are due (today and "upcoming" are the
 * config's days), the done ones apart; managers, ops and admins choose whose tasks they see.
 * Done, reschedule and reassign work in the row; each row links to its item.
 */
export function TasksPage() {
  const { t, locale, error: problemWords } = useI18n();
  const { config, user } = useSession();
  const location = useLocation();
  const zone = configZone(config);
  const tab: TaskTab = TASK_TABS.includes(location.query.tab as TaskTab) ? (location.query.tab as TaskTab) : 'open';
  const oversees = user.role === 'manager' || user.role === 'ops' || user.role === 'admin';
  const assignee = oversees && location.query.assignee ? location.query.assignee : 'me';
  // The list with the query it answers: a list of another tab or person is never shown for this one.
  const [loaded, setLoaded] = useState<{ key: string; tasks: TaskView[]; total: number } | null>(null);
  const key = `${apiStatusOf(tab)}:${assignee}`;
  const tasks = loaded?.key === key ? loaded.tasks : null;
  const total = loaded?.key === key ? loaded.total : 0;
  const [said, setSaid] = useState('');
  const [problem, setProblem] = useState('');
  const list = useRef<HTMLUListElement>(null);
  const now = Date.now();

  const load = useCallback(async () => {
    try {
      const answer = await api<TaskListResponse>('/api/tasks', { query: { status: apiStatusOf(tab), assignee: assignee === 'all' ? undefined : assignee, limit: LIMIT } });
      setLoaded({ key: `${apiStatusOf(tab)}:${assignee}`, tasks: answer.tasks, total: answer.total });
      setProblem('');
    } catch (failure) {
      if (failure instanceof ApiError && failure.status !== 401) setProblem(problemWords(failure.code, failure.status));
    }
  }, [tab, assignee, problemWords]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    document.title = t('app.title', { page: t('tasks.title') });
  }, [t]);
  // A task changes with its item (the stream tells of the item): the list is read again.
  useLiveEvent('item', load);
  useLiveResync(load);

  const go = (next: { tab?: TaskTab; assignee?: string }) => {
    const query = new URLSearchParams();
    const nextTab = next.tab ?? tab;
    const nextAssignee = next.assignee ?? assignee;
    if (nextTab !== 'open') query.set('tab', nextTab);
    if (nextAssignee !== 'me') query.set('assignee', nextAssignee);
    const search = query.toString();
    location.route(`${paths.tasks()}${search ? `?${search}` : ''}`);
  };

  const shown = (tasks ?? []).filter((task) => tab === 'open' || tabOf(task, now, zone) === tab).sort(byDue);

  const afterChange = (changed: TaskView, message: string) => {
    setSaid(message);
    const index = shown.findIndex((task) => task.id === changed.id);
    void load().then(() =>
      requestAnimationFrame(() => {
        // The row may have left this tab (done, or moved to another day): focus the next one, else the list.
        const row = list.current?.querySelector<HTMLElement>(`[data-task="${changed.id}"] .task-actions button`);
        if (row) return;
        const rows = list.current?.querySelectorAll<HTMLElement>('[data-task] .task-actions button.primary, [data-task] .task-actions button:first-child');
        const next = rows?.[Math.min(index, (rows?.length ?? 1) - 1)];
        (next ?? list.current)?.focus();
      }),
    );
  };

  const people = config.users;
  return (
    <section class="tasks-page" aria-labelledby="tasks-title">
      <header class="page-head">
        <h1 id="tasks-title">{t('tasks.title')}</h1>
        {oversees && (
          <label class="field inline">
            <span>{t('tasks.assignee')}</span>
            <select value={assignee} onChange={(event) => go({ assignee: event.currentTarget.value })}>
              <option value="me">{t('tasks.assignee.me')}</option>
              <option value="all">{t('tasks.assignee.all')}</option>
              {people
                .filter((person) => person.login !== user.login)
                .map((person) => (
                  <option key={person.login} value={person.login} data-user-content>
                    {person.name}
                  </option>
                ))}
            </select>
          </label>
        )}
      </header>
      <nav class="segmented" aria-label={t('tasks.tabs')}>
        {TASK_TABS.map((name) => (
          <a
            key={name}
            href={`${paths.tasks()}?${new URLSearchParams({ ...(name !== 'open' ? { tab: name } : {}), ...(assignee !== 'me' ? { assignee } : {}) }).toString()}`}
            aria-current={tab === name ? 'page' : undefined}
          >
            {name === 'open' && assignee !== 'me' ? t('tasks.tab.openOf') : t(`tasks.tab.${name}`)}
          </a>
        ))}
      </nav>
      <p class="hint">{t('tasks.zone', { zone: zoneLabel(zone, locale) })}</p>
      <p class="status-line" role="status" aria-live="polite">
        {said}
      </p>
      {problem && (
        <p class="form-error" role="alert">
          {problem}
        </p>
      )}
      {tasks === null ? (
        <p role="status">{t('tasks.loading')}</p>
      ) : shown.length === 0 ? (
        <p class="hint">{t('tasks.none')}</p>
      ) : (
        <>
          <ul class="task-list" ref={list} tabIndex={-1} aria-label={t('tasks.count', { count: shown.length })}>
            {shown.map((task) => (
              <TaskRow key={task.id} task={task} now={now} showItem people={people} onChanged={afterChange} onFailed={setProblem} />
            ))}
          </ul>
          {total > tasks.length && <p class="hint">{t('tasks.more', { shown: tasks.length, total })}</p>}
        </>
      )}
    </section>
  );
}
