import { z } from 'zod';
import { defineTrigger } from './define';

/** Our tracking pixel in an email we sent was loaded. */
export const emailOpened = defineTrigger({
  type: 'email_opened',
  description: 'Move the item here when the client opens one of our emails',
  listensTo: 'email_opened',
  params: z.object({ templates: z.array(z.string()).optional().describe('Only emails from these templates') }),
  matches: (params, event) =>
    !params.templates || params.templates.length === 0 || params.templates.includes(String(event.payload.template))
      ? true
      : `email template "${String(event.payload.template)}" is not one of ${params.templates.join(', ')}`,
});
