import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import type { BoardColumn, ItemView, NewItemRequest, PipelineView, StageView } from '../../api/types';
import { useI18n } from '../../i18n';
import { VirtualList } from '../../ui/VirtualList';
import { collection, loadColumnPage, nextPageSize, type Cursor, type Filters } from './board-api';
import { Card, CARD_HEIGHT } from './Card';

export type ColumnTotal = BoardColumn & { sumKnown: boolean };

/** An item as it now is, told to every column: it leaves the column it was in and joins its stage's. */
export type ItemListener = (item: ItemView) => void;

export function Column({
  pipeline,
  stage,
  filters,
  total,
  selected,
  onSelect,
  onMove,
  onDrop,
  onCreated,
  subscribe,
  now,
}: {
  pipeline: PipelineView;
  stage: StageView;
  filters: Filters;
  total: ColumnTotal | undefined;
  selected: { has(id: number): boolean };
  onSelect: (item: ItemView, event: MouseEvent, column: ItemView[]) => void;
  onMove: (item: ItemView) => void;
  onDrop: (ref: { kind: string; id: number }, stage: string) => void;
  onCreated: (item: ItemView) => void;
  subscribe: (listener: ItemListener) => () => void;
  /** The server's time, for ages; null until known. */
  now: number | null;
}) {
  const { t, word, fmt, error: errorText } = useI18n();
  const [items, setItems] = useState<ItemView[]>([]);
  const [cursor, setCursor] = useState<Cursor>(null);
  const [done, setDone] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [dropping, setDropping] = useState(false);
  const [adding, setAdding] = useState(false);
  const loading = useRef(false);
  /** Cards read from the server so far: the next page is as big (deep scrolls take bigger steps). */
  const loaded = useRef(0);
  const name = word(stage.name, stage.id);

  const loadMore = useCallback(async () => {
    if (loading.current || done) return;
    loading.current = true;
    try {
      const page = await loadColumnPage(pipeline, stage.id, filters, cursor, nextPageSize(loaded.current));
      loaded.current += page.items.length;
      setItems((current) => {
        const seen = new Set(current.map((item) => item.id));
        return [...current, ...page.items.filter((item) => !seen.has(item.id))];
      });
      setCursor(page.next);
      if (!page.next) setDone(true);
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof ApiError ? errorText(error.code, error.status) : String(error));
      setDone(true);
    } finally {
      loading.current = false;
    }
  }, [pipeline, stage.id, filters, cursor, done, errorText]);

  useEffect(() => {
    void loadMore();
    // The first page once; the virtual list asks for the next ones.
  }, []);

  useEffect(
    () =>
      subscribe((changed) => {
        setItems((current) => {
          const without = current.filter((item) => item.id !== changed.id);
          const belongs = changed.pipeline === pipeline.key && changed.stage === stage.id;
          // With filters on, a changed item may no longer match: it leaves, and the next load tells.
          return belongs && Object.keys(filters).length === 0 ? [changed, ...without] : without;
        });
      }),
    [subscribe, pipeline.key, stage.id, filters],
  );

  const count = total?.count ?? items.length;
  const headingId = `column-${stage.id}`;
  return (
    <section
      class={`column${dropping ? ' drop-target' : ''} ${stage.semantic}`}
      data-stage={stage.id}
      aria-labelledby={headingId}
      onDragOver={(event) => {
        if (!pipeline.can_move) return;
        event.preventDefault();
        setDropping(true);
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDropping(false);
        const [kind, id] = (event.dataTransfer?.getData('text/plain') ?? '').split(':');
        if (kind && id) onDrop({ kind, id: Number(id) }, stage.id);
      }}
    >
      <header class="column-header">
        <h2 id={headingId}>
          <span class="column-name">{name}</span>
          <span class="column-count" title={t('board.countTitle', { count })}>
            {fmt.number(count)}
          </span>
        </h2>
        {total?.sumKnown && total.sum > 0 && <p class="column-sum">{fmt.money(total.sum)}</p>}
        {pipeline.can_move && (
          <button type="button" class="small add" aria-expanded={adding} onClick={() => setAdding(!adding)} aria-label={t('board.addTo', { stage: name })}>
            +
          </button>
        )}
      </header>
      {adding && (
        <QuickAdd
          pipeline={pipeline}
          stage={stage}
          onCreated={(item) => {
            setItems((current) => [item, ...current.filter((other) => other.id !== item.id)]);
            onCreated(item);
          }}
          onClose={() => setAdding(false)}
        />
      )}
      {problem && (
        <p class="form-error" role="alert">
          {problem}
        </p>
      )}
      {items.length === 0 && done && !problem ? (
        <p class="column-empty">{t('board.empty')}</p>
      ) : (
        <VirtualList
          rows={items}
          rowHeight={CARD_HEIGHT}
          rowKey={(item) => item.id}
          label={t('board.cardsOf', { stage: name })}
          onNearEnd={done ? undefined : () => void loadMore()}
          renderRow={(item) => <Card item={item} pipeline={pipeline} selected={selected.has(item.id)} onSelect={(card, event) => onSelect(card, event, items)} onMove={onMove} now={now} />}
        />
      )}
    </section>
  );
}

/** Name and phone, at the top of a column: a lead (or deal) created straight into that stage. */
function QuickAdd({ pipeline, stage, onCreated, onClose }: { pipeline: PipelineView; stage: StageView; onCreated: (item: ItemView) => void; onClose: () => void }) {
  const { t, word, error: errorText } = useI18n();
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameInput = useRef<HTMLInputElement>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const body: NewItemRequest & { pipeline?: string } = {
      stage: stage.id,
      ...(pipeline.kind === 'deal' ? { title: name.trim(), pipeline: pipeline.key } : { name: name.trim() }),
      ...(phone.trim() ? { phone: phone.trim() } : {}),
    };
    try {
      const item = await api<ItemView>(collection(pipeline.kind), { method: 'POST', body });
      onCreated(item);
      setName('');
      setPhone('');
      nameInput.current?.focus();
    } catch (error) {
      setProblem(error instanceof ApiError ? `${errorText(error.code, error.status)}` : String(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="quick-add" onSubmit={(event) => void submit(event)} aria-label={t('board.addTo', { stage: word(stage.name, stage.id) })}>
      <input
        ref={nameInput}
        required
        aria-label={t(pipeline.kind === 'deal' ? 'field.title' : 'field.name')}
        placeholder={t(pipeline.kind === 'deal' ? 'field.title' : 'field.name')}
        value={name}
        onInput={(event) => setName(event.currentTarget.value)}
        autoFocus
      />
      <input type="tel" aria-label={t('field.phone')} placeholder={t('field.phone')} value={phone} onInput={(event) => setPhone(event.currentTarget.value)} />
      {problem && (
        <p class="form-error" role="alert">
          {problem}
        </p>
      )}
      <div class="quick-add-actions">
        <button type="button" class="small" onClick={onClose}>
          {t('common.close')}
        </button>
        <button type="submit" class="small primary" disabled={busy}>
          {t('board.add')}
        </button>
      </div>
    </form>
  );
}
