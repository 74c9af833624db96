import { z } from 'zod';
import { defineTrigger, oneOf } from './define';

/** A named inbound webhook from another system (signed; see `hooks:`). */
export const webhookReceived = defineTrigger({
  type: 'webhook',
  description: 'Move the item here when a named inbound webhook arrives for it',
  listensTo: 'webhook',
  params: z.object({ hooks: z.array(z.string()).min(1).describe('Hook names from `hooks:`') }),
  references: (params) => params.hooks.map((hook, index) => ({ kind: 'hook' as const, value: hook, path: ['hooks', index] })),
  matches: (params, event) => oneOf(params.hooks, event.payload.hook, 'hook'),
});
