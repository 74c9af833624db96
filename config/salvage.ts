import type { z } from 'zod';
import { robotDefinitions } from '../robots';
import { RobotBase, type Config } from './schema';
import { ConfigSchema } from './registered-schema';
import type { ConfigPath } from './positions';

/** A robot type whose params all have defaults and refer to nothing: what a robot of an unknown type is checked as. */
const STAND_IN_TYPE = robotDefinitions.find((definition) => !definition.appliesTo && definition.params.safeParse({}).success && (definition.references?.(definition.params.parse({}) as never) ?? []).length === 0)?.type;
const SHARED_ROBOT_KEYS = new Set(RobotBase.keyof().options as string[]);
const KNOWN_ROBOT_TYPES = new Set(robotDefinitions.map((definition) => definition.type));

/** How many refused values one pass stands in for: a file of 40,000 mistakes is refused, not salvaged for minutes. */
const MAX_FIXES_PER_PASS = 2_000;

export interface Salvaged {
  config: Config;
  /** Places whose value the schema refused and a stand-in took: cross-checks say nothing there or under it. */
  standIns: ConfigPath[];
}

/**
 * What the cross-checks run on when the schema refused something, so one mistake never hides
 * another. Salvage is per value, not all-or-nothing: unknown keys are dropped, a refused optional
 * value is dropped, and a refused required value (a schedule's `end: "14.00"`, a user's `role`, a
 * reversed `away` range) is replaced by a stand-in the schema accepts, so the user, the stage or the
 * template around it still exists for every reference to it. A robot of an unknown `type:` keeps its
 * shared keys (its condition, its `after_robot`) under a type whose params refer to nothing.
 */
export function salvage(raw: unknown, issues: z.core.$ZodIssue[]): Salvaged | null {
  const copy = structuredClone(raw) as Record<string, unknown>;
  const standIns: ConfigPath[] = [];
  let current = issues;
  for (let pass = 0; pass < 4; pass += 1) {
    let fixes = 0;
    for (const issue of current) {
      if ((fixes += 1) > MAX_FIXES_PER_PASS) return null;
      const path = issue.path as Array<string | number>;
      if (issue.code === 'unrecognized_keys') {
        const target = valueAt(copy, path);
        if (isPlainObject(target)) for (const key of issue.keys) delete target[key];
        continue;
      }
      if (standInUnknownRobot(copy, path)) continue;
      const fixedAt = standIn(copy, path);
      if (fixedAt === null) return null;
      standIns.push(fixedAt);
    }
    const result = ConfigSchema.safeParse(copy);
    if (result.success) return { config: result.data, standIns };
    current = result.error.issues;
  }
  return null;
}

/** A robot whose `type:` is no robot type: its shared keys under the stand-in type. */
function standInUnknownRobot(copy: unknown, path: Array<string | number>): boolean {
  const at = path.findLastIndex((key, index) => key === 'robots' && typeof path[index + 1] === 'number');
  if (at < 0 || STAND_IN_TYPE === undefined) return false;
  const robots = valueAt(copy, path.slice(0, at + 1));
  const index = path[at + 1] as number;
  if (!Array.isArray(robots)) return false;
  const robot = robots[index] as unknown;
  if (!isPlainObject(robot) || (typeof robot.type === 'string' && KNOWN_ROBOT_TYPES.has(robot.type))) return false;
  robots[index] = { ...Object.fromEntries(Object.entries(robot).filter(([key]) => SHARED_ROBOT_KEYS.has(key) && key !== 'type')), id: typeof robot.id === 'string' ? robot.id : 'stand_in', type: STAND_IN_TYPE };
  return true;
}

/**
 * Replaces the refused value at `path` (or, when nothing stands in for it, the nearest enclosing
 * value something can) and says where; null when even the whole file has no stand-in.
 */
function standIn(copy: Record<string, unknown>, path: ReadonlyArray<string | number>): ConfigPath | null {
  for (let length = path.length; length >= 1; length -= 1) {
    const at = path.slice(0, length);
    const schema = schemaAt(ConfigSchema, copy, at);
    if (!schema) continue;
    const parent = valueAt(copy, at.slice(0, -1));
    const key = at[at.length - 1] as string | number;
    if (!parent || typeof parent !== 'object') continue;
    if (schema.safeParse(undefined).success && !Array.isArray(parent)) {
      delete (parent as Record<string | number, unknown>)[key];
      return at;
    }
    const value = standInFor(schema, 0);
    if (value === NONE) continue;
    (parent as Record<string | number, unknown>)[key] = value;
    return at;
  }
  return null;
}

