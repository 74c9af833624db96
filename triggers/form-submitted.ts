import { z } from 'zod';
import { defineTrigger, oneOf } from './define';

/** A web form arrived for the item (a new lead, or a repeat touch on an open one). */
export const formSubmitted = defineTrigger({
  type: 'form_submitted',
  description: 'Move the item here when one of these forms is submitted for it (any form when none listed)',
  listensTo: 'form_submitted',
  params: z.object({ forms: z.array(z.string()).optional().describe('Form ids from `forms:`') }),
  references: (params) => (params.forms ?? []).map((form, index) => ({ kind: 'form' as const, value: form, path: ['forms', index] })),
  matches: (params, event) => oneOf(params.forms, event.payload.form, 'form'),
});
