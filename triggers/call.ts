import { z } from 'zod';
import { defineTrigger, oneOf } from './define';

const CALL_OUTCOMES = ['incoming', 'missed', 'answered'] as const;

/** A call with the client: an incoming call, a missed one, or an answered one (voice channel events). */
export const callEvent = defineTrigger({
  type: 'call',
  description: 'Move the item here on a call: incoming, missed or answered (any when none listed)',
  listensTo: 'call',
  params: z.object({ outcomes: z.array(z.enum(CALL_OUTCOMES)).optional() }),
  matches: (params, event) => oneOf(params.outcomes, event.payload.outcome, 'call outcome'),
});
