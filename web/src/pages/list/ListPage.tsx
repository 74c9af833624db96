import { useI18n } from '../../i18n';

/** The list view: a sortable table of the same items the board shows. */
export function ListPage() {
  const { t } = useI18n();
  return (
    <section class="page-message">
      <h1>{t('list.title')}</h1>
    </section>
  );
}
