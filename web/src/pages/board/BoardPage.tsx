import { useI18n } from '../../i18n';

/** The board of one pipeline: leads at /board/, a deal pipeline at /board/deals/:pipeline. */
export function BoardPage({ pipeline }: { pipeline?: string }) {
  const { t } = useI18n();
  return (
    <section class="page-message" data-pipeline={pipeline ?? 'leads'}>
      <h1>{t('board.title')}</h1>
    </section>
  );
}
