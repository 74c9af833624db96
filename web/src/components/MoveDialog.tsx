import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import type { ItemView, LostReasonView, MoveRequest, PipelineView, StageView } from '../api/types';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { Dialog } from '../ui/Dialog';
import { fieldSpec, inputText, itemName, patchOf, valueOf } from './item-fields';

type Step = { name: 'choose' } | { name: 'reason' } | { name: 'missing'; fields: string[] } | { name: 'busy' };

export interface MoveDialogProps {
  item: ItemView;
  pipeline: PipelineView;
  /** The stage already picked (a drop on a column, the item page's stage list); the person confirms it here. */
  stage?: string;
  /** A drop on a column was the choice: an open stage is moved to at once, a lost one still asks why. */
  immediate?: boolean;
  /** The move went through: the item as it now is, and the stage it left. */
  onMoved(item: ItemView, from: string): void;
  /** Cancelled or closed; focus goes back to whoever opened it. */
  onClose(): void;
}

/**
 * One move, the same on the board and on the item page: the stage chosen and confirmed (an
 * arrow key in the list moves nothing), a lost stage's reason chosen with none pre-selected and
 * who refused whom beside each, the fields the stage requires filled in place when the server
 * refuses for them (typed as the item page edits them, showing what the item already has),
 * then the move again.
 */
export function MoveDialog({ item, pipeline, stage: picked, immediate = false, onMoved, onClose }: MoveDialogProps) {
  const i18n = useI18n();
  const { t, word, error: errorText } = i18n;
  const { config } = useSession();
  const stageName = (stage: StageView) => word(stage.name, stage.id);
  const targets = pipeline.stages.filter((stage) => stage.id !== item.stage);
  const [stageId, setStageId] = useState(picked ?? '');
  const stage = pipeline.stages.find((candidate) => candidate.id === stageId);
  // A picked lost stage goes straight to why; a picked open one is confirmed (or, dropped, moved at once).
  const [step, setStep] = useState<Step>(() => (picked && stage?.semantic === 'lost' ? { name: 'reason' } : immediate && picked ? { name: 'busy' } : { name: 'choose' }));
  const [reason, setReason] = useState<LostReasonView | null>(null);
  const [comment, setComment] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);

  async function move() {
    if (!stage) return;
    setStep({ name: 'busy' });
    setProblem(null);
    const body: MoveRequest = { stage: stage.id, from: item.stage, ...(reason ? { reason: reason.id, refused_by: reason.refused_by } : {}), ...(comment.trim() ? { comment: comment.trim() } : {}) };
    try {
      const moved = await api<ItemView>(`/api/${item.kind}s/${item.id}/move`, { method: 'POST', body });
      onMoved(moved, item.stage);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401) return;
      if (error.code === 'move-refused:required_fields' && error.missingFields.length) {
        setValues(Object.fromEntries(error.missingFields.map((id) => [id, inputText(valueOf(item, fieldSpec(id, config, i18n)))])));
        setStep({ name: 'missing', fields: error.missingFields });
        return;
      }
      setProblem(errorText(error.code, error.status));
      const asksWhy = error.code === 'move-refused:reason_required' || error.code === 'move-refused:refused_by_mismatch';
      setStep(asksWhy || stage.semantic === 'lost' ? { name: 'reason' } : { name: 'choose' });
    }
  }

  useEffect(() => {
    if (immediate && picked && stage?.semantic !== 'lost') void move();
  }, []);

  async function fillAndRetry(fields: string[]) {
    const patch: Record<string, unknown> = {};
    for (const id of fields) {
      const part = patchOf(fieldSpec(id, config, i18n), values[id] ?? '');
      if (part.fields) patch.fields = { ...(patch.fields as object | undefined), ...(part.fields as object) };
      else Object.assign(patch, part);
    }
    setStep({ name: 'busy' });
    try {
      await api(`/api/${item.kind}s/${item.id}`, { method: 'PATCH', body: patch });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setProblem(errorText(error.code, error.status));
      setStep({ name: 'missing', fields });
      return;
    }
    await move();
  }

  const problemLine = problem && (
    <p class="form-error" role="alert">
      {problem}
    </p>
  );
  const cancel = (
    <button type="button" onClick={onClose}>
      {t('common.cancel')}
    </button>
  );

  return (
    <Dialog title={t('move.title', { name: itemName(item) })} onClose={onClose} labelledBy="move-title">
      {step.name === 'choose' && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (!stage) return;
            if (stage.semantic === 'lost') setStep({ name: 'reason' });
            else void move();
          }}
        >
          <label class="stacked">
            {t('move.to')}
            <select value={stageId} onChange={(event) => setStageId(event.currentTarget.value)} required autoFocus>
              <option value="" disabled>
                {t('move.pick')}
              </option>
              {targets.map((target) => (
                <option key={target.id} value={target.id}>
                  {stageName(target)}
                </option>
              ))}
            </select>
          </label>
          {problemLine}
          <div class="dialog-actions">
            {cancel}
            <button type="submit" class="primary" disabled={!stage}>
              {t('move.confirm')}
            </button>
          </div>
        </form>
      )}
      {step.name === 'reason' && stage && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (reason || !(stage.reasons ?? []).length) void move();
          }}
        >
          <p>{t('move.lostLead', { stage: stageName(stage) })}</p>
          <fieldset class="reasons">
            <legend>{t('move.reason')}</legend>
            {(stage.reasons ?? []).map((option, index) => (
              <label key={option.id}>
                <input type="radio" name="reason" value={option.id} checked={reason?.id === option.id} onChange={() => setReason(option)} required autoFocus={index === 0} />
                <span>{word(option.label, option.id)}</span>
                <small class="muted"> — {t(option.refused_by === 'client_refused' ? 'move.clientRefused' : 'move.weRefused')}</small>
              </label>
            ))}
          </fieldset>
          <label class="stacked">
            {t('move.comment')}
            <textarea rows={2} maxLength={2000} value={comment} onInput={(event) => setComment(event.currentTarget.value)} />
          </label>
          {problemLine}
          <div class="dialog-actions">
            {cancel}
            <button type="submit" class="danger" disabled={!reason && (stage.reasons ?? []).length > 0}>
              {t('move.confirmLost')}
            </button>
          </div>
        </form>
      )}
      {step.name === 'missing' && stage && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void fillAndRetry(step.fields);
          }}
        >
          <p role="alert">{t('move.needsFields', { stage: stageName(stage) })}</p>
          {step.fields.map((id, index) => {
            const spec = fieldSpec(id, config, i18n);
            return (
              <label class="stacked" key={id}>
                {spec.label}
                {spec.values ? (
                  <select required value={values[id] ?? ''} onChange={(event) => setValues({ ...values, [id]: event.currentTarget.value })} autoFocus={index === 0}>
                    <option value="" disabled>
                      {t('move.pick')}
                    </option>
                    {spec.values.map((value) => (
                      <option key={value} value={value}>
                        {word(value)}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    required
                    type={spec.type === 'tel' || spec.type === 'email' ? spec.type : 'text'}
                    list={undefined}
                    inputMode={spec.type === 'number' ? 'decimal' : undefined}
                    value={values[id] ?? ''}
                    onInput={(event) => setValues({ ...values, [id]: event.currentTarget.value })}
                    autoFocus={index === 0}
                  />
                )}
              </label>
            );
          })}
          {problemLine}
          <div class="dialog-actions">
            {cancel}
            <button type="submit" class="primary">
              {t('move.saveAndMove')}
            </button>
          </div>
        </form>
      )}
      {step.name === 'busy' && <p role="status">{t('common.loading')}</p>}
    </Dialog>
  );
}
