import path from 'node:path';
import { LineCounter } from 'yaml';
import { ConfigError, type ConfigIssue } from '../server/core/errors';
import { tooBig, readTextFile } from './file-bytes';
import { displayNameOf, sortIssues, zodIssues } from './issues';
import { CONFIG_LIMITS, type ConfigLimits } from './limits';
import type { CheckResult, LoadResult } from './load-results';
import type { CompiledConfig } from '../server/core/compiled-config';
import { compileConfig } from './compile';
import { registeredTypes } from './registered-types';
import { loadOffThread, type OffThreadOptions } from './off-thread';
import { formatPath, locate, type ConfigPath } from './positions';
import { checkReferences } from './references';
import { salvage } from './salvage';
import { ConfigSchema } from './registered-schema';
import { readTemplates } from './templates';
import { normalizeUserPhones } from './user-phones';
import { checkStructure, firstAlias, parseBounded, strayControlCharacter, yamlIssues } from './yaml-structure';

export { CONFIG_LIMITS, type ConfigLimits } from './limits';
export { readConfigBytes, readTextFile } from './file-bytes';
export type { OffThreadOptions } from './off-thread';

export const DEFAULT_CONFIG_FILE = 'robots.yaml';

export type { CheckResult, LoadResult } from './load-results';

/** Reads, validates and cross-checks a config file; every problem comes back at once. */
export function loadConfigFile(file: string, now = Date.now(), limits: Partial<ConfigLimits> = {}): LoadResult {
  return compileChecked(checkConfigFile(file, limits), file, now);
}

export function loadConfigOrThrow(file: string, now = Date.now()): CompiledConfig {
  const result = loadConfigFile(file, now);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}

export function loadConfigText(text: string, file: string, now = Date.now(), limits: Partial<ConfigLimits> = {}): LoadResult {
  return compileChecked(checkConfigText(text, file, limits), file, now);
}

/** The file as bytes, decoded as strict UTF-8: a byte that is no UTF-8 is an error at its line and column. */
export function checkConfigFile(file: string, limits: Partial<ConfigLimits> = {}): CheckResult {
  const bounds = { ...CONFIG_LIMITS, ...limits };
  const read = readTextFile(file, bounds.maxBytes);
  if (!read.ok) {
    const { line, col, message } = read.problem;
    return { ok: false, issues: [{ file: displayNameOf(file), line, col, path: '(file)', message }] };
  }
  return checkConfigText(read.text, file, bounds);
}

function checkConfigText(text: string, file: string, limits: Partial<ConfigLimits> = {}): CheckResult {
  const bounds = { ...CONFIG_LIMITS, ...limits };
  try {
    return checkText(text, file, bounds);
  } catch (error) {
    // The checks below are meant to leave nothing that throws; should one still, it is this file's
    // problem to show (a 422 and `robots validate` output), not a 500.
    return { ok: false, issues: [{ file: displayNameOf(file), line: 1, col: 1, path: '(file)', message: `the config could not be checked: ${(error as Error).message}` }] };
  }
}

function compileChecked(result: CheckResult, file: string, now: number): LoadResult {
  if (!result.ok) return result;
  return { ok: true, config: compileConfig(result.config, file, result.templateSources, now, registeredTypes) };
}

/**
 * loadConfigFile with the reading, parsing and checking on a worker thread, so a big or hostile
 * file never stalls the server: only compiling the checked config (cheap) runs on this thread.
 * A file that needs more time or memory than allowed is refused like any bad config. Where no
 * worker can load this module, the load runs here as before (and says so once).
 */
export function loadConfigFileOffThread(file: string, now: number, options: OffThreadOptions = {}): Promise<LoadResult> {
  return loadOffThread(file, options, {
    path: __filename,
    compile: (result) => compileChecked(result, file, now),
    loadHere: () => loadConfigFile(file, now, options.limits),
  });
}

function checkText(text: string, file: string, limits: ConfigLimits): CheckResult {
  const displayName = displayNameOf(file);
  const refuse = (line: number, col: number, where: string, message: string): CheckResult => ({ ok: false, issues: [{ file: displayName, line, col, path: where, message }] });

  const size = Buffer.byteLength(text, 'utf8');
  if (size > limits.maxBytes) return refuse(1, 1, '(file)', tooBig(limits.maxBytes));
  const control = strayControlCharacter(text);
  if (control) return refuse(control.line, control.col, '(yaml)', control.message);

  const lineCounter = new LineCounter();
  const parsedText = parseBounded(text, lineCounter, limits.maxTokens);
  if ('denseAt' in parsedText) {
    const { line, col } = lineCounter.linePos(parsedText.denseAt);
    return refuse(line, col, '(yaml)', `more than ${limits.maxTokens} YAML tokens (keys, values, punctuation) by here; a config this dense is refused`);
  }
  const { document } = parsedText;
  if (document.errors.length > 0) return { ok: false, issues: yamlIssues(document.errors, displayName, lineCounter, limits) };
  const structural = checkStructure(document, lineCounter, displayName, limits);
  if (structural.length > 0) return { ok: false, issues: structural };

  const issueAt = (pathInFile: ConfigPath, message: string, key?: string): ConfigIssue => ({
    file: displayName,
    ...locate(document, lineCounter, pathInFile, key),
    path: formatPath(key !== undefined ? [...pathInFile, key] : pathInFile),
    message,
  });

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

  const issues = [...checkReferences(parsed.data), ...normalizeUserPhones(parsed.data)].map((problem) => issueAt(problem.path, problem.message, problem.key));
  const templateSources = readTemplates(parsed.data, path.dirname(file), limits, issueAt, issues);
  if (issues.length > 0) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, config: parsed.data, templateSources };
}
