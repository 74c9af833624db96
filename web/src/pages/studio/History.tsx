import { useEffect, useState } from 'preact/hooks';
import { api, type ApiError } from '../../api/client';
import { formatInZone, zoneLabel } from '../../components/zone';
import { useI18n } from '../../i18n';
import type { PlanSummary, VersionView } from './types';

/** Every config the server ran, newest first; any earlier one can be rolled back to (planned and reviewed like an edit). */
export function History({ editable, zone, onRollback }: { editable: boolean; zone: string; onRollback(version: VersionView): void }) {
  const { t, locale, error: problemWords } = useI18n();
  // `zone`: the sales team's clock (the config's `timezone:`), not the browser's: a change at 09:00 Moscow reads 09:00 in Berlin too.
  const now = Date.now();
  const [versions, setVersions] = useState<VersionView[] | null>(null);
  const [problem, setProblem] = useState('');
  useEffect(() => {
    api<{ versions: VersionView[] }>('/api/config/versions')
      .then((answer) => setVersions(answer.versions))
      .catch((failure: ApiError) => setProblem(problemWords(failure.code, failure.status)));
  }, [problemWords]);
  const what = (version: VersionView) => {
    if (version.author === 'file') return t('history.file');
    const summary = version.planSummary ? (JSON.parse(version.planSummary) as PlanSummary) : null;
    const words = summary ? t('history.summary', { cancelled: summary.cancelled_runs, changed: summary.robots_changed + summary.robots_added + summary.robots_removed }) : '';
    return version.rollbackOf ? `${t('history.rollbackOf', { version: version.rollbackOf })}; ${words}` : words;
  };
  return (
    <section class="history" aria-labelledby="history-title">
      <h2 id="history-title">{t('history.title')}</h2>
      {problem && <p role="alert">{problem}</p>}
      <p class="hint">{t('history.zone', { zone: zoneLabel(zone, locale) })}</p>
      {versions && versions.length === 0 && <p>{t('history.none')}</p>}
      {versions && versions.length > 0 && (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('history.version')}</th>
                <th scope="col">{t('history.when')}</th>
                <th scope="col">{t('history.author')}</th>
                <th scope="col">{t('history.what')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('history.rollback')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {versions.map((version, index) => (
                <tr key={version.id} data-version={version.id}>
                  <td>{version.id}</td>
                  <td>
                    <time dateTime={new Date(version.createdAt).toISOString()}>{formatInZone(new Date(version.createdAt).toISOString(), locale, zone, now)}</time>
                  </td>
                  <td data-user-content>{version.author === 'file' ? '' : version.author}</td>
                  <td>{what(version)}</td>
                  <td>
                    {index === 0 ? (
                      <span class="muted">{t('history.current')}</span>
                    ) : editable ? (
                      <button type="button" aria-label={t('history.rollbackNamed', { version: version.id })} onClick={() => onRollback(version)}>
                        {t('history.rollback')}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
