import { useI18n } from '../../i18n';

/** Placeholder: the analytics page (Chart.js, bundled from npm `chart.js`) is built on this route by the analytics work. */
export function AnalyticsPage() {
  const { t } = useI18n();
  return (
    <section class="page-message">
      <h1>{t('analytics.title')}</h1>
      <p>{t('common.placeholder')}</p>
    </section>
  );
}
