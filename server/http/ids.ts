import type { RequestHandler } from 'express';
import { z } from 'zod';
import { parse } from './problem';

/**
 * Numbers in URLs, parsed strictly: rows have 32-bit integer ids, so `0`, `-1`, `1e3`, `0x10`,
 * ` 7` and `2147483648` are 400s, never a lookup (Postgres would fail on an id out of range).
 */
export const MAX_ROW_ID = 2 ** 31 - 1;

const ID_MESSAGE = `an id is a whole number from 1 to ${MAX_ROW_ID}`;

/** `/api/leads/:id`, `/api/runs/:id/retry`. */
const RowIdText = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, { error: ID_MESSAGE })
  .transform(Number)
  .pipe(z.number().int().max(MAX_ROW_ID, { error: ID_MESSAGE }));

export const IdParam = z.strictObject({ id: RowIdText });

/** `item=lead:42` in queries and hook payloads. */
export const ItemRefText = z
  .string()
  .regex(/^(lead|deal):[1-9][0-9]{0,9}$/, { error: `item is lead:<id> or deal:<id>, the id from 1 to ${MAX_ROW_ID}` })
  .transform((text) => {
    const [kind, id] = text.split(':');
    return { kind: kind === 'lead' ? ('lead' as const) : ('deal' as const), id: Number(id) };
  })
  .refine((ref) => ref.id <= MAX_ROW_ID, { error: ID_MESSAGE });

/** A whole number in a query string (`limit`, `offset`): digits only, within bounds. */
export function queryInteger(min: number, max: number, fallback: number) {
  return z
    .string()
    .regex(/^[0-9]{1,10}$/, { error: `a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback)
    .describe(`${min}–${max}, default ${fallback}`);
}

/** Routes that take no query: any key is unknown (README: unknown keys are a 400). */
export const NoQuery = z.strictObject({});

/** As middleware, for handlers that read no query. */
export const noQuery: RequestHandler = (request, _response, next) => {
  parse(NoQuery, request.query);
  next();
};
