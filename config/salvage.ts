import type { z } from 'zod';
import { robotDefinitions } from '../robots';
import { RobotBase, type Config } from './schema';
import { ConfigSchema } from './registered-schema';

/** A robot type whose params all have defaults and refer to nothing: what a robot the schema refuses is checked as. */
const STAND_IN_TYPE = robotDefinitions.find((definition) => !definition.appliesTo && definition.params.safeParse({}).success && (definition.references?.(definition.params.parse({}) as never) ?? []).length === 0)?.type;
const SHARED_ROBOT_KEYS = new Set(RobotBase.keyof().options as string[]);

/**
 * What the cross-checks run on when the schema refused something: the refused keys dropped,
 * and a robot still refused after that (unknown `type:`, a required key missing) reduced to
 * its shared keys under a stand-in type, so one bad robot does not hide the rest of the file.
 */
export function salvage(raw: unknown, issues: z.core.$ZodIssue[]): Config | null {
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
    const key = path.at(-1);
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], copy);
    if (issue.code === 'unrecognized_keys') {
      const target = path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], copy);
      if (target && typeof target === 'object') for (const key of issue.keys) delete (target as Record<string, unknown>)[key];
    } else if (parent && typeof parent === 'object' && !Array.isArray(parent) && key !== undefined) {
      delete (parent as Record<string | number, unknown>)[key];
    }
  }
  return copy;
}
