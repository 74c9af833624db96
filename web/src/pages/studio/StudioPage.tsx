import '../../components/page.css';
import './studio.css';
import { useLocation } from 'preact-iso';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import { hasWord, useI18n } from '../../i18n';
import { paths } from '../../paths';
import { AutomationMap } from './AutomationMap';
import { CodeEditor, type CodeEditorHandle } from './CodeEditor';
import { History } from './History';
import { Review } from './Review';
import { TemplatePreview } from './TemplatePreview';
import { IssueMessage } from './words';
import type { JsonSchema } from './schema-help';
import { helperUsage, type TemplateVocabulary, type VocabularyHelper } from './template-complete';
import type { AutomationResponse, EditorIssue, VersionView } from './types';
import type { ConfigEvent } from '../../api/types';
import { useLiveEvent, useLiveResync } from '../../live/stream';

/** GET /api/config/source: the file on disk, its hash and the version it is (null when the history has none with its bytes). */
interface Source {
  yaml: string;
  hash: string;
  version: number | null;
  template_vocabulary: TemplateVocabulary;
}

type Tab = 'map' | 'editor' | 'history' | 'templates';
type Editing = { phase: 'edit' } | { phase: 'review'; yaml: string; rollbackOf: { id: number } | null };

/**
 * /board/automation — the automation studio. The map for ops, admins and managers; the editor
 * (with review before apply) and the history for ops and admins, unless `studio.edit: false`.
 */
