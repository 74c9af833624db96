import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import type { ItemView, LostReasonView, MoveRequest, PipelineView, StageView } from '../../api/types';
import { useI18n } from '../../i18n';
import { useSession } from '../../session';
import { Dialog } from '../../ui/Dialog';
import { collection } from './board-api';
import { fieldLabel, isStandardField, itemName } from './fields';

type Step = { name: 'choose' } | { name: 'reason' } | { name: 'missing'; fields: string[] } | { name: 'busy' };

export interface MoveRequestState {
  item: ItemView;
  /** Given when the card was dropped on a column; a keyboard move chooses it here and confirms. */
  stage?: string;
}

/**
 * One move, start to end: the stage chosen and confirmed (an arrow key in the select moves
 * nothing), a lost stage's reason chosen with none pre-selected, fields the stage requires
 * filled in place when the server refuses for them, then the move again.
 */
export function MoveDialog({ pipeline, request, onDone, onClose }: { pipeline: PipelineView; request: MoveRequestState; onDone: (item: ItemView, from: string) => void; onClose: () => void }) {
  const { t, word, error: errorText, locale } = useI18n();
  const { config } = useSession();
  const { item } = request;
  const stageName = (stage: StageView) => word(stage.name, stage.id);
  const targets = pipeline.stages.filter((stage) => stage.id !== item.stage);
  const [stageId, setStageId] = useState(request.stage ?? '');
  const stage = pipeline.stages.find((candidate) => candidate.id === stageId);
  const [step, setStep] = useState<Step>(() => (request.stage ? (stage?.semantic === 'lost' ? { name: 'reason' } : { name: 'busy' }) : { name: 'choose' }));
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
      const moved = await api<ItemView>(`${collection(item.kind)}/${item.id}/move`, { method: 'POST', body });
      onDone(moved, item.stage);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === 'move-refused:required_fields' && error.missingFields.length) {
        setStep({ name: 'missing', fields: error.missingFields });
        return;
      }
      if (error.code === 'move-refused:reason_required' || error.code === 'move-refused:refused_by_mismatch') {
        setStep({ name: 'reason' });
        setProblem(errorText(error.code, error.status));
        return;
      }
      setProblem(errorText(error.code, error.status));
      setStep(request.stage ? { name: 'reason' } : { name: 'choose' });
    }
  }

  // A drop on an open stage moves at once (the drop was the choice); a lost one asks the reason first.
  useEffect(() => {
    if (request.stage && stage?.semantic !== 'lost') void move();
  }, []);

  async function fillAndRetry(fields: string[]) {
    const patch: Record<string, unknown> = {};
    const custom: Record<string, unknown> = {};
    for (const id of fields) {
      const raw = values[id]?.trim() ?? '';
      const spec = config.fields.find((field) => field.id === id);
      const value = spec?.type === 'number' || id === 'amount' ? Number(raw.replace(',', '.')) : raw;
      if (isStandardField(id)) patch[id] = value;
      else custom[id] = value;
    }
    if (Object.keys(custom).length) patch.fields = custom;
    setStep({ name: 'busy' });
    try {
      await api(`${collection(item.kind)}/${item.id}`, { method: 'PATCH', body: patch });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setProblem(errorText(error.code, error.status));
      setStep({ name: 'missing', fields });
      return;
    }
    await move();
  }

  const title = t('move.title', { name: itemName(item) });
  return (
    <Dialog title={title} onClose={onClose} labelledBy="move-title">
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
          {problem && (
            <p class="form-error" role="alert">
              {problem}
            </p>
          )}
          <div class="dialog-actions">
            <button type="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
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
            <textarea rows={2} value={comment} onInput={(event) => setComment(event.currentTarget.value)} />
          </label>
          {problem && (
            <p class="form-error" role="alert">
              {problem}
            </p>
          )}
          <div class="dialog-actions">
            <button type="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
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
            const spec = config.fields.find((field) => field.id === id);
            const label = fieldLabel(config, locale, id);
            return (
              <label class="stacked" key={id}>
                {label}
                {spec?.values ? (
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
                  <input required type={inputType(id, spec?.type) as 'text'} value={values[id] ?? ''} onInput={(event) => setValues({ ...values, [id]: event.currentTarget.value })} autoFocus={index === 0} />
                )}
              </label>
            );
          })}
          {problem && (
            <p class="form-error" role="alert">
              {problem}
            </p>
          )}
          <div class="dialog-actions">
            <button type="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
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

/** The input a field is typed into. */
function inputType(id: string, type: string | undefined): string {
  if (id === 'email') return 'email';
  if (id === 'phone') return 'tel';
  return type === 'number' || id === 'amount' ? 'number' : 'text';
}
