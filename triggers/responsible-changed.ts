import { z } from 'zod';
import { defineTrigger } from './define';

/** "Taken in work": a manager assigned themselves (or someone was assigned). */
export const responsibleChanged = defineTrigger({
  type: 'responsible_changed',
  description: 'Move the item here when its responsible changes (optionally only from nobody)',
  listensTo: 'responsible_changed',
  params: z.object({ only_first: z.boolean().default(false).describe('Only when the item had no responsible before') }),
  matches: (params, event) => (params.only_first && event.payload.from ? `it already had a responsible (${String(event.payload.from)})` : true),
});
