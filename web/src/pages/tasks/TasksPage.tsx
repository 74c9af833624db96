import { useI18n } from '../../i18n';

/** Placeholder: the tasks page is built on this route by the tasks page's work. */
export function TasksPage() {
  const { t } = useI18n();
  return (
    <section class="page-message">
      <h1>{t('tasks.title')}</h1>
      <p>{t('common.placeholder')}</p>
    </section>
  );
}
