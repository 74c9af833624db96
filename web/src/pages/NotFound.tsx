import { useI18n } from '../i18n';
import { paths } from '../paths';

export function NotFound() {
  const { t } = useI18n();
  return (
    <section class="page-message">
      <h1>{t('common.notFound')}</h1>
      <a href={paths.leads()}>{t('common.toBoard')}</a>
    </section>
  );
}
