import type { ConfigIssue } from '../server/core/errors';
import type { CompiledConfig } from '../server/core/compiled-config';
import type { Config } from './schema';
import type { TemplateSources } from './templates';

export type LoadResult = { ok: true; config: CompiledConfig } | { ok: false; issues: ConfigIssue[] };

/** A config read and checked, not yet compiled: plain data, so it can come back from a worker thread. */
export type CheckResult = { ok: true; config: Config; templateSources: TemplateSources } | { ok: false; issues: ConfigIssue[] };
