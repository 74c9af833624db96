import { z } from 'zod';
import { Duration } from '../config/primitives';
import { DEFAULT_CALLBACK, startCallback } from '../server/engine/callbacks';
import { defineRobot, type ConfigReference } from './define';
import { USER_KEYWORDS, UserRecipient } from './recipients';

/**
 * Seed 003: a lead entering "hot" gets a call within the minute. The agent's phone rings
 * first; when they pick up they hear the lead's name and are bridged to the lead. No answer
 * or busy → the next agent of the team; nobody → the manager on Telegram and a task. The run
 * finishes once the first call is requested; Twilio's signed status callbacks drive the rest.
 */
export const autoCallback = defineRobot({
  type: 'auto_callback',
  description: 'Call the responsible agent (then the team in turn) and bridge them to the client; nobody answers → alert the manager and create a task',
  params: z.object({
    agents: z.array(UserRecipient).min(1).default(DEFAULT_CALLBACK.agents).describe('Who is called, in order: responsible, team, or logins'),
    ring_timeout: z.number().int().min(5).max(120).default(DEFAULT_CALLBACK.ringTimeoutSeconds).describe('Seconds an agent’s phone rings before the next one is tried'),
    whisper: z.string().default(DEFAULT_CALLBACK.whisper).describe('handlebars; what the agent hears before the bridge'),
    escalate_to: z.array(UserRecipient).default(DEFAULT_CALLBACK.escalateTo).describe('Told on Telegram when nobody answers'),
    task_due_in: Duration.default(DEFAULT_CALLBACK.taskDueIn).describe('Due time of the call-back task when nobody answers'),
  }),
  references: (params) => {
    const references: ConfigReference[] = [];
    params.agents.forEach((who, index) => {
      if (!USER_KEYWORDS.has(who)) references.push({ kind: 'user', value: who, path: ['agents', index] });
    });
    params.escalate_to.forEach((who, index) => {
      if (!USER_KEYWORDS.has(who)) references.push({ kind: 'user', value: who, path: ['escalate_to', index] });
    });
    return references;
  },
  async run({ engine, item, run }) {
    if (!item.row.phone) return { outcome: 'skipped', detail: `the ${item.kind} has no phone to call back` };
    const started = await startCallback(engine, item, run.id, run.robotId);
    switch (started.kind) {
      case 'calling':
        return { outcome: 'done', detail: `calling ${started.call.agentLogin} (${started.call.agentPhone}); call #${started.call.id}` };
      case 'already':
        return { outcome: 'done', detail: `call #${started.call.id} to ${started.call.agentLogin} was already placed` };
      default:
        return { outcome: 'done', detail: started.detail };
    }
  },
});
