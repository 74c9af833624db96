import { autocompletion, completionKeymap, type CompletionContext } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, hoverTooltip, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../../api/client';
import { describeAt, suggestionsAt, type JsonSchema } from './schema-help';
import { customFieldIds, templateCompletions, type TemplateVocabulary, type VocabularyHelper } from './template-complete';
import type { EditorIssue } from './types';

/**
 * robots.yaml in CodeMirror 6: keys and values offered from the config's JSON Schema, a key's
 * description on hover, helpers and context paths inside a template's `{{ }}`, and the server's own validator (the one `robots validate` runs) as
 * inline diagnostics while typing, with its did-you-mean as a quick fix.
 */

export interface CodeEditorHandle {
  view: EditorView;
}

interface Props {
  initial: string;
  schema: JsonSchema | null;
  /** What templates may call and read (GET /api/config/source). */
  vocabulary: TemplateVocabulary | null;
  /** A helper's description and usage, a path's, in the page's words. */
  templateInfo: { helper(helper: VocabularyHelper): string; path(custom: boolean): string };
  label: string;
  fixLabel: (suggestion: string) => string;
  onChange(text: string): void;
  onIssues(issues: EditorIssue[] | null): void;
  handle?: { current: CodeEditorHandle | null };
}

/** The word at a line and column (1-based), where a did-you-mean replaces it. */
function wordRange(view: EditorView, line: number, col: number): { from: number; to: number } {
  const lineInfo = view.state.doc.line(Math.min(Math.max(line, 1), view.state.doc.lines));
  const start = Math.min(lineInfo.from + Math.max(col - 1, 0), lineInfo.to);
  const text = lineInfo.text;
  let from = start - lineInfo.from;
  let to = from;
  while (from > 0 && /[\w$.-]/.test(text[from - 1] ?? '')) from--;
  while (to < text.length && /[\w$.-]/.test(text[to] ?? '')) to++;
  return { from: lineInfo.from + from, to: lineInfo.from + to };
}

export function CodeEditor({ initial, schema, vocabulary, templateInfo, label, fixLabel, onChange, onIssues, handle }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const schemaRef = useRef(schema);
  schemaRef.current = schema;
  const vocabularyRef = useRef(vocabulary);
  vocabularyRef.current = vocabulary;
  const callbacks = useRef({ onChange, onIssues, fixLabel, templateInfo });
  callbacks.current = { onChange, onIssues, fixLabel, templateInfo };

  useEffect(() => {
    if (!host.current) return;
    const validate = linter(
      async (view) => {
        callbacks.current.onIssues(null);
        let answer: { valid: boolean; errors: EditorIssue[] };
        try {
          answer = await api<{ valid: boolean; errors: EditorIssue[] }>('/api/config/validate', { method: 'POST', body: { yaml: view.state.doc.toString() } });
        } catch {
          return [];
        }
        callbacks.current.onIssues(answer.errors);
        return answer.errors.map((issue): Diagnostic => {
          const range = wordRange(view, issue.line, issue.col);
          return {
            from: range.from,
            to: Math.max(range.to, range.from),
            severity: 'error',
            message: `${issue.path}: ${issue.message}`,
            actions: issue.suggestion
              ? [
                  {
                    name: callbacks.current.fixLabel(issue.suggestion),
                    apply: (target, from, to) => target.dispatch({ changes: { from, to, insert: issue.suggestion ?? '' } }),
                  },
                ]
              : [],
          };
        });
      },
      { delay: 600 },
    );
    const complete = (context: CompletionContext) => {
      const words = vocabularyRef.current;
      const inTemplate = words && templateCompletions(context.state.sliceDoc(0, context.pos), words, customFieldIds(context.state.doc.toString()));
      if (inTemplate) {
        const info = callbacks.current.templateInfo;
        return {
          from: inTemplate.from,
          options: inTemplate.options.map((option) =>
            option.kind === 'helper'
              ? { label: option.label, apply: option.apply, type: 'function', info: info.helper(option.helper) }
              : { label: option.label, apply: option.apply, type: 'variable', info: info.path(option.custom) },
          ),
          validFor: /^[\w.@]*$/,
        };
      }
      const current = schemaRef.current;
      if (!current) return null;
      const found = suggestionsAt(current, context.state.doc.toString(), context.pos);
      if (!found || (found.from === context.pos && !context.explicit)) return null;
      return { from: found.from, options: found.options.map((option) => ({ label: option.label, type: option.kind === 'key' ? 'property' : 'enum', info: option.info })), validFor: /^[\w$-]*$/ };
    };
    const hover = hoverTooltip((view, position) => {
      const current = schemaRef.current;
      if (!current) return null;
      const found = describeAt(current, view.state.doc.toString(), position);
      if (!found) return null;
      return {
        pos: found.from,
        end: found.to,
        create: () => {
          const dom = document.createElement('div');
          dom.className = 'schema-hover';
          const title = document.createElement('strong');
          title.textContent = found.key;
          const text = document.createElement('p');
          text.textContent = found.description;
          dom.append(title, text);
          return { dom };
        },
      };
    });
    const view = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: initial,
        extensions: [
          lineNumbers(),
          highlightActiveLine(),
          history(),
          yaml(),
          syntaxHighlighting(defaultHighlightStyle),
          autocompletion({ override: [complete] }),
          hover,
          validate,
          lintGutter(),
          keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    if (handle) handle.current = { view };
    return () => {
      view.destroy();
      if (handle) handle.current = null;
    };
    // The editor is made once per opened file; its text then lives in CodeMirror.
  }, [initial]);

  return <div class="code-editor" ref={host} data-user-content translate={false} />;
}
