import { ErrorBoundary, LocationProvider, Route, Router, lazy, useLocation } from 'preact-iso';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken, whenUnauthenticated } from './api/client';
import type { MeResponse, PipelinesResponse } from './api/types';
import { I18nContext, makeI18n, pickLocale, rememberLocale, type Locale } from './i18n';
import { Layout } from './layout/Layout';
import { startLive, stopLive } from './live/stream';
import { BoardPage } from './pages/board/BoardPage';
import { ListPage } from './pages/list/ListPage';
import { NotFound } from './pages/NotFound';
import { SignInPage } from './pages/sign-in/SignInPage';
import { itemFromHash, paths } from './paths';
import { SessionContext, type Session } from './session';

// The item, tasks and analytics pages are loaded when first opened: the board paints without them (and without Chart.js).
const ItemPage = lazy(() => import('./pages/item/ItemPage').then((module) => module.ItemPage));
const TasksPage = lazy(() => import('./pages/tasks/TasksPage').then((module) => module.TasksPage));
const AnalyticsPage = lazy(() => import('./pages/analytics/AnalyticsPage').then((module) => module.AnalyticsPage));
// The studio carries CodeMirror: loaded only by those who open it.
const StudioPage = lazy(() => import('./pages/studio/StudioPage').then((module) => module.StudioPage));

type Phase = { name: 'loading' } | { name: 'signed-out' } | { name: 'ready'; session: Session } | { name: 'failed'; error: ApiError };

async function loadSession(signOut: () => Promise<void>, reloadConfig: () => Promise<void>): Promise<Session> {
  const me = await api<MeResponse>('/auth/me', { quietUnauthenticated: true });
  setCsrfToken(me.csrf_token);
  const config = await api<PipelinesResponse>('/api/config/pipelines');
  return { user: me.user, config, signOut, reloadConfig };
}

function Shell() {
  const location = useLocation();
  const [locale, setLocaleState] = useState<Locale>(() => pickLocale());
  const [phase, setPhase] = useState<Phase>({ name: 'loading' });

  const setLocale = useCallback((next: Locale) => {
    rememberLocale(next);
    setLocaleState(next);
  }, []);
  const i18n = useMemo(() => makeI18n(locale, setLocale), [locale, setLocale]);

  const signOut = useCallback(async () => {
    try {
      await api('/auth/logout', { method: 'POST', quietUnauthenticated: true });
    } finally {
      setCsrfToken(null);
      stopLive();
      setPhase({ name: 'signed-out' });
    }
  }, []);

  const start = useCallback(async () => {
    try {
      const reloadConfig = async () => {
        const config = await api<PipelinesResponse>('/api/config/pipelines');
        setPhase((current) => (current.name === 'ready' ? { name: 'ready', session: { ...current.session, config } } : current));
      };
      const session = await loadSession(signOut, reloadConfig);
      setLocaleState(pickLocale(session.config.locale));
      startLive();
      setPhase({ name: 'ready', session });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setPhase({ name: 'signed-out' });
      else setPhase({ name: 'failed', error: error instanceof ApiError ? error : new ApiError(0, 'network', String(error)) });
    }
  }, [signOut]);

  useEffect(() => {
    whenUnauthenticated(() => {
      stopLive();
      setPhase({ name: 'signed-out' });
    });
    void start();
  }, [start]);

  // `/board/#lead-123` (alerts, one-time links) opens the item.
  useEffect(() => {
    const openHashItem = () => {
      const item = itemFromHash(window.location.hash);
      if (item) location.route(paths.item(item.kind, item.id), true);
    };
    openHashItem();
    window.addEventListener('hashchange', openHashItem);
    return () => window.removeEventListener('hashchange', openHashItem);
  }, [location]);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const onSignIn = phase.name === 'signed-out' || location.path === paths.signIn();
  useEffect(() => {
    // Signed out anywhere: the sign-in page, remembering where the person was going.
    if (phase.name === 'signed-out' && location.path !== paths.signIn()) {
      location.route(`${paths.signIn()}?next=${encodeURIComponent(location.url)}`, true);
    }
    if (phase.name === 'ready' && location.path === paths.signIn()) {
      // Only a path of the board itself: `next` comes from the address bar.
      const next = location.query.next;
      location.route(next && next.startsWith('/board/') && !next.startsWith(paths.signIn()) ? next : paths.leads(), true);
    }
  }, [phase.name, location]);

  let body;
  if (phase.name === 'loading')
    body = (
      <p class="page-message" role="status">
        {i18n.t('common.loading')}
      </p>
    );
  else if (phase.name === 'failed')
    body = (
      <main class="page-message">
        <p role="alert">{i18n.error(phase.error.code, phase.error.status)}</p>
        <button type="button" onClick={() => void start()}>
          {i18n.t('common.retry')}
        </button>
      </main>
    );
  else if (phase.name === 'signed-out' || onSignIn) body = <SignInPage onSignedIn={start} />;
  else
    body = (
      <SessionContext.Provider value={phase.session}>
        <Layout>
          <ErrorBoundary>
            <Router>
              <Route path="/board/" component={BoardPage} />
              <Route path="/board/deals/:pipeline" component={BoardPage} />
              <Route path="/board/list" component={ListPage} />
              <Route path="/board/item/:kind/:id" component={ItemPage} />
              <Route path="/board/tasks" component={TasksPage} />
              <Route path="/board/analytics" component={AnalyticsPage} />
              <Route path="/board/automation" component={StudioPage} />
              <Route default component={NotFound} />
            </Router>
          </ErrorBoundary>
        </Layout>
      </SessionContext.Provider>
    );
  return <I18nContext.Provider value={i18n}>{body}</I18nContext.Provider>;
}

export function App() {
  return (
    <LocationProvider scope="/board">
      <Shell />
    </LocationProvider>
  );
}
