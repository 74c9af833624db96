import './tasks.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import { useI18n } from '../../i18n';
import { paths } from '../../paths';
import { useSession } from '../../session';
import { configZone, personName } from '../../components/zone';
import { itemRefOf, type TaskView } from '../item/types';
import { formatWhen, fromLocalInput, toLocalInput } from './buckets';

export interface TaskRowProps {
  task: TaskView;
  now: number;
  /** On the tasks page a row links to its item; on the item page it does not need to. */
  showItem?: boolean;
  /** Who the row may be given to (a manager's team, or everyone the config names). */
  people: Array<{ login: string; name: string }>;
  /** After a change: the task as the server now has it and the sentence for the status line. */
  onChanged(task: TaskView, said: string): void;
  onFailed(said: string): void;
}

type Editing = 'none' | 'reschedule' | 'reassign';

/** One task, with its actions inline: done / reopen, reschedule, reassign. Every button names its task for screen readers. */
export function TaskRow({ task, now, showItem = false, people, onChanged, onFailed }: TaskRowProps) {
  const { t, locale, error: problemWords } = useI18n();
  const { config } = useSession();
  const zone = configZone(config);
  const [editing, setEditing] = useState<Editing>('none');
  const [due, setDue] = useState(toLocalInput(task.due_at, zone));
  const [assignee, setAssignee] = useState(task.assignee ?? '');
  const [busy, setBusy] = useState(false);
  const firstInput = useRef<HTMLInputElement & HTMLSelectElement>(null);
  const opener = useRef<Record<Editing, HTMLButtonElement | null>>({ none: null, reschedule: null, reassign: null });
  const ref = itemRefOf(task.item);
  const done = task.status === 'done';

  useEffect(() => {
    if (editing !== 'none') firstInput.current?.focus();
  }, [editing]);

  const close = (back: Editing) => {
    setEditing('none');
    // Focus goes back to the button that opened the editor, not to the top of the page.
    requestAnimationFrame(() => opener.current[back]?.focus());
  };

  async function change(body: Record<string, unknown>, said: (task: TaskView) => string): Promise<void> {
    setBusy(true);
    try {
      const updated = await api<TaskView>(`/api/tasks/${task.id}`, { method: 'PATCH', body });
      const back = editing;
      setEditing('none');
      onChanged(updated, said(updated));
      requestAnimationFrame(() => opener.current[back === 'none' ? 'none' : back]?.focus());
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) return;
      onFailed(t('task.failed', { title: task.title, why: failure instanceof ApiError ? problemWords(failure.code, failure.status) : String(failure) }));
    } finally {
      setBusy(false);
    }
  }

  const dueText = task.due_at ? formatWhen(task.due_at, locale, zone, now) : null;
  return (
    <li class={`task-row${task.overdue && !done ? ' overdue' : ''}${done ? ' done' : ''}`} data-task={task.id}>
      <div class="task-main">
        <h3 class="task-title" data-user-content>
          {task.title}
        </h3>
        <p class="task-meta">
          <span>{dueText ? t('task.due', { when: dueText }) : t('task.noDue')}</span>
          {task.overdue && !done && <span class="tag tag-late">{t('task.overdue')}</span>}
          <span>
            {t('task.for')} {task.assignee ? <span data-user-content>{personName(config, task.assignee)}</span> : t('task.nobody')}
          </span>
          {done && task.completed_at && (
            <span class="tag tag-done">
              {t('task.doneBy')} <span data-user-content>{personName(config, task.completed_by) || '—'}</span>, {formatWhen(task.completed_at, locale, zone, now)}
            </span>
          )}
          {showItem && ref && (
            <a href={paths.item(ref.kind, ref.id)} aria-label={t('task.item', { name: task.item_name })} data-user-content>
              {task.item_name}
            </a>
          )}
        </p>
      </div>
      <div class="task-actions">
        <button
          type="button"
          class={done ? '' : 'primary'}
          disabled={busy}
          ref={(node) => {
            opener.current.none = node;
          }}
          aria-label={t(done ? 'task.reopenNamed' : 'task.completeNamed', { title: task.title })}
          onClick={() => void change({ done: !done }, (updated) => t(updated.status === 'done' ? 'task.markedDone' : 'task.reopened', { title: task.title }))}
        >
          {t(done ? 'task.reopen' : 'task.complete')}
        </button>
        {!done && (
          <>
            <button
              type="button"
              ref={(node) => {
                opener.current.reschedule = node;
              }}
              aria-expanded={editing === 'reschedule'}
              aria-label={t('task.rescheduleNamed', { title: task.title })}
              onClick={() => setEditing(editing === 'reschedule' ? 'none' : 'reschedule')}
            >
              {t('task.reschedule')}
            </button>
            <button
              type="button"
              ref={(node) => {
                opener.current.reassign = node;
              }}
              aria-expanded={editing === 'reassign'}
              aria-label={t('task.reassignNamed', { title: task.title })}
              onClick={() => setEditing(editing === 'reassign' ? 'none' : 'reassign')}
            >
              {t('task.reassign')}
            </button>
          </>
        )}
      </div>
      {editing === 'reschedule' && (
        <form
          class="task-edit"
          onSubmit={(event) => {
            event.preventDefault();
            const dueAt = fromLocalInput(due, zone);
            if (dueAt) void change({ due_at: dueAt }, (updated) => t('task.rescheduled', { title: task.title, when: updated.due_at ? formatWhen(updated.due_at, locale, zone, now) : t('task.noDue') }));
          }}
          onKeyDown={(event) => event.key === 'Escape' && close('reschedule')}
        >
          <label>
            <span>{t('task.newDue')}</span>
            <input ref={firstInput} type="datetime-local" required value={due} onInput={(event) => setDue(event.currentTarget.value)} />
          </label>
          <button type="submit" class="primary" disabled={busy}>
            {t('task.save')}
          </button>
          <button type="button" onClick={() => close('reschedule')}>
            {t('task.cancel')}
          </button>
        </form>
      )}
      {editing === 'reassign' && (
        <form
          class="task-edit"
          onSubmit={(event) => {
            event.preventDefault();
            if (assignee) void change({ assignee }, (updated) => t('task.reassigned', { title: task.title, who: personName(config, updated.assignee) }));
          }}
          onKeyDown={(event) => event.key === 'Escape' && close('reassign')}
        >
          <label>
            <span>{t('task.newAssignee')}</span>
            <select ref={firstInput} value={assignee} onChange={(event) => setAssignee(event.currentTarget.value)}>
              {people.map((person) => (
                <option key={person.login} value={person.login} data-user-content>
                  {person.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="primary" disabled={busy}>
            {t('task.save')}
          </button>
          <button type="button" onClick={() => close('reassign')}>
            {t('task.cancel')}
          </button>
        </form>
      )}
    </li>
  );
}
