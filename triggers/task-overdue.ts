import { z } from 'zod';
import { defineTrigger } from './define';

/** A task on the item passed its due time while still open. */
export const taskOverdue = defineTrigger({
  type: 'task_overdue',
  description: 'Move the item here when one of its tasks is overdue',
  listensTo: 'task_overdue',
  params: z.object({}),
  matches: () => true,
});
