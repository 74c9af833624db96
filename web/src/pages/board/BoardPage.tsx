import { useLocation } from 'preact-iso';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import type { ItemEvent, ItemView, PipelineView } from '../../api/types';
import { useI18n } from '../../i18n';
import { useLiveEvent, useLiveResync } from '../../live/stream';
import { paths } from '../../paths';
import { pipelineByKey, useSession } from '../../session';
import { collection, filtersFrom, loadColumnTotals, type Filters } from './board-api';
import { BulkBar } from './BulkBar';
import { Column, type ColumnTotal, type ItemListener } from './Column';
import { itemName } from './fields';
import { FilterBar, filtersQuery } from './FilterBar';
import { MoveDialog } from '../../components/MoveDialog';

/** The board of one pipeline: leads at /board/, a deal pipeline at /board/deals/:pipeline. */
export function BoardPage({ pipeline: pipelineKey }: { pipeline?: string }) {
  const { t, word } = useI18n();
  const { config } = useSession();
  const location = useLocation();
  const pipeline = pipelineByKey(config, pipelineKey ? 'deal' : 'lead', pipelineKey);
  const filters = useMemo(() => filtersFrom(location.query), [location.url]);
  useEffect(() => {
    if (pipeline) document.title = t('app.title', { page: pipelineKey ? word(pipeline.name, pipeline.key) : t('nav.leads') });
  }, [pipeline, t]);
  if (!pipeline) {
    return (
      <section class="page-message">
        <h1>{t('common.notFound')}</h1>
      </section>
    );
  }
  const setFilters = (next: Filters) => location.route(`${location.path}${filtersQuery(next)}`, true);
  return <Board key={`${pipeline.key}${filtersQuery(filters)}`} pipeline={pipeline} filters={filters} onFilters={setFilters} />;
}

