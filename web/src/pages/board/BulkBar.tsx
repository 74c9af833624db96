import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import type { ItemView, PipelineView } from '../../api/types';
import { useI18n } from '../../i18n';
import { useSession } from '../../session';
import { collection, runBulk, type BulkAction, type BulkResult } from './board-api';
import { fieldLabel, itemName } from './fields';

/** A bulk refusal's code as the problem code the single route would answer (errors.ts words them). */
const PROBLEM_OF: Record<string, string> = { not_found: 'not-found', forbidden: 'forbidden', conflict: 'conflict', invalid: 'invalid-request', internal: 'internal' };

type Mode = 'move' | 'assign' | 'task' | null;

/** Selected cards: move, assign or give a task to all at once; each item's answer is shown, refusals named. */
export function BulkBar({ pipeline, items, onClear, onDone, onItems }: { pipeline: PipelineView; items: ItemView[]; onClear: () => void; onDone: () => void; onItems: (items: ItemView[]) => void }) {
  const { t, word, locale, error: errorText } = useI18n();
  const ids = items.map((item) => item.id);
  const { config } = useSession();
  const [mode, setMode] = useState<Mode>(null);
  const [stage, setStage] = useState('');
  const [responsible, setResponsible] = useState('');
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const [results, setResults] = useState<BulkResult[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    let action: BulkAction;
    if (mode === 'move') action = { action: 'move', stage };
    else if (mode === 'assign') action = { action: 'assign', responsible };
    else if (mode === 'task') action = { action: 'task', title: title.trim(), due_at: new Date(due).toISOString() };
    else return;
    setBusy(true);
    setProblem(null);
    try {
      const answer = await runBulk(pipeline.kind, ids, action);
      setResults(answer);
      // The changed items as they now are, for the columns (the live stream tells other pages).
      const changed = await Promise.all(answer.filter((result) => result.ok).map((result) => api<ItemView>(`${collection(pipeline.kind)}/${result.id}`).catch(() => null)));
      onItems(changed.filter((item): item is ItemView => item !== null));
      onDone();
    } catch (error) {
      setProblem(error instanceof ApiError ? errorText(error.code, error.status) : String(error));
    } finally {
      setBusy(false);
    }
  }

  const refused = results?.filter((result) => !result.ok) ?? [];
  const nameOf = (id: number) => {
    const item = items.find((candidate) => candidate.id === id);
    return item ? itemName(item) : `#${id}`;
  };
  const reasonOf = (result: BulkResult) => {
    if (result.missing_fields?.length) return t('bulk.missingFields', { fields: result.missing_fields.map((id) => fieldLabel(config, locale, id)).join(', ') });
    if (!result.code) return t('bulk.refused');
    return errorText(PROBLEM_OF[result.code] ?? `move-refused:${result.code}`, 422);
  };
  return (
    <section class="bulk-bar" aria-label={t('bulk.title')}>
      <p>
        <strong>{t('bulk.selected', { count: ids.length })}</strong>
      </p>
      <div class="bulk-actions" role="group" aria-label={t('bulk.actions')}>
        {pipeline.can_move && (
          <button type="button" class="small" aria-pressed={mode === 'move'} onClick={() => setMode('move')}>
            {t('bulk.move')}
          </button>
        )}
        <button type="button" class="small" aria-pressed={mode === 'assign'} onClick={() => setMode('assign')}>
          {t('bulk.assign')}
        </button>
        <button type="button" class="small" aria-pressed={mode === 'task'} onClick={() => setMode('task')}>
          {t('bulk.task')}
        </button>
        <button type="button" class="small" onClick={onClear}>
          {t('bulk.clear')}
        </button>
      </div>
      {mode && (
        <form class="bulk-form" onSubmit={(event) => void submit(event)}>
          {mode === 'move' && (
            <select required aria-label={t('move.to')} value={stage} onChange={(event) => setStage(event.currentTarget.value)}>
              <option value="" disabled>
                {t('move.pick')}
              </option>
              {pipeline.stages
                .filter((candidate) => candidate.semantic !== 'lost')
                .map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {word(candidate.name, candidate.id)}
                  </option>
                ))}
            </select>
          )}
          {mode === 'assign' && (
            <select required aria-label={t('field.responsible')} value={responsible} onChange={(event) => setResponsible(event.currentTarget.value)}>
              <option value="" disabled>
                {t('move.pick')}
              </option>
              {config.users.map((user) => (
                <option key={user.login} value={user.login} data-user-content>
                  {user.name}
                </option>
              ))}
            </select>
          )}
          {mode === 'task' && (
            <>
              <input required aria-label={t('bulk.taskTitle')} placeholder={t('bulk.taskTitle')} value={title} onInput={(event) => setTitle(event.currentTarget.value)} />
              <input required type="datetime-local" aria-label={t('bulk.taskDue')} value={due} onInput={(event) => setDue(event.currentTarget.value)} />
            </>
          )}
          <button type="submit" class="small primary" disabled={busy}>
            {t('common.confirm')}
          </button>
        </form>
      )}
      {problem && (
        <p class="form-error" role="alert">
          {problem}
        </p>
      )}
      {results && (
        <div class="bulk-results" role="status">
          <p>{t('bulk.results', { ok: results.length - refused.length, refused: refused.length })}</p>
          {refused.length > 0 && (
            <ul>
              {refused.map((result) => (
                <li key={result.id} data-id={result.id}>
                  {locale === 'ru' ? '«' : '“'}
                  <span data-user-content>{nameOf(result.id)}</span>
                  {locale === 'ru' ? '»' : '”'}: {reasonOf(result)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
