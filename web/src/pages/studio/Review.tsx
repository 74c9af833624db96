import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import { useI18n } from '../../i18n';
import type { ReviewResponse, VersionView } from './types';
import { Code } from './words';

/** A unified diff, its added and removed lines marked (config text: shown as written). */
export function DiffView({ diff, label }: { diff: string; label: string }) {
  const lines = diff.split('\n').filter((line) => !line.startsWith('Index:') && !line.startsWith('====='));
  return (
    <pre class="diff" aria-label={label} tabIndex={0} data-user-content>
      {lines.map((line, index) => (
        <span key={index} class={line.startsWith('+') && !line.startsWith('+++') ? 'diff-add' : line.startsWith('-') && !line.startsWith('---') ? 'diff-del' : line.startsWith('@@') ? 'diff-hunk' : undefined}>
          {line}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

interface Props {
  yaml: string;
  baseHash: string;
  rollbackOf?: { id: number } | null;
  onBack(): void;
  onApplied(version: VersionView): void;
  onReopen(): void;
}

/**
 * What `robots plan` says of this text against the running config — runs cancelled, runs keeping
 * their old timing, stages removed with items in them, templates reworded — and the diff; Apply
 * writes it. A file changed on disk since it was opened is refused with the diff (409).
 */
export function Review({ yaml, baseHash, rollbackOf, onBack, onApplied, onReopen }: Props) {
  const { t, error: problemWords } = useI18n();
  const [review, setReview] = useState<ReviewResponse | null>(null);
  const [problem, setProblem] = useState('');
  const [conflict, setConflict] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<ReviewResponse>('/api/config/plan', { method: 'POST', body: { yaml } })
      .then(setReview)
      .catch((failure: ApiError) => setProblem(problemWords(failure.code, failure.status)));
  }, [yaml, problemWords]);

  const apply = async () => {
    setBusy(true);
    setProblem('');
    try {
      const answer = await api<{ version: VersionView }>('/api/config/apply', { method: 'POST', body: { yaml, base_hash: baseHash, ...(rollbackOf ? { rollback_of: rollbackOf.id } : {}) } });
      onApplied(answer.version);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 409 && typeof failure.problem.diff === 'string') setConflict(failure.problem.diff);
      else if (failure instanceof ApiError) setProblem(problemWords(failure.code, failure.status));
    } finally {
      setBusy(false);
    }
  };

  const plan = review?.plan;
  return (
    <section class="review" aria-labelledby="review-title">
      <h2 id="review-title">{rollbackOf ? t('review.rollbackTitle', { version: rollbackOf.id }) : t('review.title')}</h2>
      {problem && <p role="alert">{problem}</p>}
      {!review && !problem && <p role="status">{t('studio.loading')}</p>}
      {review && plan && (
        <>
          <p class="review-headline" role="status">
            <strong>{t('review.cancels', { count: plan.cancelled_runs })}</strong>
          </p>
          <ul class="review-items">
            {plan.cancelled.map((robot) => (
              <li key={`c-${robot.robot}`} class="review-minus">
                − {robot.why === 'removed' ? t('review.removed') : t('review.moved')} <Code>{robot.robot}</Code>: {t('review.cancels', { count: robot.cancelled_runs })}
              </li>
            ))}
            {plan.changed.map((robot) => (
              <li key={`ch-${robot.robot}`} class="review-change">
                ~ {t('review.changed')} <Code>{robot.robot}</Code> ({t('review.keys')} <Code>{robot.keys.join(', ')}</Code>){robot.keep_due_time > 0 && <>: {t('review.keeps', { count: robot.keep_due_time })}</>}
              </li>
            ))}
            {plan.added.map((robot) => (
              <li key={`a-${robot.robot}`} class="review-plus">
                + {t('review.added')} <Code>{robot.robot}</Code>
              </li>
            ))}
            {plan.removed_stages.map((stage) => (
              <li key={`s-${stage.pipeline}-${stage.stage}`} class="review-minus">
                − {t('review.stageRemoved')} <Code>{stage.stage}</Code>: {t('review.items', { count: stage.items })}
              </li>
            ))}
            {plan.triggers.map((trigger) => (
              <li key={`t-${trigger.trigger}`}>
                {t('review.trigger')} <Code>{trigger.trigger}</Code>: {t(`review.trigger.${trigger.change}`)}
              </li>
            ))}
            {review.templates.map((template) => (
              <li key={`tp-${template.template}`}>
                {t('review.template')} <Code>{template.template}</Code>: {t(`review.template.${template.change}`)}
                {template.keys.length > 0 && (
                  <>
                    {' '}
                    ({t('review.keys')} <Code>{template.keys.join(', ')}</Code>)
                  </>
                )}
              </li>
            ))}
          </ul>
          {plan.no_changes && review.templates.length === 0 && <p>{t('review.nothing')}</p>}
          <h3>{t('review.diff')}</h3>
          <DiffView diff={review.diff} label={t('review.diff')} />
          {conflict !== null ? (
            <div class="conflict" role="alert">
              <p>{t('review.conflict')}</p>
              <DiffView diff={conflict} label={t('review.diff')} />
              <button type="button" onClick={onReopen}>
                {t('review.reopen')}
              </button>
            </div>
          ) : null}
          <div class="review-actions">
            <button type="button" onClick={onBack}>
              {t('review.back')}
            </button>
            <button type="button" class="primary" disabled={busy || conflict !== null} onClick={() => void apply()}>
              {t('review.apply')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
