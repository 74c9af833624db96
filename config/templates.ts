import Handlebars from 'handlebars';
import { say, type Said } from './messages';
import type { ConfigIssue } from '../server/core/errors';
import { ContextPaths, inTextSaid, parseErrorText, templateKinds } from './context-paths';
import type { IssueAt } from './issues';
import type { ConfigPath } from './positions';
import type { Config } from './schema';

/** A template file as read: its text, or why not (a 1-based place in it when it is no UTF-8). */
export type TemplateFileRead = { ok: true; text: string } | { ok: false; problem: { line: number; col: number; said: Said; missing?: boolean } };

/** Reads a template's `file:` as written (relative to the config): from disk for the CLI and server, from memory for the studio. */
export type TemplateFileReader = (file: string) => TemplateFileRead;

export type TemplateSources = Map<string, { text: string; subject?: string; html?: string }>;

/**
 * Template files are read and every template compiled now, so a broken `{{` fails the load, not
 * a send; and every path a template reads is checked against the context of the items its robots
 * run on (leads, deals, or both), so `{{lead.nmae}}` fails the load, not renders empty.
 */
export function readTemplates(config: Config, readFile: TemplateFileReader, issueAt: IssueAt, issues: ConfigIssue[]): TemplateSources {
  const sources: TemplateSources = new Map();
  const contextPaths = new ContextPaths(config.fields);
  const kindsOf = templateKinds(config);
  for (const [id, template] of Object.entries(config.templates)) {
    let text = template.text ?? '';
    if (template.file !== undefined) {
      const read = readFile(template.file);
      if (!read.ok) {
        const { missing, line, col, said } = read.problem;
        issues.push(
          issueAt(
            ['templates', id, 'file'],
            missing ? say('template_file_missing', { file: template.file }) : say('template_file_problem', { ...said.params, inner: said.code, file: template.file, text_line: line, text_col: col }),
          ),
        );
        continue;
      }
      text = read.text;
    }
    const parts: Array<[string, string | undefined]> = [
      ['text', text],
      ['subject', template.subject],
      ['html', template.html],
    ];
    for (const [part, source] of parts) {
      if (source === undefined) continue;
      const fromFile = template.file !== undefined && part === 'text';
      const where: ConfigPath = fromFile ? ['templates', id, 'file'] : ['templates', id, part];
      try {
        Handlebars.precompile(source);
      } catch (error) {
        issues.push(issueAt(where, say('template_does_not_compile', { text: parseErrorText(error as Error) })));
        continue;
      }
      const checked = contextPaths.text(source, { kinds: [...(kindsOf.get(id) ?? [])], recipient: true });
      for (const problem of checked.ok ? checked.problems : []) {
        const said = fromFile
          ? say('template_file_problem', { ...problem.said.params, inner: problem.said.code, file: template.file ?? '', text_line: problem.line, text_col: problem.col })
          : inTextSaid(problem, source, part);
        issues.push(issueAt(where, said));
      }
    }
    sources.set(id, { text, subject: template.subject, html: template.html });
  }
  return sources;
}
