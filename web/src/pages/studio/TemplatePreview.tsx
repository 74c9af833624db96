import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import { useI18n } from '../../i18n';
import type { TemplatePreviewView as Preview } from './types';
import { Code } from './words';

/** A template rendered with a real item, as a send renders it (GET /api/templates/:id/preview). HTML is shown as source: it may name outside images. */
export function TemplatePreview() {
  const { t, error: problemWords } = useI18n();
  const [templates, setTemplates] = useState<Array<{ id: string; channel: string | null }>>([]);
  const [template, setTemplate] = useState('');
  const [item, setItem] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problem, setProblem] = useState('');
  useEffect(() => {
    api<{ templates: Array<{ id: string; channel: string | null }> }>('/api/templates')
      .then((answer) => {
        setTemplates(answer.templates);
        setTemplate(answer.templates[0]?.id ?? '');
      })
      .catch((failure: ApiError) => setProblem(problemWords(failure.code, failure.status)));
  }, [problemWords]);
  const show = async (event: Event) => {
    event.preventDefault();
    setPreview(null);
    if (!/^(lead|deal):[1-9]\d*$/.test(item.trim())) {
      setProblem(t('preview.badItem'));
      return;
    }
    try {
      setPreview(await api<Preview>(`/api/templates/${encodeURIComponent(template)}/preview`, { query: { item: item.trim() } }));
      setProblem('');
    } catch (failure) {
      if (failure instanceof ApiError) setProblem(problemWords(failure.code, failure.status));
    }
  };
  // What to type is the API's own syntax, the same in both languages.
  const itemFormat = (
    <>
      <Code>lead:42</Code> {t('preview.or')} <Code>deal:7</Code>
    </>
  );
  return (
    <section class="template-preview" aria-labelledby="preview-title">
      <h2 id="preview-title">{t('preview.title')}</h2>
      <form class="preview-form" onSubmit={(event) => void show(event)}>
        <div class="preview-field">
          <label for="preview-template">{t('preview.template')}</label>
          <select id="preview-template" value={template} onChange={(event) => setTemplate(event.currentTarget.value)} data-user-content>
            {templates.map((option) => (
              <option key={option.id} value={option.id}>
                {option.id}
              </option>
            ))}
          </select>
        </div>
        <div class="preview-field">
          <label for="preview-item">
            {t('preview.item')} ({itemFormat})
          </label>
          <input id="preview-item" value={item} onInput={(event) => setItem(event.currentTarget.value)} />
        </div>
        <button type="submit" class="primary">
          {t('preview.show')}
        </button>
      </form>
      {problem && (
        <p role="alert">
          {problem === t('preview.badItem') ? (
            <>
              {problem} {itemFormat}.
            </>
          ) : (
            problem
          )}
        </p>
      )}
      {preview && (
        <div class="preview-result" data-channel={preview.channel}>
          <p>
            {t('preview.channel')}: <Code>{preview.channel}</Code>
          </p>
          {preview.sms && <p class="preview-sms">{t('preview.sms', { characters: preview.sms.characters, encoding: preview.sms.encoding, segments: preview.sms.segments })}</p>}
          {preview.subject !== null && (
            <p>
              {t('preview.subject')}: <span data-user-content>{preview.subject}</span>
            </p>
          )}
          <h3>{t('preview.text')}</h3>
          <pre class="preview-text" data-user-content>
            {preview.text}
          </pre>
          {preview.html !== null && (
            <>
              <h3>{t('preview.html')}</h3>
              <pre data-user-content>{preview.html}</pre>
            </>
          )}
          {preview.unknown_paths.length > 0 && (
            <p class="preview-unknown">
              {t('preview.unknown')} <Code>{preview.unknown_paths.join(', ')}</Code>
            </p>
          )}
        </div>
      )}
    </section>
  );
}
