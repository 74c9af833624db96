import { z } from 'zod';
import { defineTrigger } from './define';

/** Engagement scores a lead warm, then hot. Fires when the score crosses the threshold upwards. */
export const scoreReached = defineTrigger({
  type: 'score_reached',
  description: 'Move the item here when its score rises to the threshold or above',
  listensTo: 'score_changed',
  params: z.object({ threshold: z.number().int() }),
  matches: (params, event) => {
    const from = Number(event.payload.from ?? 0);
    const to = Number(event.payload.to ?? 0);
    if (to < params.threshold) return `score ${to} is below ${params.threshold}`;
    if (from >= params.threshold) return `score was already ${from} (≥ ${params.threshold})`;
    return true;
  },
});
