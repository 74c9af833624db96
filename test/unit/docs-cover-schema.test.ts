import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ConfigSchema } from '../../config/registered-schema';

/**
 * The reference covers every key robots.yaml accepts: each key the config schema knows, down to
 * every robot's and trigger's params, is written as `key` in a table row or a heading of the
 * reference documents. A key added to the schema without a line in the docs fails here.
 */
const DOCS = ['configuration.md', 'triggers.md', 'channels.md', 'context.md', 'semantics.md'].map((name) => path.join(__dirname, '..', '..', 'docs', name));

type AnySchema = z.ZodType & { _zod: { def: Record<string, unknown> & { type: string } } };
const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'catch', 'readonly', 'nonoptional']);

/** Every object key under `schema`, with where it is (`leads.stages[].robots[].escalate[].after`). */
function keysOf(schema: AnySchema, at: string, found: Map<string, string>, seen = new Set<unknown>()): void {
  if (seen.has(schema)) return;
  seen.add(schema);
  const def = schema._zod.def;
  if (WRAPPERS.has(def.type)) return keysOf(def.innerType as AnySchema, at, found, seen);
  if (def.type === 'pipe') return keysOf(def.in as AnySchema, at, found, seen);
  if (def.type === 'array') return keysOf(def.element as AnySchema, `${at}[]`, found, seen);
  if (def.type === 'record') return keysOf(def.valueType as AnySchema, `${at}.<id>`, found, seen);
  if (def.type === 'union') {
    for (const option of def.options as AnySchema[]) keysOf(option, at, found, seen);
    return;
  }
  if (def.type !== 'object') return;
  for (const [key, field] of Object.entries(def.shape as Record<string, AnySchema>)) {
    const where = at ? `${at}.${key}` : key;
    if (!found.has(key)) found.set(key, where);
    keysOf(field, where, found, seen);
  }
}

describe('the configuration reference', () => {
  const referenceLines = DOCS.flatMap((file) => fs.readFileSync(file, 'utf8').split('\n')).filter((line) => line.startsWith('|') || line.startsWith('#'));
  // `late_policy.skip_touches_after`, `{event, points, tag?}`, `pipeline_by_field: {field, map}`: every name in code counts.
  const documented = new Set(referenceLines.flatMap((line) => [...line.matchAll(/`([^`]+)`/g)].flatMap((match) => match[1]?.match(/[A-Za-z_$][\w$]*/g) ?? [])));
  const keys = new Map<string, string>();
  keysOf(ConfigSchema as unknown as AnySchema, '', keys);

  it('walks the whole schema, robot and trigger params included', () => {
    expect(keys.size).toBeGreaterThan(100);
    expect([...keys.keys()]).toEqual(expect.arrayContaining(['ring_timeout', 'skip_touches_after', 'threshold', 'consent_field']));
  });

  it('names every key the schema accepts in a table row or heading', () => {
    const missing = [...keys].filter(([key]) => !documented.has(key)).map(([key, where]) => `${key} (${where})`);
    expect(missing).toEqual([]);
  });
});
