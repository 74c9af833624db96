import { useEffect, useId, useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { useSession } from '../../session';
import type { FILTER_KEYS, Filters } from './board-api';

/** Search and filters: the same for the board and the list, kept in the address (so a link keeps the view). */
export function FilterBar({ filters, onChange }: { filters: Filters; onChange: (filters: Filters) => void }) {
  const { t, word } = useI18n();
  const { config } = useSession();
  const [q, setQ] = useState(filters.q ?? '');
  // On a phone the selects and dates fold behind «Фильтры» (CSS shows the button there only); open while a filter is set.
  const narrowed = Boolean(filters.responsible || filters.source || filters.created_from || filters.created_to);
  const [open, setOpen] = useState(narrowed);
  const panelId = useId();

  useEffect(() => setQ(filters.q ?? ''), [filters.q]);
  // Typing waits a moment before it searches: one request per pause, not per letter.
  useEffect(() => {
    if ((filters.q ?? '') === q.trim()) return;
    const timer = setTimeout(() => onChange({ ...filters, q: q.trim() || undefined }), 300);
    return () => clearTimeout(timer);
  }, [q]);

  const set = (key: (typeof FILTER_KEYS)[number], value: string) => onChange({ ...filters, [key]: value || undefined });
  const sources = Object.entries(config.source_labels);
  return (
    <form class={`filters${open ? ' open' : ''}`} role="search" onSubmit={(event) => event.preventDefault()}>
      <input type="search" aria-label={t('filters.search')} placeholder={t('filters.searchPlaceholder')} value={q} onInput={(event) => setQ(event.currentTarget.value)} />
      <button type="button" class="small filters-toggle" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
        {t('filters.more')}
        {narrowed ? ' •' : ''}
      </button>
      <div class="filters-more" id={panelId}>
        <select aria-label={t('field.responsible')} value={filters.responsible ?? ''} onChange={(event) => set('responsible', event.currentTarget.value)}>
          <option value="">{t('filters.anyResponsible')}</option>
          {config.users.map((user) => (
            <option key={user.login} value={user.login} data-user-content>
              {user.name}
            </option>
          ))}
        </select>
        <select aria-label={t('field.source')} value={filters.source ?? ''} onChange={(event) => set('source', event.currentTarget.value)}>
          <option value="">{t('filters.anySource')}</option>
          {sources.map(([id, label]) => (
            <option key={id} value={id}>
              {word(label)}
            </option>
          ))}
          {filters.source && !config.source_labels[filters.source] && <option value={filters.source}>{filters.source}</option>}
        </select>
        <label class="inline">
          {t('filters.createdFrom')}
          <input type="date" value={filters.created_from ?? ''} onChange={(event) => set('created_from', event.currentTarget.value)} />
        </label>
        <label class="inline">
          {t('filters.createdTo')}
          <input type="date" value={filters.created_to ?? ''} onChange={(event) => set('created_to', event.currentTarget.value)} />
        </label>
      </div>
      {Object.keys(filters).length > 0 && (
        <button type="button" class="small" onClick={() => onChange({})}>
          {t('filters.clear')}
        </button>
      )}
    </form>
  );
}

export function filtersQuery(filters: Filters, extra: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filters, ...extra })) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}
