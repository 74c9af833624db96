import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadConfigOrThrow, loadConfigText } from '../../config/loader';
import { LEAD_PIPELINE, type CompiledConfig } from '../../server/core/compiled-config';
import { ConfigError } from '../../server/core/errors';
import { FIXTURE_NOW } from './rows';

/** Configs for unit tests: always the real loader, so defaults and cross-checks are the ones users get. */

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** A fixture from test/fixtures, loaded as `robots validate` would load it. */
export function loadFixture(name: string, now = FIXTURE_NOW): CompiledConfig {
  return loadConfigOrThrow(path.join(FIXTURES, name), now);
}

/** YAML written in the test; a config the loader refuses throws its issues. */
export function configFromYaml(text: string, now = FIXTURE_NOW): CompiledConfig {
  const result = loadConfigText(text, 'test.yaml', now);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}

/** A robot as written in YAML (flat: id, type, timing keys and the type's own keys). */
export type RobotYaml = { id: string; type: string } & Record<string, unknown>;

export interface LeadFunnelChanges {
  /** Robots added to a stage: `{ leads: { in_work: [...] }, general: { offer: [...] } }`. */
  robots?: Record<string, Record<string, RobotYaml[]>>;
  /** Top-level keys replaced as a whole (quiet_hours, public_url, teams …). */
  top?: Record<string, unknown>;
}

/**
 * test/fixtures/lead-funnel.yaml (the Bitrix24 lead-funnel lesson), with the robots a test is about
 * added where it says, run through the real loader.
 */
export function leadFunnel(changes: LeadFunnelChanges = {}, now = FIXTURE_NOW): CompiledConfig {
  if (!changes.robots && !changes.top) return loadFixture('lead-funnel.yaml', now);
  const document = parseYaml(fs.readFileSync(path.join(FIXTURES, 'lead-funnel.yaml'), 'utf8')) as Record<string, unknown>;
  Object.assign(document, changes.top ?? {});
  for (const [pipeline, stages] of Object.entries(changes.robots ?? {})) {
    const spec = (pipeline === LEAD_PIPELINE ? document.leads : (document.deals as Record<string, unknown> | undefined)?.[pipeline]) as { stages: Array<{ id: string; robots?: RobotYaml[] }> } | undefined;
    if (!spec) throw new Error(`leadFunnel has no pipeline "${pipeline}"`);
    for (const [stageId, robots] of Object.entries(stages)) {
      const stage = spec.stages.find((candidate) => candidate.id === stageId);
      if (!stage) throw new Error(`leadFunnel pipeline "${pipeline}" has no stage "${stageId}"`);
      stage.robots = [...(stage.robots ?? []), ...robots];
    }
  }
  return configFromYaml(stringifyYaml(document), now);
}
