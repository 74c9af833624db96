import { z } from 'zod';
import { ChannelName } from '../config/primitives';
import { defineRobot } from './contract';
import { alertButtonsMeta, channelFor, MessageSource, notifyUsers, resolveUsers, UserRecipient, userReferences } from './notifications';

const DEFAULT_TEXT =
  '⚡ Repeat client: lead #{{item.id}} {{item.name}} ({{item.phone}}{{#if item.email}}, {{item.email}}{{/if}}) already knows us{{#if contact}} — contact #{{contact.id}}{{/if}}. Handle it first: {{links.item}}';

/**
 * The Bitrix24 lead-funnel exercise: a lead whose phone or email is already known (a contact, or an
 * earlier lead) is flagged `repeat_client`, linked to the contact, and its responsible is told
 * it has priority — a returning client is likelier to buy.
 */
function repeatClientRobot(type: string, description: string, defaultNotify: string[]) {
  return defineRobot({
    type,
    description,
    appliesTo: ['lead'],
    params: z.object({
      notify: z.array(UserRecipient).default(defaultNotify).describe('Who is told: responsible, manager, team or logins'),
      channel: ChannelName.optional().describe("Defaults to the template's channel, else telegram"),
      ...MessageSource,
      buttons: z.boolean().default(true).describe('On Telegram: Take the lead, Call now and Open buttons under the alert'),
    }),
    references: (params) => [...(params.template ? [{ kind: 'template' as const, value: params.template, path: ['template'] }] : []), ...userReferences(params.notify, 'notify')],
    async run(context) {
      const { params, item, ports } = context;
      if (item.kind !== 'lead') return { outcome: 'skipped', detail: `${type} works on leads`, reason: { code: 'skipped.wrong_item_kind', params: { kind: 'lead' } } };
      const lead = item.row;
      const contact = await ports.findContact({ phone: lead.phone, email: lead.email });
      const earlier = contact ? null : await ports.findEarlierLead(lead);
      if (!contact && !earlier) return { outcome: 'skipped', detail: 'not a repeat client: phone and email are new', reason: { code: 'skipped.not_repeat_client' } };

      const contactId = lead.contactId ?? contact?.id ?? earlier?.contactId ?? null;
      await ports.flagRepeatClient(lead.id, contactId);
      Object.assign(lead, { repeatClient: true, contactId });
      const match = contact ? `contact #${contact.id}` : `earlier lead #${earlier?.id}`;
      const matched = { contact_id: contact?.id ?? null, earlier_lead_id: earlier?.id ?? null };
      if (params.notify.length === 0) return { outcome: 'done', detail: `flagged repeat client (${match})`, reason: { code: 'done.repeat_client', params: { ...matched, notified: [] } } };

      const { logins, unresolved } = resolveUsers(context, params.notify);
      const source = params.template || params.text ? params : { text: DEFAULT_TEXT };
      const refreshed = { ...context, context: { ...context.context, repeat_client: true, contact: contact ?? context.context.contact } };
      const channel = channelFor(context, params, 'telegram');
      await notifyUsers(refreshed, logins, channel, source, { priority: true, reason: 'repeat_client', ...alertButtonsMeta(context, channel, params.buttons) }, {}, 'repeat_client');
      const missing = unresolved.length ? `; nobody to tell for ${unresolved.join(', ')}` : '';
      return { outcome: 'done', detail: `flagged repeat client (${match}); told ${logins.join(', ') || 'nobody'}${missing}`, reason: { code: 'done.repeat_client', params: { ...matched, notified: logins } } };
    },
  });
}

export const notifyRepeatClient = repeatClientRobot('notify_repeat_client', 'Flag a lead whose phone/email is already known as a repeat client and tell its responsible it has priority', ['responsible']);

export const markRepeatClient = repeatClientRobot('mark_repeat_client', 'Flag a lead whose phone/email is already known as a repeat client (and link the contact); tells nobody unless `notify` says so', []);
