import { z } from 'zod';
import { escalationLevelOf } from '../server/core/compiled-config';
import { ChannelName, Duration } from '../config/primitives';
import { evaluateCondition } from '../server/core/conditions';
import { WhenNobodyOnDuty } from '../config/primitives';
import { defineRobot } from './contract';
import type { ConfigReference } from '../config/schema';
import { alertButtonsMeta, channelFor, MessageSource, notifyUsers, resolveUsersOnDuty, UserRecipient, userReferences } from './notifications';

/** One rung of an SLA alert's ladder: who hears of it next, and how long after the alert. */
export const EscalationLevel = z.strictObject({
  after: Duration.describe('Counted from the robot’s own alert'),
  to: z.array(UserRecipient).min(1).describe('responsible, manager, team or logins'),
});

const Escalate = z.array(EscalationLevel).default([]).describe('Further alerts, each sent after its delay unless the item was taken meanwhile (the robot’s condition no longer holds, or the item left the stage)');

/** An alert to our own people (responsible, their manager, the team, or logins), in Telegram by default. */
export const notify = defineRobot({
  type: 'notify',
  description: 'Alert users (responsible, manager, team or logins) from a template or inline text',
  params: z.object({
    to: z.array(UserRecipient).min(1).default(['responsible']),
    channel: ChannelName.optional().describe("Defaults to the template's channel, else telegram"),
    ...MessageSource,
    buttons: z.boolean().default(true).describe('On Telegram: Take the lead, Call now and Open buttons under the alert'),
    when_nobody_on_duty: WhenNobodyOnDuty.optional(),
    escalate: Escalate,
  }),
  references: (params) => {
    const references: ConfigReference[] = params.template ? [{ kind: 'template', value: params.template, path: ['template'] }] : [];
    const levels = params.escalate.flatMap((level, index) => userReferences(level.to, 'to').map((reference) => ({ ...reference, path: ['escalate', index, ...reference.path] })));
    return [...references, ...userReferences(params.to, 'to'), ...levels];
  },
  async run(context) {
    const { params } = context;
    const level = escalationLevelOf(context.run.robotId);
    if (level) {
      // "Taken" is what the robot's own condition says (first_contact_sla: the lead has a
      // responsible); leaving the stage already cancels every pending level of the entry.
      const base = context.ports.config.robots.get(level.of)?.robot;
      if (base && !evaluateCondition(base.condition, context.context)) {
        return {
          outcome: 'cancelled',
          detail: `taken: the condition of ${level.of} no longer holds, escalation ${level.level} not sent`,
          reason: { code: 'cancelled.taken', params: { robot: level.of, level: level.level } },
        };
      }
    }
    if (!params.template && !params.text) return { outcome: 'skipped', detail: 'notify has neither `template` nor `text`', reason: { code: 'skipped.no_text' } };
    const { logins, unresolved } = resolveUsersOnDuty(context, params.to, params.when_nobody_on_duty);
    if (logins.length === 0) return { outcome: 'skipped', detail: `nobody to notify: ${unresolved.join(', ')}`, reason: { code: 'skipped.nobody_to_notify', params: { unresolved } } };
    const channel = channelFor(context, params, 'telegram');
    const messages = await notifyUsers(context, logins, channel, params, alertButtonsMeta(context, channel, params.buttons), {}, level ? 'escalation' : 'alert');
    const where = messages.map((message) => `${message.recipientLogin} (${message.channel})`).join(', ');
    const prefix = level ? `escalation ${level.level}: ` : '';
    return {
      outcome: 'done',
      detail: `${prefix}notified ${where}${unresolved.length ? `; unresolved: ${unresolved.join(', ')}` : ''}`,
      reason: { code: 'done.sent', params: { audience: 'user', channel, recipients: logins, unresolved, escalation: level?.level ?? null } },
    };
  },
});
