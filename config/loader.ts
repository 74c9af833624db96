import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { LineCounter, parseDocument, YAMLError } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../server/engine/errors';
import { compileConfig, type CompiledConfig } from './model';
import { formatPath, locate, type ConfigPath } from './positions';
import { checkReferences } from './references';
import { robotDefinitions } from '../robots';
import { ConfigSchema, RobotBase, type Config } from './schema';
import { triggerDefinitions } from '../triggers';

const triggerEventType = (type: string) => triggerDefinitions.find((definition) => definition.type === type)?.listensTo ?? type;

export const DEFAULT_CONFIG_FILE = 'robots.yaml';

export type LoadResult = { ok: true; config: CompiledConfig } | { ok: false; issues: ConfigIssue[] };

/** Reads, validates and cross-checks a config file; every problem comes back at once. */
export function loadConfigFile(file: string, now = Date.now()): LoadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, issues: [{ file, line: 1, col: 1, path: '(file)', message: `cannot read: ${(error as Error).message}` }] };
  }
  return loadConfigText(text, file, now);
}

export function loadConfigOrThrow(file: string, now = Date.now()): CompiledConfig {
  const result = loadConfigFile(file, now);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}

export function loadConfigText(text: string, file: string, now = Date.now()): LoadResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const displayName = path.relative(process.cwd(), file) || file;
  const issueAt = (pathInFile: ConfigPath, message: string, key?: string): ConfigIssue => ({
    file: displayName,
    ...locate(document, lineCounter, pathInFile, key),
    path: formatPath(key !== undefined ? [...pathInFile, key] : pathInFile),
    message,
  });

  if (document.errors.length > 0) {
    return { ok: false, issues: document.errors.map((error) => yamlIssue(error, displayName, lineCounter)) };
  }
  const raw = document.toJS() ?? {};
  const parsed = ConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    // Every error at once: drop the keys the schema refused and cross-check what is left,
    // so a bad duration does not hide an unknown stage three screens below.
    const issues = zodIssues(parsed.error.issues, issueAt);
    const pruned = salvage(raw, parsed.error.issues);
    if (pruned) {
      const seen = new Set(issues.map((issue) => issue.path));
      for (const problem of checkReferences(pruned)) {
        const issue = issueAt(problem.path, problem.message, problem.key);
        if (!seen.has(issue.path)) issues.push(issue);
      }
    }
    return { ok: false, issues: sortIssues(issues) };
  }

  const issues = checkReferences(parsed.data).map((problem) => issueAt(problem.path, problem.message, problem.key));
  const templateSources = readTemplates(parsed.data, path.dirname(file), issueAt, issues);
  if (issues.length > 0) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, config: compileConfig(parsed.data, file, templateSources, now, triggerEventType) };
}

/** A robot type whose params all have defaults and refer to nothing: what a robot the schema refuses is checked as. */
const STAND_IN_TYPE = robotDefinitions.find(
  (definition) => !definition.appliesTo && definition.params.safeParse({}).success && (definition.references?.(definition.params.parse({}) as never) ?? []).length === 0,
)?.type;
const SHARED_ROBOT_KEYS = new Set(RobotBase.keyof().options as string[]);

/**
 * What the cross-checks run on when the schema refused something: the refused keys dropped,
 * and a robot still refused after that (unknown `type:`, a required key missing) reduced to
 * its shared keys under a stand-in type, so one bad robot does not hide the rest of the file.
 */
function salvage(raw: unknown, issues: z.core.$ZodIssue[]): Config | null {
  let copy = pruneRefusedKeys(raw, issues);
  for (let pass = 0; pass < 3; pass += 1) {
    const result = ConfigSchema.safeParse(copy);
    if (result.success) return result.data;
    if (STAND_IN_TYPE === undefined) return null;
    copy = pruneRefusedKeys(copy, result.error.issues);
    for (const issue of result.error.issues) {
      const path = issue.path as Array<string | number>;
      const at = path.findLastIndex((key, index) => key === 'robots' && typeof path[index + 1] === 'number');
      if (at < 0) continue;
      const robots = path.slice(0, at + 1).reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], copy);
      const index = path[at + 1] as number;
      if (!Array.isArray(robots)) continue;
      const robot = robots[index] as Record<string, unknown> | undefined;
      if (!robot || typeof robot !== 'object') continue;
      robots[index] = { ...Object.fromEntries(Object.entries(robot).filter(([key]) => SHARED_ROBOT_KEYS.has(key))), type: STAND_IN_TYPE };
    }
  }
  return null;
}

function pruneRefusedKeys(raw: unknown, issues: z.core.$ZodIssue[]): unknown {
  const copy = structuredClone(raw) as Record<string, unknown>;
  for (const issue of issues) {
    const path = issue.path as Array<string | number>;
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], copy);
    if (issue.code === 'unrecognized_keys') {
      const target = path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], copy);
      if (target && typeof target === 'object') for (const key of issue.keys) delete (target as Record<string, unknown>)[key];
    } else if (parent && typeof parent === 'object' && !Array.isArray(parent) && path.length > 0) {
      delete (parent as Record<string | number, unknown>)[path[path.length - 1]];
    }
  }
  return copy;
}

function yamlIssue(error: YAMLError, file: string, lineCounter: LineCounter): ConfigIssue {
  const position = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
  return { file, line: position.line, col: position.col, path: '(yaml)', message: error.message.split('\n')[0] };
}

function zodIssues(issues: z.core.$ZodIssue[], issueAt: (path: ConfigPath, message: string, key?: string) => ConfigIssue): ConfigIssue[] {
  const result: ConfigIssue[] = [];
  for (const issue of issues) {
    const issuePath = issue.path as ConfigPath;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) result.push(issueAt(issuePath, `unknown key "${key}"`, key));
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0 && issue.message.startsWith('Invalid')) {
      result.push(issueAt(issuePath, issue.message));
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      result.push(issueAt(issuePath, `missing required key "${String(issuePath[issuePath.length - 1])}"`));
    } else {
      result.push(issueAt(issuePath, issue.message));
    }
  }
  return sortIssues(result);
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.col - b.col);
}

/** Template files are read and every template compiled now, so a broken `{{` fails the load, not a send. */
function readTemplates(
  config: Config,
  baseDir: string,
  issueAt: (path: ConfigPath, message: string, key?: string) => ConfigIssue,
  issues: ConfigIssue[],
): Map<string, { text: string; subject?: string; html?: string }> {
  const sources = new Map<string, { text: string; subject?: string; html?: string }>();
  for (const [id, template] of Object.entries(config.templates)) {
    let text = template.text ?? '';
    if (template.file !== undefined) {
      const file = path.resolve(baseDir, template.file);
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        issues.push(issueAt(['templates', id, 'file'], `template file not found: ${template.file}`));
        continue;
      }
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
