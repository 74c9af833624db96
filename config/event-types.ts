import { z } from 'zod';
import { unknownNameOf } from './did-you-mean';
import { zodText } from './messages';

/**
 * Every event type the engine records: triggers listen to them, scoring rules score them, the
 * timeline shows them. One list, so a typo in a scoring rule is a config error, not a rule
 * that never scores.
 */
export const EVENT_TYPES = [
  'form_submitted',
  'webhook',
  'message_inbound',
  'call',
  'email_opened',
  'link_clicked',
  'page_visit',
  'field_changed',
  'responsible_changed',
  'task_overdue',
  'score_changed',
  'opt_out',
  'email_bounced',
  'telegram_linked',
  'taken',
  'call_progress',
  'comment',
] as const;

export const EventType = z.enum(EVENT_TYPES, { error: (issue) => zodText(unknownNameOf('event type', String(issue.input), EVENT_TYPES)) });
export type EventType = z.infer<typeof EventType>;
