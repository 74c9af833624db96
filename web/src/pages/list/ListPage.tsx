import { useLocation } from 'preact-iso';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, withQuery } from '../../api/client';
import type { ItemListResponse, ItemView } from '../../api/types';
import { useI18n } from '../../i18n';
import { paths } from '../../paths';
import { pipelineByKey, useSession } from '../../session';
import { collection, filtersFrom, type Filters } from '../board/board-api';
import { itemName, personName } from '../board/fields';
import { FilterBar, filtersQuery } from '../board/FilterBar';

const SORTS = ['-created_at', 'created_at', 'name', '-amount', 'amount', '-stage_entered_at', 'stage_entered_at'] as const;
type Sort = (typeof SORTS)[number];
const PAGE = 50;

/** The list view: the same items and filters as the board, as a sortable table with pages and a CSV export. */
export function ListPage() {
  const { t, word, fmt, error: errorText } = useI18n();
  const { config } = useSession();
  const location = useLocation();
  const query = location.query;
  const filters = useMemo(() => filtersFrom(query), [location.url]);
  const pipelineKey = query.pipeline;
  const pipeline = pipelineByKey(config, pipelineKey ? 'deal' : 'lead', pipelineKey) ?? config.leads;
  const sort: Sort = (SORTS as readonly string[]).includes(query.sort ?? '') ? (query.sort as Sort) : '-created_at';
  const offset = Math.max(0, Number(query.offset ?? 0) || 0);
  const [answer, setAnswer] = useState<ItemListResponse | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const go = (next: { filters?: Filters; sort?: string; offset?: number; pipeline?: string }) => {
    const chosen = next.pipeline ?? pipelineKey;
    location.route(
      `${paths.list()}${filtersQuery(next.filters ?? filters, { sort: (next.sort ?? sort) === '-created_at' ? undefined : (next.sort ?? sort), offset: next.offset ? String(next.offset) : undefined, pipeline: chosen || undefined })}`,
      true,
    );
  };

  const apiQuery = { ...filters, ...(pipeline.kind === 'deal' ? { pipeline: pipeline.key } : {}), sort: sort === '-created_at' ? undefined : sort };
  useEffect(() => {
    document.title = t('app.title', { page: t('list.title') });
    const controller = new AbortController();
    api<ItemListResponse>(collection(pipeline.kind), { query: { ...apiQuery, limit: PAGE, offset }, signal: controller.signal })
      .then((result) => {
        setAnswer(result);
        setProblem(null);
      })
      .catch((error: unknown) => {
        if (error instanceof DOMException) return;
        setProblem(error instanceof ApiError ? errorText(error.code, error.status) : String(error));
      });
    return () => controller.abort();
  }, [location.url, pipeline.key]);

  const stageName = (id: string) => {
    const stage = pipeline.stages.find((candidate) => candidate.id === id);
    return stage ? word(stage.name, stage.id) : id;
  };
  const items: ItemView[] = answer?.items ?? [];
  const total = answer?.total ?? 0;
  return (
    <section class="list-page">
      <div class="board-toolbar">
        <h1>{t('list.title')}</h1>
        {config.deals.length > 0 && (
          <select aria-label={t('list.pipeline')} value={pipelineKey ?? ''} onChange={(event) => go({ pipeline: event.currentTarget.value, offset: 0 })}>
            <option value="">{t('nav.leads')}</option>
            {config.deals.map((deal) => (
              <option key={deal.key} value={deal.key}>
                {word(deal.name, deal.key)}
              </option>
            ))}
          </select>
        )}
        <FilterBar filters={filters} onChange={(next) => go({ filters: next, offset: 0 })} />
        <label class="inline">
          {t('list.sort')}
          <select value={sort} onChange={(event) => go({ sort: event.currentTarget.value, offset: 0 })}>
            {SORTS.map((option) => (
              <option key={option} value={option}>
                {t(`list.sort.${option}`)}
              </option>
            ))}
          </select>
        </label>
        <a class="button-link" href={withQuery(`${collection(pipeline.kind)}/export.csv`, apiQuery)} download>
          {t('list.export')}
        </a>
      </div>
      {problem && (
        <p class="form-error" role="alert">
          {problem}
        </p>
      )}
      <div class="table-scroll">
        <table class="items">
          <thead>
            <tr>
              <th scope="col">{t(pipeline.kind === 'deal' ? 'field.title' : 'field.name')}</th>
              <th scope="col">{t('field.stage')}</th>
              <th scope="col">{t('field.phone')}</th>
              <th scope="col">{t('field.responsible')}</th>
              {pipeline.kind === 'deal' && <th scope="col">{t('field.amount')}</th>}
              <th scope="col">{t('field.created_at')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id} data-id={item.id}>
                <td data-user-content>
                  <a href={paths.item(item.kind, item.id)}>{itemName(item)}</a>
                </td>
                <td>{stageName(item.stage)}</td>
                <td data-user-content>{item.phone ? <a href={`tel:${item.phone}`}>{item.phone_display ?? item.phone}</a> : ''}</td>
                <td data-user-content>{personName(config, item.responsible)}</td>
                {pipeline.kind === 'deal' && <td class="number">{typeof item.amount === 'number' ? fmt.money(item.amount) : ''}</td>}
                <td>{fmt.date(item.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {answer && items.length === 0 && <p class="column-empty">{t('list.empty')}</p>}
      </div>
      {total > 0 && (
        <nav class="pager" aria-label={t('list.title')}>
          <button type="button" disabled={offset === 0} onClick={() => go({ offset: Math.max(0, offset - PAGE) })}>
            {t('list.previous')}
          </button>
          <span>
            {t('list.range', { from: fmt.number(offset + 1), to: fmt.number(Math.min(total, offset + items.length)), total: answer?.total_capped ? t('list.more', { count: fmt.number(total) }) : fmt.number(total) })}
          </span>
          <button type="button" disabled={offset + PAGE >= total} onClick={() => go({ offset: offset + PAGE })}>
            {t('list.next')}
          </button>
        </nav>
      )}
    </section>
  );
}