export function StudioPage() {
  const { t, error: problemWords } = useI18n();
  const location = useLocation();
  const [map, setMap] = useState<AutomationResponse | null>(null);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [source, setSource] = useState<Source | null>(null);
  /** A newer file than the one the draft started from, while the draft has edits: said, never loaded over them. */
  const [newer, setNewer] = useState<(Source & { author: string }) | null>(null);
  const [historyTick, setHistoryTick] = useState(0);
  const [schema, setSchema] = useState<JsonSchema | null>(null);
  const [text, setText] = useState('');
  const [issues, setIssues] = useState<EditorIssue[] | null>([]);
  const [editing, setEditing] = useState<Editing>({ phase: 'edit' });
  const [said, setSaid] = useState('');
  const templateInfo = useMemo(() => {
    const word = (key: string, fallback: string) => (hasWord(key) ? t(key) : fallback);
    return {
      helper: (helper: VocabularyHelper) => `${word(`complete.helper.${helper.name}`, '')}\n${helperUsage(helper, (name) => word(`complete.arg.${name}`, name))}`.trim(),
      path: (custom: boolean) => t(custom ? 'complete.customField' : 'complete.path'),
    };
  }, [t]);
  const editor = useRef<CodeEditorHandle | null>(null);
  const pendingLine = useRef<number | null>(null);

  const requested = location.query.view;
  const tab: Tab = requested === 'editor' || requested === 'history' || requested === 'templates' ? requested : 'map';

  const loadMap = useCallback(() => {
    api<AutomationResponse>('/api/automation')
      .then((answer) => {
        setMap(answer);
        setProblem(null);
      })
      .catch((failure: unknown) => setProblem(failure instanceof ApiError ? failure : new ApiError(0, 'network', String(failure))));
  }, []);
  const loadSource = useCallback(() => {
    api<Source>('/api/config/source')
      .then((answer) => {
        setSource(answer);
        setText(answer.yaml);
        setNewer(null);
        setEditing({ phase: 'edit' });
      })
      .catch(() => undefined);
  }, []);

  useEffect(loadMap, [loadMap]);

  // The config was replaced (a reload of the file, someone's apply): the map and history redraw;
  // an editor without edits takes the new file, one with edits keeps them and is told.
  const latest = useRef({ source, text, editing, canEdit: false });
  latest.current = { source, text, editing, canEdit: map?.can_edit_role ?? false };
  const configChanged = useCallback(
    (event: ConfigEvent) => {
      loadMap();
      setHistoryTick((tick) => tick + 1);
      if (!latest.current.canEdit) return;
      api<Source>('/api/config/source')
        .then((fresh) => {
          const { source: base, text: draft, editing: phase } = latest.current;
          if (!base || fresh.hash === base.hash) return;
          if (draft === fresh.yaml || (draft === base.yaml && phase.phase === 'edit')) {
            setSource(fresh);
            setText(fresh.yaml);
            setNewer(null);
          } else setNewer({ ...fresh, author: event.author });
        })
        .catch(() => undefined);
    },
    [loadMap],
  );
  useLiveEvent('config', configChanged);
  useLiveResync(loadMap);
  useEffect(() => {
    document.title = t('app.title', { page: t('studio.title') });
  }, [t]);
  useEffect(() => {
    if (!map?.can_edit_role) return;
    loadSource();
    api<JsonSchema>('/api/config/schema')
      .then(setSchema)
      .catch(() => undefined);
  }, [map?.can_edit_role, loadSource]);

  // A robot opened from the map in the editor: the cursor goes to its first line.
  useEffect(() => {
    const line = pendingLine.current;
    const view = editor.current?.view;
    if (tab !== 'editor' || line === null || !view) return;
    pendingLine.current = null;
    const position = view.state.doc.line(Math.min(line, view.state.doc.lines)).from;
    view.dispatch({ selection: { anchor: position }, scrollIntoView: true });
    view.focus();
  });

  const go = (next: Tab) => location.route(next === 'map' ? paths.automation() : `${paths.automation()}?view=${next}`);

  if (problem) {
    return (
      <div class="studio-page">
        <h1>{t('studio.title')}</h1>
        <p role="alert">{problem.status === 403 ? t('studio.forbidden') : problemWords(problem.code, problem.status)}</p>
      </div>
    );
  }
  if (!map) {
    return (
      <div class="studio-page">
        <p role="status">{t('studio.loading')}</p>
      </div>
    );
  }

  const tabs: Tab[] = map.can_edit_role ? (map.editable ? ['map', 'editor', 'history', 'templates'] : ['map', 'history', 'templates']) : ['map'];
  const shown: Tab = tabs.includes(tab) ? tab : 'map';
  const applied = (version: VersionView) => {
    setSaid(t('editor.applied', { version: version.id }));
    loadMap();
    loadSource();
  };

  return (
    <div class="studio-page">
      <h1>{t('studio.title')}</h1>
      {map.can_edit_role && !map.editable && <p class="note">{t('studio.editOff')}</p>}
      {tabs.length > 1 && (
        <nav class="studio-tabs" aria-label={t('studio.tabs')}>
          {tabs.map((name) => (
            <a key={name} href={name === 'map' ? paths.automation() : `${paths.automation()}?view=${name}`} aria-current={shown === name ? 'page' : undefined}>
              {t(`studio.tab.${name}`)}
            </a>
          ))}
        </nav>
      )}
      <p class="visually-hidden" role="status">
        {said}
      </p>
      {said && <p class="applied">{said}</p>}
      {shown === 'map' && (
        <AutomationMap
          map={map}
          onEdit={
            map.editable
              ? (line) => {
                  pendingLine.current = line;
                  go('editor');
                }
              : undefined
          }
        />
      )}
      {newer && source && (shown === 'editor' || shown === 'history') && (
        <div class="stale-notice" role="status">
          <p>{t('editor.stale', { base: source.version ?? 0, now: newer.version ?? 0, author: newer.author })}</p>
          <button type="button" onClick={loadSource}>
            {t('editor.staleLoad')}
          </button>
        </div>
      )}
      {shown === 'editor' && source && (
        <div class="studio-editor">
          <div hidden={editing.phase !== 'edit'}>
            <CodeEditor
              initial={source.yaml}
              schema={schema}
              vocabulary={source.template_vocabulary}
              templateInfo={templateInfo}
              label={t('editor.label')}
              fixLabel={(suggestion) => `${t('editor.fix')} ${t('quoted', { text: suggestion })}`}
              onChange={(next) => {
                setText(next);
                setSaid('');
              }}
              onIssues={setIssues}
              handle={editor}
            />
            <div class="editor-status" aria-live="polite">
              {issues === null ? t('editor.checking') : issues.length === 0 ? t('editor.valid') : t('editor.errors', { count: issues.length })}
            </div>
            {issues && issues.length > 0 && (
              <ul class="editor-issues">
                {issues.map((issue, index) => (
                  <li key={index} data-line={issue.line}>
                    {t('editor.at', { line: issue.line, col: issue.col })} <IssueMessage message={issue.message} />
                    {issue.suggestion && editor.current && (
                      <>
                        {' '}
                        <button
                          type="button"
                          onClick={() => {
                            const view = editor.current?.view;
                            if (!view) return;
                            const line = view.state.doc.line(Math.min(issue.line, view.state.doc.lines));
                            const start = line.from + issue.col - 1;
                            const match = /^[\w$.-]+/.exec(line.text.slice(issue.col - 1));
                            view.dispatch({ changes: { from: start, to: start + (match?.[0].length ?? 0), insert: issue.suggestion ?? '' } });
                          }}
                        >
                          {t('editor.fix')} <span data-user-content>{t('quoted', { text: issue.suggestion })}</span>
                        </button>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )}
            <div class="review-actions">
              <button type="button" onClick={loadSource}>
                {t('editor.reset')}
              </button>
              <button type="button" class="primary" disabled={text === source.yaml || (issues?.length ?? 0) > 0} onClick={() => setEditing({ phase: 'review', yaml: text, rollbackOf: null })}>
                {text === source.yaml ? t('editor.unchanged') : t('editor.review')}
              </button>
            </div>
          </div>
          {editing.phase === 'review' && <Review yaml={editing.yaml} baseHash={source.hash} rollbackOf={editing.rollbackOf} onBack={() => setEditing({ phase: 'edit' })} onApplied={applied} onReopen={loadSource} />}
        </div>
      )}
      {shown === 'templates' && <TemplatePreview />}
      {shown === 'history' && (
        <>
          {editing.phase === 'review' && editing.rollbackOf && source ? (
            <Review
              yaml={editing.yaml}
              baseHash={source.hash}
              rollbackOf={editing.rollbackOf}
              onBack={() => setEditing({ phase: 'edit' })}
              onApplied={(version) => {
                applied(version);
              }}
              onReopen={loadSource}
            />
          ) : (
            <History
              key={`${said}:${historyTick}`}
              editable={map.editable}
              zone={map.timezone}
              onRollback={(version) => {
                void api<{ yaml: string }>(`/api/config/versions/${version.id}`).then((full) => setEditing({ phase: 'review', yaml: full.yaml, rollbackOf: { id: version.id } }));
              }}
            />
          )}
        </>
      )}
    </div>
  );
}