type AnySchema = z.ZodType & { _zod: { def: Record<string, unknown> & { type: string } } };

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'catch', 'readonly', 'nonoptional']);

function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (let depth = 0; depth < 20; depth += 1) {
    const def = current._zod.def;
    if (WRAPPERS.has(def.type)) current = def.innerType as AnySchema;
    else if (def.type === 'pipe') current = def.in as AnySchema;
    else if (def.type === 'lazy') current = (def.getter as () => AnySchema)();
    else return current;
  }
  return current;
}

/** The schema that judges the value at `path`, picking a discriminated union's option by the value written. */
function schemaAt(root: z.ZodType, data: unknown, path: ReadonlyArray<string | number>): AnySchema | null {
  let schema: AnySchema | null = root as AnySchema;
  let value = data;
  for (const step of path) {
    if (!schema) return null;
    schema = childSchema(unwrap(schema), step, value);
    value = isPlainObject(value) || Array.isArray(value) ? (value as Record<string | number, unknown>)[step] : undefined;
  }
  return schema;
}

function childSchema(schema: AnySchema, step: string | number, value: unknown): AnySchema | null {
  const def = schema._zod.def;
  switch (def.type) {
    case 'object':
      return ((def.shape as Record<string, AnySchema>)[String(step)] ?? null) as AnySchema | null;
    case 'array':
      return typeof step === 'number' ? (def.element as AnySchema) : null;
    case 'record':
      return def.valueType as AnySchema;
    case 'union': {
      const options = def.options as AnySchema[];
      const discriminator = def.discriminator as string | undefined;
      if (discriminator && isPlainObject(value)) {
        const option = options.find((candidate) => literalValues(unwrap(candidate), discriminator).includes(value[discriminator]));
        return option ? childSchema(unwrap(option), step, value) : null;
      }
      for (const option of options) {
        const child = childSchema(unwrap(option), step, value);
        if (child) return child;
      }
      return null;
    }
    default:
      return null;
  }
}

function literalValues(schema: AnySchema, key: string): unknown[] {
  const shape = schema._zod.def.shape as Record<string, AnySchema> | undefined;
  const field = shape?.[key];
  return field ? ((unwrap(field)._zod.def.values as unknown[] | undefined) ?? []) : [];
}

const NONE = Symbol('no stand-in');

/** Strings the config's own formats accept: an id, a time of day, a date, a duration, an address. */
const STRING_CANDIDATES = ['x', '00:00', '2000-01-01', '1s', 'X', '1/s', 'x@example.invalid', 'https://example.invalid'];

/** Some value the schema accepts, built from its shape; NONE when none is found. */
function standInFor(schema: AnySchema, depth: number): unknown {
  if (depth > 12) return NONE;
  const accepts = (candidate: unknown) => schema.safeParse(candidate).success;
  const inner = unwrap(schema);
  const def = inner._zod.def;
  const candidates: unknown[] = [];
  switch (def.type) {
    case 'enum':
      candidates.push(...Object.values(def.entries as Record<string, unknown>));
      break;
    case 'literal':
      candidates.push(...(def.values as unknown[]));
      break;
    case 'boolean':
      candidates.push(false);
      break;
    case 'number':
    case 'int':
      candidates.push(0, 1);
      break;
    case 'string':
      candidates.push(...STRING_CANDIDATES);
      break;
    case 'array': {
      candidates.push([]);
      const element = standInFor(def.element as AnySchema, depth + 1);
      if (element !== NONE) candidates.push([element]);
      break;
    }
    case 'record':
      candidates.push({});
      break;
    case 'object': {
      const shape = def.shape as Record<string, AnySchema>;
      const required: Record<string, unknown> = {};
      const every: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(shape)) {
        const optional = field.safeParse(undefined).success;
        const value = standInFor(field, depth + 1);
        if (value === NONE) {
          if (!optional) return NONE;
          continue;
        }
        if (!optional) required[key] = value;
        every[key] = value;
      }
      candidates.push(required, every);
      break;
    }
    case 'union':
      for (const option of def.options as AnySchema[]) {
        const value = standInFor(option, depth + 1);
        if (value !== NONE) candidates.push(value);
      }
      break;
    default:
      candidates.push({}, 'x', 0, false);
  }
  return candidates.find(accepts) ?? NONE;
}

function valueAt(data: unknown, path: ReadonlyArray<string | number>): unknown {
  return path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined), data);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
