import path from 'node:path';
import { ConfigError } from '../server/core/errors';
import { validateConfig } from './validate';
import { displayNameOf, readTextFile } from './file-bytes';
import { CONFIG_LIMITS, type ConfigLimits } from './limits';
import { render } from './messages';
import type { CheckResult, LoadResult } from './load-results';
import type { CompiledConfig } from '../server/core/compiled-config';
import { compileConfig } from './compile';
import { registeredTypes } from './registered-types';
import { loadOffThread, type OffThreadOptions } from './off-thread';

export { CONFIG_LIMITS, type ConfigLimits } from './limits';
export { readConfigBytes, readTextFile } from './file-bytes';
export { validateConfig, type Validation, type TemplateFiles } from './validate';
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
    const { line, col, said } = read.problem;
    return { ok: false, issues: [{ file: displayNameOf(file), line, col, path: '(file)', message: render(said), code: said.code, params: said.params }] };
  }
  return checkConfigText(read.text, file, bounds);
}

function checkConfigText(text: string, file: string, limits: Partial<ConfigLimits> = {}): CheckResult {
  return checkText(text, file, { ...CONFIG_LIMITS, ...limits });
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
  const baseDir = path.dirname(file);
  const fromDisk = (templateFile: string) => readTextFile(path.resolve(baseDir, templateFile), limits.maxBytes);
  const result = validateConfig(text, fromDisk, { file: displayNameOf(file), limits });
  if (result.config && result.templateSources && result.errors.length === 0) return { ok: true, config: result.config, templateSources: result.templateSources };
  return { ok: false, issues: result.errors };
}
