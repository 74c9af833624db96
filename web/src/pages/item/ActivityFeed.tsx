import { useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import type { ItemView } from '../../api/types';
import { useI18n } from '../../i18n';
import { useSession } from '../../session';
import { formatWhen } from '../tasks/buckets';
import { entryKind, rawDetails, sentenceOf } from './feed';
import type { CallDirection, CallOutcome, TimelineEntry } from './types';

interface ActivityFeedProps {
  item: ItemView;
  timeline: TimelineEntry[] | null;
  zone: string;
  editable: boolean;
  onAdded(said: string): void;
}

const OUTCOMES: CallOutcome[] = ['answered', 'no_answer', 'busy', 'voicemail'];

/** What happened to the item, newest first, in plain words; a comment or a call is added at the top. */
export function ActivityFeed({ item, timeline, zone, editable, onAdded }: ActivityFeedProps) {
  const { t } = useI18n();
  const { user } = useSession();
  const seesEngine = user.role === 'ops' || user.role === 'admin';
  const taskTitles = new Map((timeline ?? []).filter((entry) => entry.type === 'task_created' && typeof entry.title === 'string').map((entry) => [Number(entry.task_id), entry.title as string]));
  return (
    <section class="feed" aria-labelledby="feed-title">
      <h2 id="feed-title" class="visually-hidden">
        {t('feed.title')}
      </h2>
      {editable && <Composer item={item} onAdded={onAdded} />}
      {timeline === null ? (
        <p role="status">{t('feed.loading')}</p>
      ) : timeline.length === 0 ? (
        <p class="hint">{t('feed.empty')}</p>
      ) : (
        <ol class="feed-list">
          {[...timeline].reverse().map((entry, index) => (
            <FeedEntry key={`${entry.at}-${entry.kind}-${index}`} entry={entry} item={item} zone={zone} seesEngine={seesEngine} taskTitles={taskTitles} />
          ))}
        </ol>
      )}
    </section>
  );
}

function FeedEntry({ entry, item, zone, seesEngine, taskTitles }: { entry: TimelineEntry; item: ItemView; zone: string; seesEngine: boolean; taskTitles: ReadonlyMap<number, string> }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const { config } = useSession();
  const [open, setOpen] = useState(false);
  const now = Date.now();
  const kind = entryKind(entry);
  const sentence = sentenceOf(entry, { i18n, config, zone, now, pipeline: item.pipeline, taskTitles }, config.locale);
  const status = typeof entry.status === 'string' ? entry.status : '';
  return (
    <li class={`feed-entry kind-${kind}${status ? ` status-${status}` : ''}`}>
      <span class="feed-kind" aria-hidden="true" />
      <div class="feed-text">
        <p>
          <span class="visually-hidden">{t(`feed.kind.${kind}`)}: </span>
          {sentence.map((part, index) =>
            typeof part === 'string' ? (
              part
            ) : (
              <span key={index} data-user-content>
                {part.theirs}
              </span>
            ),
          )}
        </p>
        <time dateTime={entry.at}>{formatWhen(entry.at, locale, zone, now)}</time>
        {seesEngine && (
          <>
            <button type="button" class="link-button more" aria-expanded={open} onClick={() => setOpen(!open)}>
              {open ? t('feed.less') : t('feed.more')}
            </button>
            {open && (
              <pre class="feed-raw" lang="en">
                {entry.summary ? `${entry.summary}\n\n` : ''}
                {rawDetails(entry)}
              </pre>
            )}
          </>
        )}
      </div>
    </li>
  );
}

function Composer({ item, onAdded }: { item: ItemView; onAdded(said: string): void }) {
  const { t, error: problemWords } = useI18n();
  const [mode, setMode] = useState<'comment' | 'call'>('comment');
  const [comment, setComment] = useState('');
  const [direction, setDirection] = useState<CallDirection>('outbound');
  const [outcome, setOutcome] = useState<CallOutcome>('answered');
  const [minutes, setMinutes] = useState('');
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const commentBox = useRef<HTMLTextAreaElement>(null);
  const callButton = useRef<HTMLButtonElement>(null);

  async function send(path: string, body: unknown, said: string, reset: () => void, focus: () => void) {
    setBusy(true);
    setProblem('');
    try {
      await api(`/api/${item.kind}s/${item.id}/${path}`, { method: 'POST', body });
      reset();
      onAdded(said);
      focus();
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) return;
      setProblem(failure instanceof ApiError ? problemWords(failure.code, failure.status) : String(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="composer">
      <div class="composer-modes" role="group" aria-label={t('compose.title')}>
        <button type="button" aria-pressed={mode === 'comment'} onClick={() => setMode('comment')}>
          {t('compose.comment')}
        </button>
        <button type="button" ref={callButton} aria-pressed={mode === 'call'} onClick={() => setMode('call')}>
          {t('compose.logCall')}
        </button>
      </div>
      {mode === 'comment' ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const text = comment.trim();
            if (!text) return setProblem(t('compose.commentEmpty'));
            void send(
              'comments',
              { text },
              t('compose.commentAdded'),
              () => setComment(''),
              () => commentBox.current?.focus(),
            );
          }}
          novalidate
        >
          <label class="field">
            <span>{t('compose.comment')}</span>
            <textarea ref={commentBox} rows={2} maxLength={5000} placeholder={t('compose.commentPlaceholder')} value={comment} onInput={(event) => setComment(event.currentTarget.value)} />
          </label>
          <button type="submit" class="primary" disabled={busy}>
            {t('compose.addComment')}
          </button>
        </form>
      ) : (
        <form
          class="call-form"
          onSubmit={(event) => {
            event.preventDefault();
            const typed = minutes.trim().replace(',', '.');
            const value = typed === '' ? null : Number(typed);
            if (value !== null && (!Number.isFinite(value) || value < 0 || value > 600)) return setProblem(t('compose.durationInvalid'));
            const body: Record<string, unknown> = { direction, outcome };
            if (value !== null) body.duration_seconds = Math.round(value * 60);
            if (note.trim()) body.note = note.trim();
            void send(
              'calls',
              body,
              t('compose.callLogged'),
              () => (setMinutes(''), setNote('')),
              () => callButton.current?.focus(),
            );
          }}
          novalidate
        >
          <fieldset>
            <legend>{t('compose.direction')}</legend>
            {(['outbound', 'inbound'] as const).map((value) => (
              <label key={value} class="choice">
                <input type="radio" name="call-direction" value={value} checked={direction === value} onChange={() => setDirection(value)} />
                {t(`compose.${value}`)}
              </label>
            ))}
          </fieldset>
          <label class="field">
            <span>{t('compose.outcome')}</span>
            <select value={outcome} onChange={(event) => setOutcome(event.currentTarget.value as CallOutcome)}>
              {OUTCOMES.map((value) => (
                <option key={value} value={value}>
                  {t(`compose.${value}`)}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t('compose.duration')}</span>
            <input type="text" inputMode="decimal" value={minutes} onInput={(event) => setMinutes(event.currentTarget.value)} />
          </label>
          <label class="field wide">
            <span>{t('compose.note')}</span>
            <textarea rows={2} maxLength={2000} value={note} onInput={(event) => setNote(event.currentTarget.value)} />
          </label>
          <button type="submit" class="primary" disabled={busy}>
            {t('compose.saveCall')}
          </button>
        </form>
      )}
      <p class="form-error" role="alert">
        {problem}
      </p>
    </div>
  );
}
