import { z } from 'zod';
import { ChannelName } from '../config/primitives';
import { defineRobot, type ConfigReference } from './define';
import { alertButtonsMeta, channelFor, MessageSource, notifyUsers, resolveUsers, UserRecipient, userReferences } from './recipients';

/** An alert to our own people (responsible, their manager, the team, or logins), in Telegram by default. */
export const notify = defineRobot({
  type: 'notify',
  description: 'Alert users (responsible, manager, team or logins) from a template or inline text',
  params: z.object({
    to: z.array(UserRecipient).min(1).default(['responsible']),
    channel: ChannelName.optional().describe("Defaults to the template's channel, else telegram"),
    ...MessageSource,
    buttons: z.boolean().default(true).describe('On Telegram: Take the lead, Call now and Open buttons under the alert'),
  }),
  references: (params) => {
    const references: ConfigReference[] = params.template ? [{ kind: 'template', value: params.template, path: ['template'] }] : [];
    return [...references, ...userReferences(params.to, 'to')];
  },
  async run(context) {
    const { params } = context;
    if (!params.template && !params.text) return { outcome: 'skipped', detail: 'notify has neither `template` nor `text`' };
    const { logins, unresolved } = resolveUsers(context, params.to);
    if (logins.length === 0) return { outcome: 'skipped', detail: `nobody to notify: ${unresolved.join(', ')}` };
    const channel = channelFor(context, params, 'telegram');
    const messages = await notifyUsers(context, logins, channel, params, alertButtonsMeta(context, channel, params.buttons));
    const where = messages.map((message) => `${message.recipientLogin} (${message.channel})`).join(', ');
    return { outcome: 'done', detail: `notified ${where}${unresolved.length ? `; unresolved: ${unresolved.join(', ')}` : ''}` };
  },
});
