import type { TriggerDefinition } from './define';
import { callEvent } from './call';
import { emailOpened } from './email-opened';
import { fieldChanged } from './field-changed';
import { formSubmitted } from './form-submitted';
import { linkClicked } from './link-clicked';
import { messageInbound } from './message-inbound';
import { responsibleChanged } from './responsible-changed';
import { scoreDropped } from './score-dropped';
import { scoreReached } from './score-reached';
import { taskOverdue } from './task-overdue';
import { webhookReceived } from './webhook';

/** The list of trigger types: adding one is its file plus one line here. */
export const triggerDefinitions: TriggerDefinition[] = [
  formSubmitted,
  webhookReceived,
  messageInbound,
  callEvent,
  emailOpened,
  linkClicked,
  fieldChanged,
  scoreReached,
  scoreDropped,
  responsibleChanged,
  taskOverdue,
] as unknown as TriggerDefinition[];
