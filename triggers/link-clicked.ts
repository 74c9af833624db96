import { z } from 'zod';
import { defineTrigger } from './define';

/** The client followed one of our tracked links. */
export const linkClicked = defineTrigger({
  type: 'link_clicked',
  description: 'Move the item here when the client clicks a tracked link (optionally one whose URL contains a text)',
  listensTo: 'link_clicked',
  params: z.object({ url_contains: z.string().optional() }),
  matches: (params, event) => (!params.url_contains || String(event.payload.url ?? '').includes(params.url_contains) ? true : `link does not contain "${params.url_contains}"`),
});
