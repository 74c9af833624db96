import { z } from 'zod';
import { Duration } from '../config/primitives';
import { WhenNobodyOnDuty } from '../config/primitives';
import type { CallbackSettings } from './contract';
import { defineRobot } from './contract';
import { UserRecipient, userReferences } from './notifications';

/** The robot's own keys; the voice chain reads its settings through this same schema. */
export const AutoCallbackParams = z.object({
  agents: z.array(UserRecipient).min(1).default(['responsible', 'team']).describe('Who is called, in order: responsible, team, or logins'),
  ring_timeout: z.number().int().min(5).max(120).default(20).describe('Seconds an agent’s phone rings before the next one is tried'),
  whisper: z.string().default('Hot lead {{item.name}}. Connecting you now.').describe('handlebars; what the agent hears before the bridge'),
  escalate_to: z.array(UserRecipient).default(['manager']).describe('Told on Telegram when nobody answers'),
  task_due_in: Duration.default('15m').describe('Due time of the call-back task when nobody answers'),
  when_nobody_on_duty: WhenNobodyOnDuty.optional(),
}) satisfies z.ZodType<CallbackSettings, unknown>;

/** The settings of a call that no robot placed ("Call now" from an alert). */
export const DEFAULT_CALLBACK: CallbackSettings = AutoCallbackParams.parse({});

/**
 * A lead entering "hot" gets a call within the minute. The agent's phone rings
 * first; when they pick up they hear the lead's name and are bridged to the lead. No answer
 * or busy → the next agent of the team; nobody → the manager on Telegram and a task. The run
 * finishes once the first call is requested; Twilio's signed status callbacks drive the rest.
 */
export const autoCallback = defineRobot({
  type: 'auto_callback',
  description: 'Call the responsible agent (then the team in turn) and bridge them to the client; nobody answers → alert the manager and create a task',
  params: AutoCallbackParams,
  references: (params) => [...userReferences(params.agents, 'agents'), ...userReferences(params.escalate_to, 'escalate_to')],
  recipients: (params) => [...params.agents, ...params.escalate_to],
  async run({ ports, item, run, params }) {
    if (!item.row.phone) return { outcome: 'skipped', detail: `the ${item.kind} has no phone to call back`, reason: { code: 'skipped.no_phone' } };
    const started = await ports.startCallback(item, run, params);
    switch (started.kind) {
      case 'calling':
        return {
          outcome: 'done',
          // Numbered as the timeline numbers the calls of a callback: call 1, call 2, …
          detail: `calling ${started.call.agentLogin} (${started.call.agentPhone}); call ${started.call.attempt}`,
          reason: { code: 'done.calling', params: { agent: started.call.agentLogin, call_id: started.call.id } },
        };
      case 'already':
        return {
          outcome: 'done',
          detail: `call ${started.call.attempt} to ${started.call.agentLogin} was already placed`,
          reason: { code: 'done.calling', params: { agent: started.call.agentLogin, call_id: started.call.id } },
        };
      default:
        return { outcome: 'done', detail: started.detail, reason: { code: 'done.call_recorded' } };
    }
  },
});
