import path from 'node:path';
import Handlebars from 'handlebars';
import type { ConfigIssue } from '../server/core/errors';
import { readTextFile } from './file-bytes';
import type { IssueAt } from './issues';
import type { ConfigLimits } from './limits';
import type { ConfigPath } from './positions';
import type { Config } from './schema';

export type TemplateSources = Map<string, { text: string; subject?: string; html?: string }>;

/** Template files are read and every template compiled now, so a broken `{{` fails the load, not a send. */
export function readTemplates(
  config: Config,
  baseDir: string,
  limits: ConfigLimits,
  issueAt: IssueAt,
  issues: ConfigIssue[],
): TemplateSources {
  const sources: TemplateSources = new Map();
  for (const [id, template] of Object.entries(config.templates)) {
    let text = template.text ?? '';
    if (template.file !== undefined) {
      const read = readTextFile(path.resolve(baseDir, template.file), limits.maxBytes);
      if (!read.ok) {
        const { missing, line, col, message } = read.problem;
        issues.push(issueAt(['templates', id, 'file'], missing ? `template file not found: ${template.file}` : `template file ${template.file}:${line}:${col}: ${message}`));
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
      try {
        Handlebars.precompile(source);
      } catch (error) {
        const where: ConfigPath = template.file !== undefined && part === 'text' ? ['templates', id, 'file'] : ['templates', id, part];
        issues.push(issueAt(where, `template does not compile: ${(error as Error).message.split('\n')[0]}`));
      }
    }
    sources.set(id, { text, subject: template.subject, html: template.html });
  }
  return sources;
}
