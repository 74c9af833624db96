import { z } from 'zod';
import type { Config } from '../../config/schema';
import { EventType } from '../../config/event-types';

/**
 * The context conditions read and templates render, as a schema: what `buildContext`
 * (context.ts) returns for a lead or a deal of a given config. The README's "Condition and
 * template context" documents it, `robots validate` checks every `var` and `{{path}}` against
 * it, and a unit test parses buildContext's output with it, so the three cannot drift apart.
 */

export const ITEM_KINDS = ['lead', 'deal'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export type CustomFields = Config['fields'];

const text = z.string().nullable();
const reference = z.number().int().nullable();
const timestamp = z.string().describe('ISO 8601');
const count = z.number().int().nonnegative();

/** A custom field's value: absent when never set, null or '' when cleared (core/inputs.ts checks the rest). */
function customFieldValue(field: CustomFields[string]): z.ZodType {
  const value =
    field.type === 'number' || field.type === 'money'
      ? z.number()
      : field.type === 'boolean'
        ? z.boolean()
        : field.type === 'enum' && field.values?.length
          ? z.enum(field.values)
          : field.type === 'multi_select'
            ? z.array(field.values?.length ? z.enum(field.values) : z.string())
            : z.string();
  return z
    .union([value, z.literal('')])
    .nullable()
    .optional();
}

/** `fields`: only the ids declared under `fields:` in the config. */
export function customFieldsSchema(fields: CustomFields) {
  // One value schema per distinct field type, shared: a config may declare tens of thousands of fields.
  const byType = new Map<string, z.ZodType>();
  const valueOf = (field: CustomFields[string]) => {
    const key = field.type === 'enum' || field.type === 'multi_select' ? `${field.type}:${JSON.stringify(field.values ?? [])}` : field.type;
    let value = byType.get(key);
    if (!value) {
      value = customFieldValue(field);
      byType.set(key, value);
    }
    return value;
  };
  return z.strictObject(Object.fromEntries(Object.entries(fields).map(([id, field]) => [id, valueOf(field)])));
}

/** `item` (and `lead` or `deal`): the item's public view, core/items.ts `itemView`. */
export function itemViewSchema(kind: ItemKind, fields: z.ZodType) {
  const common = z.strictObject({
    id: z.number().int(),
    kind: z.literal(kind),
    pipeline: z.string(),
    stage: z.string(),
    title: text,
    name: text,
    phone: text,
    phone_display: text,
    email: text,
    company_name: text,
    source: text,
    responsible: text,
    fields,
    contact_id: reference,
    company_id: reference,
    lost_reason: text,
    refused_by: text,
    score: z.number(),
    tags: z.array(z.string()),
    entered_stage_at: timestamp,
    created_at: timestamp,
    updated_at: timestamp,
  });
  return kind === 'lead' ? common.extend({ repeat_client: z.boolean(), deal_id: reference }) : common.extend({ lead_id: reference, amount: z.number().nullable() });
}

/**
 * `event`: `{type, …payload}` of the inbound event a trigger or scoring rule looks at. Payloads
 * differ by source (a form's fields, a hook's body), so any key below `event.` is allowed.
 */
export const EventContext = z.looseObject({ type: EventType });

/** Templates also get the person a copy is for (`notify`), or the client's name (`send_message`). */
export const RecipientContext = z.strictObject({ login: z.string().optional(), name: text });

export interface ContextOptions {
  kind: ItemKind;
  /** The config's `fields:`, or their schema when built already (customFieldsSchema). */
  fields: CustomFields | z.ZodObject;
  /** A template's context, which adds `recipient`; conditions have none. */
  recipient?: boolean;
}

export function contextSchema({ kind, fields, recipient = false }: ContextOptions) {
  const custom = fields instanceof z.ZodObject ? fields : customFieldsSchema(fields);
  const item = itemViewSchema(kind, custom);
  return z.strictObject({
    item,
    [kind]: item,
    fields: custom,
    contact: z.strictObject({ id: z.number().int(), name: text, phone: text, email: text }).nullable(),
    company: z.strictObject({ id: z.number().int(), name: z.string() }).nullable(),
    // A responsible who is no longer in `users:` keeps only login and name.
    responsible: z.strictObject({ login: z.string(), name: z.string(), phone: text.optional(), email: text.optional(), team: text.optional() }).nullable(),
    stage: z.strictObject({ id: z.string(), name: z.string(), entered_at: timestamp, minutes_in_stage: z.number().int() }),
    minutes_in_stage: z.number().int(),
    touches_sent: count,
    replies_received: count,
    repeat_client: z.boolean(),
    score: z.number(),
    source: text,
    now: z.strictObject({
      iso: timestamp,
      hour: z.number().int().min(0).max(23),
      minute: z.number().int().min(0).max(59),
      weekday: z.number().int().min(1).max(7),
      date: z.string(),
    }),
    links: z.strictObject({ item: z.string() }),
    event: EventContext.nullable(),
    ...(recipient ? { recipient: RecipientContext } : {}),
  });
}

/** Every root a condition may read, on either kind of item. */
export const CONTEXT_ROOTS: ReadonlySet<string> = new Set<string>(['item', ...ITEM_KINDS, ...ITEM_KINDS.flatMap((kind) => Object.keys(contextSchema({ kind, fields: {} }).shape))]);

export type PathLookup = { found: true; value: z.ZodType } | { found: false; depth: number; known: string[] };

/**
 * Follows `segments` down a context schema: `found` with the value's schema, or the depth of
 * the first segment that is not there and the keys that are. Numeric segments index arrays;
 * `length` reads an array's or a string's length, as json-logic and handlebars both allow.
 */
export function lookupPath(schema: z.ZodType, segments: readonly string[]): PathLookup {
  let node = schema;
  for (const [depth, segment] of segments.entries()) {
    const value = unwrap(node);
    const next = child(value, segment);
    if (next === undefined) return { found: false, depth, known: keysOf(value) };
    node = next;
  }
  return { found: true, value: node };
}

/** The schema without null/undefined/default around it. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let node = schema;
  while (node instanceof z.ZodNullable || node instanceof z.ZodOptional || node instanceof z.ZodDefault) node = node.unwrap() as z.ZodType;
  return node;
}

function child(schema: z.ZodType, key: string): z.ZodType | undefined {
  if (schema instanceof z.ZodObject) {
    if (Object.hasOwn(schema.shape, key)) return schema.shape[key] as z.ZodType;
    const catchall = schema._zod.def.catchall;
    return catchall && !(catchall instanceof z.ZodNever) ? (catchall as z.ZodType) : undefined;
  }
  if (schema instanceof z.ZodRecord) return schema.valueType as z.ZodType;
  if (schema instanceof z.ZodArray) return /^\d+$/.test(key) ? (schema.element as z.ZodType) : key === 'length' ? z.number() : undefined;
  if (schema instanceof z.ZodString) return key === 'length' ? z.number() : undefined;
  if (schema instanceof z.ZodUnknown || schema instanceof z.ZodAny) return schema;
  if (schema instanceof z.ZodUnion) {
    for (const option of schema.options as readonly z.ZodType[]) {
      const found = child(unwrap(option), key);
      if (found) return found;
    }
  }
  return undefined;
}

function keysOf(schema: z.ZodType): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}