function Board({ pipeline, filters, onFilters }: { pipeline: PipelineView; filters: Filters; onFilters: (filters: Filters) => void }) {
  const { t, word, error: errorText } = useI18n();
  const [totals, setTotals] = useState<Map<string, ColumnTotal>>(new Map());
  const [moving, setMoving] = useState<{ item: ItemView; stage?: string } | null>(null);
  /** Selected cards by id, with the item as it was when picked: a bulk result names each refused one. */
  const [selected, setSelected] = useState<Map<number, ItemView>>(new Map());
  const [status, setStatus] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  // Ages count from the server's clock (the engine's): the browser's may be off, and tests fake the server's.
  // Until the first answer says what time it is there, cards show no age rather than a wrong one.
  const skew = useRef(0);
  const [now, setNow] = useState<number | null>(null);
  const lastClicked = useRef<number | null>(null);
  const listeners = useRef(new Set<ItemListener>());

  const subscribe = useCallback((listener: ItemListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const tell = (item: ItemView) => {
    for (const listener of listeners.current) listener(item);
  };

  const refreshTotals = useCallback(() => {
    loadColumnTotals(pipeline, filters)
      .then(({ totals: columns, serverNow }) => {
        skew.current = serverNow === null ? 0 : serverNow - Date.now();
        setNow(Date.now() + skew.current);
        setTotals(columns);
      })
      .catch((error: unknown) => setProblem(error instanceof ApiError ? errorText(error.code, error.status) : String(error)));
  }, [pipeline, filters, errorText]);
  useEffect(refreshTotals, [refreshTotals]);
  // Ages on cards ("2 h in stage") move on without a reload.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() + skew.current), 60_000);
    return () => clearInterval(timer);
  }, []);

  // Live: another person's change shows here; counts are read again, at most twice a second.
  const totalsTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refreshTotalsSoon = useCallback(() => {
    if (totalsTimer.current) return;
    totalsTimer.current = setTimeout(() => {
      totalsTimer.current = null;
      refreshTotals();
    }, 500);
  }, [refreshTotals]);
  useLiveEvent(
    'item',
    useCallback(
      (event: ItemEvent) => {
        if (event.kind !== pipeline.kind) return;
        tell(event.item);
        refreshTotalsSoon();
      },
      [pipeline.kind, refreshTotalsSoon],
    ),
  );
  useLiveResync(refreshTotals);

  const stageName = (id: string) => {
    const stage = pipeline.stages.find((candidate) => candidate.id === id);
    return stage ? word(stage.name, stage.id) : id;
  };

  const onMoved = (item: ItemView, from: string) => {
    setMoving(null);
    tell(item);
    refreshTotalsSoon();
    setStatus(t('move.done', { name: itemName(item), from: stageName(from), to: stageName(item.stage) }));
    // Focus follows the card to its new column (the dialog gave it back to the old card's button, now gone).
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`.column[data-stage="${item.stage}"] .card[data-id="${item.id}"] .card-title`)?.focus());
  };

  const onDrop = async (ref: { kind: string; id: number }, stage: string) => {
    if (ref.kind !== pipeline.kind) return;
    try {
      const item = await api<ItemView>(`${collection(pipeline.kind)}/${ref.id}`);
      if (item.stage !== stage) setMoving({ item, stage });
    } catch (error) {
      setProblem(error instanceof ApiError ? errorText(error.code, error.status) : String(error));
    }
  };

  const onSelect = (item: ItemView, event: MouseEvent, column: ItemView[]) => {
    setSelected((current) => {
      const next = new Map(current);
      const on = !current.has(item.id);
      // Shift-click selects the range from the last clicked card in the same column.
      const from = lastClicked.current === null ? -1 : column.findIndex((other) => other.id === lastClicked.current);
      const to = column.findIndex((other) => other.id === item.id);
      if (event.shiftKey && from >= 0 && to >= 0) {
        for (const other of column.slice(Math.min(from, to), Math.max(from, to) + 1)) next.set(other.id, other);
      } else if (on) next.set(item.id, item);
      else next.delete(item.id);
      return next;
    });
    lastClicked.current = item.id;
  };

  return (
    <div class="board-page">
      <div class="board-toolbar">
        <h1 class="visually-hidden">{pipeline.kind === 'lead' ? t('nav.leads') : word(pipeline.name, pipeline.key)}</h1>
        <FilterBar filters={filters} onChange={onFilters} />
        <a class="list-link" href={`${paths.list()}${filtersQuery(filters, pipeline.kind === 'deal' ? { pipeline: pipeline.key } : {})}`}>
          {t('nav.list')}
        </a>
      </div>
      <p class="status" role="status" aria-live="polite">
        {status}
      </p>
      {problem && (
        <p class="form-error" role="alert">
          {problem}
        </p>
      )}
      {selected.size > 0 && (
        <BulkBar
          pipeline={pipeline}
          items={[...selected.values()]}
          onClear={() => setSelected(new Map())}
          onDone={() => {
            refreshTotals();
          }}
          onItems={(items) => items.forEach(tell)}
        />
      )}
      {/* A region that scrolls sideways is reachable by keyboard even when it holds no card yet. */}
      <div class="columns" role="region" aria-label={t('board.columns')} tabIndex={0}>
        {pipeline.stages.map((stage) => (
          <Column
            key={stage.id}
            pipeline={pipeline}
            stage={stage}
            filters={filters}
            total={totals.get(stage.id)}
            selected={selected}
            onSelect={onSelect}
            onMove={(item) => setMoving({ item })}
            onDrop={(ref, target) => void onDrop(ref, target)}
            onCreated={(item) => {
              refreshTotalsSoon();
              setStatus(t('board.created', { name: itemName(item), stage: stageName(item.stage) }));
            }}
            subscribe={subscribe}
            now={now}
          />
        ))}
      </div>
      {moving && <MoveDialog pipeline={pipeline} item={moving.item} stage={moving.stage} immediate={moving.stage !== undefined} onMoved={onMoved} onClose={() => setMoving(null)} />}
    </div>
  );
}
