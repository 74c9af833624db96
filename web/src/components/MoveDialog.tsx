import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import type { ItemView, PipelineView, StageView } from '../api/types';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { fieldSpec, inputText, patchOf, valueOf } from './item-fields';

export interface MoveDialogProps {
  item: ItemView;
  pipeline: PipelineView;
  to: StageView;
  /** The move went through: the item as it now is. */
  onMoved(item: ItemView): void;
  /** Cancelled or closed; focus goes back to whoever opened it. */
  onClose(): void;
}

type Step = { name: 'confirm' } | { name: 'fill'; missing: string[] };

/**
 * A move as people make it on the board and on the item page: confirm (with the lost reason
 * when the stage is a lost one), and when the server refuses for missing fields, exactly those
 * fields to fill in, saved and moved again. A modal <dialog>: focus stays inside until it closes.
 */
export function MoveDialog({ item, pipeline, to, onMoved, onClose }: MoveDialogProps) {
  const i18n = useI18n();
  const { t, word, error: problemWords } = i18n;
  const { config } = useSession();
  const dialog = useRef<HTMLDialogElement>(null);
  const [step, setStep] = useState<Step>({ name: 'confirm' });
  // No reason is chosen for the person: a hurried confirm must not record one nobody picked.
  const [reason, setReason] = useState('');
  const [comment, setComment] = useState('');
  const [filled, setFilled] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const name = item.title || item.name || t('item.noName');
  const from = word(pipeline.stages.find((stage) => stage.id === item.stage)?.name, item.stage);
  const toName = word(to.name, to.id);
  const reasons = to.semantic === 'lost' ? (to.reasons ?? []) : [];

  useEffect(() => {
    const node = dialog.current;
    if (node && !node.open) node.showModal();
    return () => node?.close();
  }, []);

  async function move(): Promise<void> {
    const body: Record<string, string> = { stage: to.id, from: item.stage };
    if (reasons.length && reason) body.reason = reason;
    if (comment.trim()) body.comment = comment.trim();
    const moved = await api<ItemView & { moved: boolean }>(`/api/${item.kind}s/${item.id}/move`, { method: 'POST', body });
    onMoved(moved);
  }

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setProblem('');
    try {
      if (step.name === 'fill') {
        const patch: Record<string, unknown> = {};
        for (const id of step.missing) {
          const part = patchOf(fieldSpec(id, config, i18n), filled[id] ?? '');
          if (part.fields) patch.fields = { ...(patch.fields as object | undefined), ...(part.fields as object) };
          else Object.assign(patch, part);
        }
        await api<ItemView>(`/api/${item.kind}s/${item.id}`, { method: 'PATCH', body: patch });
      }
      await move();
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) return;
      const missing = failure instanceof ApiError ? failure.missingFields : [];
      if (missing.length && step.name === 'confirm') {
        setFilled(Object.fromEntries(missing.map((id) => [id, inputText(valueOf(item, fieldSpec(id, config, i18n)))])));
        setStep({ name: 'fill', missing });
      } else {
        setProblem(t('item.moveRefused', { to: toName, why: failure instanceof ApiError ? problemWords(failure.code, failure.status) : String(failure) }));
      }
    } finally {
      setBusy(false);
    }
  }

  const title =
    step.name === 'fill'
      ? t('item.fillTitle', { to: toName, fields: step.missing.map((id) => fieldSpec(id, config, i18n).label).join(', ') })
      : reasons.length
        ? t('item.lostTitle', { name, to: toName })
        : t('item.moveConfirm', { name, from, to: toName });

  return (
    <dialog ref={dialog} class="move-dialog" aria-labelledby="move-dialog-title" onCancel={(event) => (event.preventDefault(), onClose())}>
      <form onSubmit={(event) => void submit(event)} novalidate>
        <h2 id="move-dialog-title">{title}</h2>
        {step.name === 'confirm' && reasons.length > 0 && (
          <label class="field">
            <span>{t('item.lostReason')}</span>
            <select value={reason} onChange={(event) => setReason(event.currentTarget.value)} required>
              <option value="" disabled>
                {t('item.chooseReason')}
              </option>
              {reasons.map((option) => (
                <option key={option.id} value={option.id}>
                  {word(option.label, option.id)} ({t(option.refused_by === 'we_refused' ? 'item.weRefused' : 'item.clientRefused')})
                </option>
              ))}
            </select>
          </label>
        )}
        {step.name === 'confirm' && (
          <label class="field">
            <span>{t('item.moveComment')}</span>
            <textarea rows={2} maxLength={2000} value={comment} onInput={(event) => setComment(event.currentTarget.value)} />
          </label>
        )}
        {step.name === 'fill' &&
          step.missing.map((id, index) => {
            const spec = fieldSpec(id, config, i18n);
            return (
              <label class="field" key={id}>
                <span>{spec.label}</span>
                {spec.values ? (
                  <select value={filled[id] ?? ''} autoFocus={index === 0} onChange={(event) => setFilled({ ...filled, [id]: event.currentTarget.value })}>
                    <option value="" />
                    {spec.values.map((value) => (
                      <option key={value} value={value}>
                        {word(value)}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    type={spec.type === 'number' ? 'text' : spec.type === 'tel' || spec.type === 'email' ? spec.type : 'text'}
                    list={undefined}
                    inputMode={spec.type === 'number' ? 'decimal' : undefined}
                    autoFocus={index === 0}
                    value={filled[id] ?? ''}
                    onInput={(event) => setFilled({ ...filled, [id]: event.currentTarget.value })}
                  />
                )}
              </label>
            );
          })}
        <p class="form-error" role="alert">
          {problem}
        </p>
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {step.name === 'fill' ? t('item.fillSubmit') : t('item.move')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
