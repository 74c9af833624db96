import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import type { ItemView } from '../../api/types';
import { fieldSpecs, inputText, patchOf, valueOf, type FieldSpec } from '../../components/item-fields';
import { personName } from '../../components/zone';
import { useI18n } from '../../i18n';
import { useSession } from '../../session';

interface ItemFieldsProps {
  item: ItemView;
  editable: boolean;
  onSaved(item: ItemView, said: string): void;
}

/** The item's fields, each edited in place: Edit → the box → Enter saves, Escape puts it back. */
export function ItemFields({ item, editable, onSaved }: ItemFieldsProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const { config } = useSession();
  return (
    <section class="item-fields" aria-labelledby="item-fields-title">
      <h2 id="item-fields-title">{t('item.fields')}</h2>
      <dl>
        {fieldSpecs(item.kind, config, i18n).map((spec) => (
          <FieldRow key={spec.id} item={item} spec={spec} editable={editable} onSaved={onSaved} />
        ))}
      </dl>
    </section>
  );
}

function FieldValue({ item, spec }: { item: ItemView; spec: FieldSpec }) {
  const { t, word, fmt } = useI18n();
  const { config } = useSession();
  const value = valueOf(item, spec);
  if (value === null || value === undefined || value === '')
    return (
      <span class="empty">
        <span aria-hidden="true">{t('item.empty')}</span>
        <span class="visually-hidden">{t('item.emptyValue')}</span>
      </span>
    );
  if (spec.id === 'phone') {
    const shown = item.phone_display || String(value);
    return (
      <a href={`tel:${String(value).replace(/[^\d+]/g, '')}`} aria-label={t('item.call', { phone: shown })}>
        {shown}
      </a>
    );
  }
  if (spec.id === 'email')
    return (
      <a href={`mailto:${String(value)}`} aria-label={t('item.mail', { email: String(value) })}>
        {String(value)}
      </a>
    );
  if (spec.id === 'responsible') return <>{personName(config, String(value))}</>;
  if (spec.id === 'source') return <>{word(config.source_labels[String(value)], String(value))}</>;
  if (spec.id === 'amount' && typeof value === 'number') return <>{fmt.money(value)}</>;
  if (typeof value === 'boolean') return <>{value ? '✓' : '✗'}</>;
  return <>{word(inputText(value))}</>;
}

function FieldRow({ item, spec, editable, onSaved }: { item: ItemView; spec: FieldSpec; editable: boolean; onSaved: ItemFieldsProps['onSaved'] }) {
  const { t, word, error: problemWords } = useI18n();
  const { config } = useSession();
  const [editing, setEditing] = useState(false);
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement & HTMLSelectElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const inputId = `field-${spec.id}`;

  useEffect(() => {
    if (editing) input.current?.focus();
  }, [editing]);

  const stop = () => {
    setEditing(false);
    setProblem('');
    requestAnimationFrame(() => editButton.current?.focus());
  };

  async function save(event: Event) {
    event.preventDefault();
    setBusy(true);
    try {
      const updated = await api<ItemView>(`/api/${item.kind}s/${item.id}`, { method: 'PATCH', body: patchOf(spec, typed) });
      stop();
      onSaved(updated, t('item.saved', { field: spec.label }));
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) return;
      const fieldProblem = failure instanceof ApiError && Array.isArray(failure.problem.errors) ? (failure.problem.errors as Array<{ path?: string }>).some((entry) => String(entry.path ?? '').includes(spec.id)) : false;
      setProblem(failure instanceof ApiError ? `${problemWords(failure.code, failure.status)}${fieldProblem ? ` (${spec.label})` : ''}` : String(failure));
    } finally {
      setBusy(false);
    }
  }

  const people = config.users;
  return (
    <div class={`field-row${editing ? ' editing' : ''}`}>
      <dt>{editing ? <label for={inputId}>{spec.label}</label> : spec.label}</dt>
      <dd>
        {editing ? (
          <form class="inline-edit" onSubmit={(event) => void save(event)} onKeyDown={(event) => event.key === 'Escape' && (event.preventDefault(), stop())} novalidate>
            {spec.type === 'person' || spec.values ? (
              <select id={inputId} ref={input} value={typed} onChange={(event) => setTyped(event.currentTarget.value)}>
                <option value="" />
                {(spec.type === 'person' ? people.map((person) => ({ value: person.login, label: person.name })) : (spec.values ?? []).map((value) => ({ value, label: word(value) }))).map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={inputId}
                ref={input}
                type={spec.type === 'tel' || spec.type === 'email' ? spec.type : 'text'}
                list={undefined}
                inputMode={spec.type === 'number' ? 'decimal' : undefined}
                value={typed}
                aria-invalid={problem ? true : undefined}
                aria-describedby={problem ? `${inputId}-problem` : undefined}
                onInput={(event) => setTyped(event.currentTarget.value)}
              />
            )}
            <button type="submit" class="primary" disabled={busy} aria-label={t('item.saveField', { field: spec.label })}>
              {t('common.save')}
            </button>
            <button type="button" onClick={stop} aria-label={t('item.cancelEdit', { field: spec.label })}>
              {t('common.cancel')}
            </button>
            {problem && (
              <p class="form-error" id={`${inputId}-problem`} role="alert">
                {problem}
              </p>
            )}
          </form>
        ) : (
          <>
            <span class="field-value" data-user-content>
              <FieldValue item={item} spec={spec} />
            </span>
            {editable && (
              <button
                type="button"
                class="link-button"
                ref={editButton}
                aria-label={t('item.editField', { field: spec.label })}
                onClick={() => {
                  setTyped(inputText(valueOf(item, spec)));
                  setEditing(true);
                }}
              >
                {t('item.edit')}
              </button>
            )}
          </>
        )}
      </dd>
    </div>
  );
}
