import '../../components/page.css';
import './item.css';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import type { ItemEvent, ItemView, Kind, StageView } from '../../api/types';
import { MoveDialog } from '../../components/MoveDialog';
import { configZone } from '../../components/zone';
import { useI18n } from '../../i18n';
import { useLiveEvent, useLiveResync } from '../../live/stream';
import { paths } from '../../paths';
import { pipelineByKey, useSession } from '../../session';
import { ActivityFeed } from './ActivityFeed';
import { ItemFields } from './ItemFields';
import { ItemTasks } from './ItemTasks';
import type { TaskListResponse, TaskView, TimelineEntry, TimelineResponse } from './types';

type Tab = 'activity' | 'tasks';

/**
 * /board/item/:kind/:id — one lead or deal: its stage (moved with the board's dialogs), its
 * fields edited in place, and below them the activity feed it opens on, with the tasks beside.
 * Someone else's change reaches it over the live stream and it reloads what it shows.
 */
export function ItemPage({ kind: kindParam, id: idParam }: { kind?: string; id?: string }) {
  const { t, word, error: problemWords } = useI18n();
  const session = useSession();
  const kind: Kind = kindParam === 'deal' ? 'deal' : 'lead';
  const id = Number(idParam);
  const [item, setItem] = useState<ItemView | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [timeline, setTimeline] = useState<TimelineEntry[] | null>(null);
  const [tasks, setTasks] = useState<TaskView[]>([]);
  const [tab, setTab] = useState<Tab>('activity');
  const [moving, setMoving] = useState<StageView | null>(null);
  const [said, setSaid] = useState('');
  const stageSelect = useRef<HTMLSelectElement>(null);
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({ activity: null, tasks: null });

  // Answers come back in any order: a read that left before a move (the live stream's reload after
  // a field was saved) may answer after it. Each read and each first-hand state (a move, a save)
  // takes a ticket; only a newer ticket than the one shown may replace the item.
  const tickets = useRef({ issued: 0, shown: 0 });
  const know = (next: ItemView) => {
    tickets.current.shown = ++tickets.current.issued;
    setItem(next);
  };

  const loadTimeline = useCallback(async () => {
    const ticket = ++tickets.current.issued;
    const answer = await api<TimelineResponse & { item: ItemView }>(`/api/${kind}s/${id}/timeline`);
    setTimeline(answer.timeline);
    if (ticket < tickets.current.shown) return;
    tickets.current.shown = ticket;
    setItem(answer.item);
  }, [kind, id]);

  const loadTasks = useCallback(async () => {
    const answer = await api<TaskListResponse>(`/api/${kind}s/${id}/tasks`);
    setTasks(answer.tasks);
  }, [kind, id]);

  const loadAll = useCallback(async () => {
    try {
      await Promise.all([loadTimeline(), loadTasks()]);
      setFailure(null);
    } catch (error) {
      if (error instanceof ApiError) setFailure(error);
    }
  }, [loadTimeline, loadTasks]);

  useEffect(() => {
    setItem(null);
    setTimeline(null);
    setTab('activity');
    void loadAll();
  }, [loadAll]);

  // Someone else moved or changed it (or one of its tasks): show the fresh version.
  useLiveEvent(
    'item',
    useCallback(
      (event: ItemEvent) => {
        // The event may be older than a move this page just made: read the item afresh.
        if (event.kind !== kind || event.id !== id) return;
        void loadAll();
      },
      [kind, id, loadAll],
    ),
  );
  useLiveResync(loadAll);

  useEffect(() => {
    if (item) document.title = t('app.title', { page: item.title || item.name || t('item.heading', { kind: t(kind === 'deal' ? 'kind.deal' : 'kind.lead'), id }) });
  }, [item, kind, id, t]);

  if (failure && !item) {
    return (
      <section class="page-message">
        <h1>{t('item.heading', { kind: t(kind === 'deal' ? 'kind.deal' : 'kind.lead'), id })}</h1>
        <p role="alert">{failure.status === 404 || failure.status === 403 ? t('item.notFound') : problemWords(failure.code, failure.status)}</p>
        <a href={paths.leads()}>{t('item.back')}</a>
      </section>
    );
  }
  if (!item) {
    return (
      <p class="page-message" role="status">
        {t('item.loading')}
      </p>
    );
  }

  const pipeline = pipelineByKey(session.config, kind, item.pipeline) ?? session.config.leads;
  const name = item.title || item.name || t('item.noName');
  const editable = pipeline.can_move;
  const openTasks = tasks.filter((task) => task.status === 'open').length;
  const backHref = kind === 'deal' ? paths.deals(item.pipeline) : paths.leads();
  const zone = configZone(session.config);

  const onTabKey = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight' && event.key !== 'Home' && event.key !== 'End') return;
    event.preventDefault();
    const next: Tab = event.key === 'Home' ? 'activity' : event.key === 'End' ? 'tasks' : tab === 'activity' ? 'tasks' : 'activity';
    setTab(next);
    tabRefs.current[next]?.focus();
  };

  return (
    <article class="item-page" aria-labelledby="item-title" data-item={`${kind}-${id}`}>
      <header class="item-head">
        <a class="back-link" href={backHref}>
          ← {t('item.back')}
        </a>
        <h1 id="item-title">
          <span class="item-kind">{t('item.heading', { kind: t(kind === 'deal' ? 'kind.deal' : 'kind.lead'), id })}</span> {name}
        </h1>
        <label class="stage-picker">
          <span>{t('item.stage')}</span>
          <select
            ref={stageSelect}
            value={item.stage}
            disabled={!editable}
            aria-label={t('item.stageOf', { name })}
            onChange={(event) => {
              const to = pipeline.stages.find((stage) => stage.id === event.currentTarget.value);
              event.currentTarget.value = item.stage;
              if (to && to.id !== item.stage) setMoving(to);
            }}
          >
            {pipeline.stages.map((stage) => (
              <option key={stage.id} value={stage.id}>
                {word(stage.name, stage.id)}
              </option>
            ))}
          </select>
        </label>
        {!editable && <p class="hint">{t('item.readOnly')}</p>}
        <p class="status-line" role="status" aria-live="polite">
          {said}
        </p>
      </header>

      <div class="item-body">
        <ItemFields item={item} editable={editable} onSaved={(updated, message) => (know(updated), setSaid(message), void loadTimeline())} />

        <section class="item-sections">
          <div class="tabs" role="tablist" aria-label={t('item.tabs')}>
            {(['activity', 'tasks'] as const).map((name) => (
              <button
                key={name}
                type="button"
                role="tab"
                id={`item-tab-${name}`}
                aria-controls={`item-panel-${name}`}
                aria-selected={tab === name}
                tabIndex={tab === name ? 0 : -1}
                ref={(node) => {
                  tabRefs.current[name] = node;
                }}
                onClick={() => setTab(name)}
                onKeyDown={onTabKey}
              >
                {name === 'activity' ? t('item.tab.activity') : t('item.tab.tasks', { count: openTasks })}
              </button>
            ))}
          </div>
          <div role="tabpanel" id="item-panel-activity" aria-labelledby="item-tab-activity" hidden={tab !== 'activity'}>
            <ActivityFeed item={item} timeline={timeline} zone={zone} editable={editable} onAdded={(message) => (setSaid(message), void loadTimeline())} />
          </div>
          <div role="tabpanel" id="item-panel-tasks" aria-labelledby="item-tab-tasks" hidden={tab !== 'tasks'}>
            <ItemTasks item={item} tasks={tasks} editable={editable} onChanged={(message) => (setSaid(message), void loadTasks(), void loadTimeline())} />
          </div>
        </section>
      </div>

      {moving && (
        <MoveDialog
          item={item}
          pipeline={pipeline}
          stage={moving.id}
          onMoved={(moved) => {
            setMoving(null);
            know(moved);
            setSaid(t('item.moved', { name, to: word(moving.name, moving.id) }));
            void loadAll();
            requestAnimationFrame(() => stageSelect.current?.focus());
          }}
          onClose={() => {
            setMoving(null);
            requestAnimationFrame(() => stageSelect.current?.focus());
          }}
        />
      )}
    </article>
  );
}
