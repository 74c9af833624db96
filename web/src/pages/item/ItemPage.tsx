import { useI18n } from '../../i18n';

/** Placeholder: the item view (timeline, fields, tasks) is built on this route by the item page's work. */
export function ItemPage({ kind, id }: { kind?: string; id?: string }) {
  const { t } = useI18n();
  return (
    <section class="page-message" data-item={`${kind ?? ''}-${id ?? ''}`}>
      <h1>
        {t(kind === 'deal' ? 'kind.deal' : 'kind.lead')} #{id}
      </h1>
      <p>{t('common.placeholder')}</p>
    </section>
  );
}
