import { DateTime } from 'luxon';
import { z } from 'zod';
import { unknownName } from '../../config/did-you-mean';
import type { CompiledConfig } from './compiled-config';

/** Item bodies shared by the API, the CLI's simulate and the robots (STYLE §2). */
export const ItemFieldsInput = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string()).describe('a multi_select field')]));

export const NewItemInput = z.strictObject({
  title: z.string().max(500).optional(),
  name: z.string().max(300).optional(),
  phone: z.string().max(64).optional(),
  email: z.string().max(320).optional(),
  company_name: z.string().max(300).optional(),
  source: z.string().max(200).optional(),
  responsible: z.string().optional(),
  fields: ItemFieldsInput.optional(),
  stage: z.string().optional().describe('Defaults to the first stage'),
});
export type NewItemInput = z.infer<typeof NewItemInput> & { amount?: number };

/** A lead is someone to reach: an empty `POST /api/leads` made a blank card nobody could act on. */
export const NewLeadInput = NewItemInput.refine((lead) => [lead.name, lead.phone, lead.email].some((value) => value !== undefined && value.trim() !== ''), {
  error: 'a lead needs at least a name, a phone or an email',
  path: ['name'],
});

const Amount = z.number().nonnegative().optional().describe('Deal amount');
export const NewDealInput = NewItemInput.extend({ pipeline: z.string().describe('Deal pipeline (direction)'), amount: Amount });
export type NewDealInput = z.infer<typeof NewDealInput>;

export const LeadPatch = NewItemInput.omit({ stage: true });
export const DealPatch = NewDealInput.omit({ stage: true, pipeline: true });
/** Leads have no amount; a deal patch may set one. */
export const ItemPatch = DealPatch;
export type ItemPatch = z.infer<typeof ItemPatch>;

export const MoveInput = z.strictObject({
  stage: z.string().min(1),
  reason: z.string().optional(),
  refused_by: z.enum(['we_refused', 'client_refused']).optional(),
  from: z.string().min(1).optional().describe('The stage the mover saw; if the item has left it meanwhile the move is refused with 409'),
});
export type MoveInput = z.infer<typeof MoveInput>;

/**
 * A lookup in a map of the YAML (`fields:`, `forms:`, `hooks:`) by a name a request gave:
 * own keys only, so `constructor` or `toString` is unknown, not Object.prototype's.
 */
export function ownValue<Value>(map: Readonly<Record<string, Value>>, key: string): Value | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** Custom field values checked against `fields:` in the config; returns one message a bad field. */
export function fieldProblems(config: CompiledConfig, fields: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    const spec = ownValue(config.source.fields, name);
    if (!spec) {
      problems.push(`fields.${name}: unknown field (declared: ${Object.keys(config.source.fields).join(', ') || 'none'})`);
      continue;
    }
    if (value === null || value === '') continue;
    if (spec.type === 'number' && typeof value !== 'number') problems.push(`fields.${name}: expected a number`);
    if (spec.type === 'boolean' && typeof value !== 'boolean') problems.push(`fields.${name}: expected true or false`);
    if (spec.type === 'enum' && !spec.values?.includes(String(value))) problems.push(`fields.${name}: expected one of ${spec.values?.join(', ')}`);
    if (spec.type === 'date' && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) problems.push(`fields.${name}: expected a date (YYYY-MM-DD)`);
    if (spec.type === 'money' && (typeof value !== 'number' || !Number.isFinite(value))) problems.push(`fields.${name}: expected an amount in ${spec.currency ?? 'RUB'} (a number)`);
    if (spec.type === 'multi_select') {
      const unknownValues = Array.isArray(value) ? value.filter((chosen) => !spec.values?.includes(chosen)) : null;
      if (unknownValues === null) problems.push(`fields.${name}: expected a list of ${spec.values?.join(', ')}`);
      else if (unknownValues.length > 0) problems.push(`fields.${name}: ${unknownValues.map((chosen) => unknownName('value', chosen, spec.values ?? [])).join('; ')}`);
    }
    if (spec.type === 'user' && (typeof value !== 'string' || !config.users.has(value))) problems.push(`fields.${name}: ${unknownName('user', String(value), config.users.keys())}`);
    if (Array.isArray(value) && spec.type !== 'multi_select') problems.push(`fields.${name}: a list is only for multi_select fields`);
    if (spec.type === 'datetime' && (typeof value !== 'string' || !DateTime.fromISO(value).isValid)) problems.push(`fields.${name}: expected a date and time (ISO 8601, e.g. 2026-03-18T10:00+03:00)`);
  }
  return problems;
}
