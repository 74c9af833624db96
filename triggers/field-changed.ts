import { z } from 'zod';
import { defineTrigger } from './define';

const Value = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A field of the item changed (optionally from / to given values). */
export const fieldChanged = defineTrigger({
  type: 'field_changed',
  description: 'Move the item here when a field changes (optionally from / to a value)',
  listensTo: 'field_changed',
  params: z.object({ field: z.string(), from: Value.optional(), to: Value.optional() }),
  references: (params) => [{ kind: 'field', value: params.field, path: ['field'] }],
  matches: (params, event) => {
    if (event.payload.field !== params.field) return `field ${String(event.payload.field)} is not ${params.field}`;
    if (params.from !== undefined && event.payload.from !== params.from) return `${params.field} was ${JSON.stringify(event.payload.from)}, not ${JSON.stringify(params.from)}`;
    if (params.to !== undefined && event.payload.to !== params.to) return `${params.field} became ${JSON.stringify(event.payload.to)}, not ${JSON.stringify(params.to)}`;
    return true;
  },
});
