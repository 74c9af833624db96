import { LineCounter } from 'yaml';
import type { ConfigIssue } from '../server/core/errors';
import { sortIssues, zodIssues } from './issues';
import { CONFIG_LIMITS, sizeText, type ConfigLimits } from './limits';
import { asSaid, render, say, type Said } from './messages';
import { formatPath, locate, type ConfigPath } from './positions';
import { checkReferences, type ReferenceProblem } from './references';
import { ConfigSchema } from './registered-schema';
import { salvage } from './salvage';
import type { Config } from './schema';
import { readTemplates, type TemplateFileRead, type TemplateFileReader, type TemplateSources } from './templates';
import { normalizeUserPhones } from './user-phones';
import { checkStructure, firstAlias, parseBounded, strayControlCharacter, yamlIssues } from './yaml-structure';

/** Template files by the path `file:` names them with, or a reader that finds them. */
export type TemplateFiles = Readonly<Record<string, string>> | TemplateFileReader;

export interface ValidateOptions {
  /** The name issues carry (default robots.yaml). */
  file?: string;
  limits?: Partial<ConfigLimits>;
}

/** The config when nothing is wrong, and every problem, each with its line and column. */
export interface Validation {
  config?: Config;
  templateSources?: TemplateSources;
  errors: ConfigIssue[];
}

/**
 * robots.yaml checked whole, every problem in one run: what `robots validate`, the server's
 * reload and the browser studio all call. Pure — no disk, no clock: template files come in
 * `templates`. A value the schema refuses never hides the reference, context-path and template
 * checks: they run on what is left around it (config/salvage.ts).
 */
export function validateConfig(yamlText: string, templates: TemplateFiles = {}, options: ValidateOptions = {}): Validation {
  const file = options.file ?? 'robots.yaml';
  const limits = { ...CONFIG_LIMITS, ...options.limits };
  try {
    return validate(yamlText, readerOf(templates), file, limits);
  } catch (error) {
    // The checks below are meant to leave nothing that throws; should one still, it is this file's
    // problem to show (a 422 and `robots validate` output), not a 500.
    return { errors: [{ file, line: 1, col: 1, path: '(file)', message: `the config could not be checked: ${(error as Error).message}` }] };
  }
}

function readerOf(templates: TemplateFiles): TemplateFileReader {
  if (typeof templates === 'function') return templates;
  return (file): TemplateFileRead => {
    const text = Object.hasOwn(templates, file) ? templates[file] : undefined;
    return text === undefined ? { ok: false, problem: { line: 1, col: 1, said: say('file_unreadable', { reason: 'not found' }), missing: true } } : { ok: true, text };
  };
}

function validate(text: string, readFile: TemplateFileReader, file: string, limits: ConfigLimits): Validation {
  const refuse = (line: number, col: number, where: string, message: string | Said): Validation => {
    const said = asSaid(message);
    return { errors: [{ file, line, col, path: where, message: render(said), code: said.code, params: said.params }] };
  };

  const size = new TextEncoder().encode(text).length;
  if (size > limits.maxBytes) return refuse(1, 1, '(file)', say('file_too_big', { size: sizeText(limits.maxBytes) }));
  const control = strayControlCharacter(text);
  if (control) return refuse(control.line, control.col, '(yaml)', control.message);

  const lineCounter = new LineCounter();
  const parsedText = parseBounded(text, lineCounter, limits.maxTokens);
  if ('denseAt' in parsedText) {
    const { line, col } = lineCounter.linePos(parsedText.denseAt);
    return refuse(line, col, '(yaml)', say('too_dense', { max: limits.maxTokens }));
  }
  const { document } = parsedText;
  if (document.errors.length > 0) return { errors: yamlIssues(document.errors, file, lineCounter, limits) };
  const structural = checkStructure(document, lineCounter, file, limits);
  if (structural.length > 0) return { errors: structural };

  const issueAt = (pathInFile: ConfigPath, message: string | Said, key?: string): ConfigIssue => {
    const said = asSaid(message);
    return { file, ...locate(document, lineCounter, pathInFile, key), path: formatPath(key !== undefined ? [...pathInFile, key] : pathInFile), message: render(said), code: said.code, params: said.params };
  };

  let raw: unknown;
  try {
    // checkStructure has bounded the aliases exactly; the library's own (rougher) count stays as
    // a second fence, set wide enough not to refuse what passed the first.
    raw = document.toJS({ maxAliasCount: 10 * limits.maxAliasExpansion }) ?? {};
  } catch (error) {
    const { line, col } = lineCounter.linePos(firstAlias(document)?.range?.[0] ?? 0);
    return refuse(line, col, '(yaml)', (error as Error).message);
  }

  const parsed = ConfigSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) {
    const issues = [...checkReferences(parsed.data), ...normalizeUserPhones(parsed.data)].map((problem) => issueAt(problem.path, problem.message, problem.key));
    const templateSources = readTemplates(parsed.data, readFile, issueAt, issues);
    if (issues.length > 0) return { errors: sortIssues(issues) };
    return { config: parsed.data, templateSources, errors: [] };
  }

  // Every error at once: stand in for what the schema refused and cross-check the rest, so a
  // bad time of day in a schedule does not hide an unknown stage three screens below.
  const issues = zodIssues(parsed.error.issues, issueAt);
  const salvaged = salvage(raw, parsed.error.issues);
  if (!salvaged) return { errors: issues };
  const seen = new Set(issues.map((issue) => issue.path));
  const underStandIn = (path: ConfigPath) => salvaged.standIns.some((standIn) => standIn.length <= path.length && standIn.every((step, index) => path[index] === step));
  const later: ConfigIssue[] = [];
  const add = (problem: ReferenceProblem) => {
    const path = problem.key !== undefined ? [...problem.path, problem.key] : problem.path;
    if (underStandIn(path)) return;
    const issue = issueAt(problem.path, problem.message, problem.key);
    if (!seen.has(issue.path)) later.push(issue);
  };
  [...checkReferences(salvaged.config), ...normalizeUserPhones(salvaged.config)].forEach(add);
  const templateIssues: ConfigIssue[] = [];
  readTemplates(salvaged.config, readFile, issueAt, templateIssues);
  for (const issue of templateIssues) {
    const template = /^templates\.([^.[]+)/.exec(issue.path)?.[1];
    if (template !== undefined && salvaged.standIns.some((standIn) => standIn[0] === 'templates' && standIn[1] === template)) continue;
    if (!seen.has(issue.path)) later.push(issue);
  }
  return { errors: sortIssues([...issues, ...later]) };
}
