import { useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import type { ItemView } from '../../api/types';
import { configZone, zoneLabel } from '../../components/zone';
import { useI18n } from '../../i18n';
import { useSession } from '../../session';
import { byDue, fromLocalInput } from '../tasks/buckets';
import { TaskRow } from '../tasks/TaskRow';
import type { TaskView } from './types';

interface ItemTasksProps {
  item: ItemView;
  tasks: TaskView[];
  editable: boolean;
  onChanged(said: string): void;
}

/** The item's tasks, open ones first, and a form for a new one (due in the config's time zone). */
export function ItemTasks({ item, tasks, editable, onChanged }: ItemTasksProps) {
  const { t, locale, error: problemWords } = useI18n();
  const { config, user } = useSession();
  const zone = configZone(config);
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const [assignee, setAssignee] = useState(user.login);
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const titleBox = useRef<HTMLInputElement>(null);
  const now = Date.now();
  const sorted = [...tasks.filter((task) => task.status === 'open').sort(byDue), ...tasks.filter((task) => task.status === 'done').sort(byDue)];

  async function create(event: Event) {
    event.preventDefault();
    const dueAt = fromLocalInput(due, zone);
    if (!title.trim()) return setProblem(t('itemTasks.titleEmpty'));
    if (!dueAt) return setProblem(t('itemTasks.dueEmpty'));
    setBusy(true);
    setProblem('');
    try {
      await api('/api/tasks', { method: 'POST', body: { kind: item.kind, id: item.id, title: title.trim(), due_at: dueAt, ...(assignee ? { assignee } : {}) } });
      onChanged(t('itemTasks.created', { title: title.trim() }));
      setTitle('');
      setDue('');
      titleBox.current?.focus();
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) return;
      setProblem(failure instanceof ApiError ? problemWords(failure.code, failure.status) : String(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="item-tasks" aria-labelledby="item-tasks-title">
      <h2 id="item-tasks-title" class="visually-hidden">
        {t('itemTasks.ofItem')}
      </h2>
      {sorted.length === 0 ? (
        <p class="hint">{t('itemTasks.none')}</p>
      ) : (
        <ul class="task-list">
          {sorted.map((task) => (
            <TaskRow key={task.id} task={task} now={now} people={config.users} onChanged={(_task, said) => onChanged(said)} onFailed={setProblem} />
          ))}
        </ul>
      )}
      {editable && (
        <form class="new-task" onSubmit={(event) => void create(event)} aria-labelledby="new-task-title" novalidate>
          <h3 id="new-task-title">{t('itemTasks.new')}</h3>
          <label class="field wide">
            <span>{t('itemTasks.newTitle')}</span>
            <input ref={titleBox} type="text" maxLength={500} value={title} onInput={(event) => setTitle(event.currentTarget.value)} />
          </label>
          <label class="field">
            <span>{t('itemTasks.newDue', { zone: zoneLabel(zone, locale) })}</span>
            <input type="datetime-local" value={due} onInput={(event) => setDue(event.currentTarget.value)} />
          </label>
          <label class="field">
            <span>{t('itemTasks.newAssignee')}</span>
            <select value={assignee} onChange={(event) => setAssignee(event.currentTarget.value)}>
              {config.users.map((person) => (
                <option key={person.login} value={person.login} data-user-content>
                  {person.login === user.login ? `${person.name} (${t('itemTasks.me')})` : person.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="primary" disabled={busy}>
            {t('itemTasks.create')}
          </button>
          <p class="form-error" role="alert">
            {problem}
          </p>
        </form>
      )}
    </section>
  );
}
