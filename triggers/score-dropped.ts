import { z } from 'zod';
import { defineTrigger } from './define';

/**
 * A lead gone quiet cools down (hot → warm → nurture): fires when the score falls below the
 * threshold — by the daily decay or by negative points. It exists to move items back, so it
 * needs no `allow_backwards`; of several that match, the furthest back wins.
 */
export const scoreDropped = defineTrigger({
  type: 'score_dropped',
  description: 'Move the item back here when its score falls below the threshold (daily decay or negative points)',
  listensTo: 'score_changed',
  movesBack: true,
  params: z.object({ below: z.number().int() }),
  matches: (params, event) => {
    const from = Number(event.payload.from ?? 0);
    const to = Number(event.payload.to ?? 0);
    if (to >= params.below) return `score ${to} is not below ${params.below}`;
    if (from < params.below) return `score was already ${from} (< ${params.below})`;
    return true;
  },
});
