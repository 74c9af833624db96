import { z } from 'zod';
import { ChannelName } from '../config/primitives';
import { renderMessage } from '../server/core/templates';
import { quietHoursDeferral } from '../server/core/quiet-hours';
import { defineRobot } from './contract';
import { clientAddress, MessageSource } from './notifications';

/** A touch to the client (the lead or the deal's contact) over a channel, from a template. */
export const sendMessage = defineRobot({
  type: 'send_message',
  description: 'Send the client an email, SMS or Telegram message rendered from a template',
  touch: true,
  params: z.object({
    channel: ChannelName.optional().describe("Defaults to the template's channel, else email"),
    ...MessageSource,
  }),
  references: (params) => (params.template ? [{ kind: 'template', value: params.template, path: ['template'] }] : []),
  async run(context) {
    const { params, ports, item, run } = context;
    if (!params.template && !params.text) return { outcome: 'skipped', detail: 'send_message has neither `template` nor `text`', reason: { code: 'skipped.no_text' } };
    const rendered = renderMessage(ports.config, params, { ...context.context, recipient: { name: item.row.name } });
    const channel = params.channel ?? rendered.channel ?? 'email';
    const address = clientAddress(context, channel);
    if (!address)
      return {
        outcome: 'skipped',
        detail: `the client has no ${channel === 'email' ? 'email' : channel === 'telegram' ? 'Telegram chat' : 'phone'} for a ${channel} touch`,
        reason: { code: 'skipped.no_address', params: { channel } },
      };
    if (await ports.isOptedOut(channel, address, item.row.contactId))
      return { outcome: 'skipped', detail: `the client opted out of ${channel} (${address}), or it needs their opt-in`, reason: { code: 'skipped.opted_out', params: { channel } } };
    const quiet = quietHoursDeferral(ports.config.source, channel, context.now);
    if (quiet) throw quiet;
    const message = await ports.send({
      idempotencyKey: `run:${run.id}:client`,
      runId: run.id,
      entity: { kind: item.kind, id: item.row.id },
      channel,
      audience: 'client',
      recipient: address,
      template: rendered.template,
      subject: rendered.subject,
      body: rendered.body,
      html: rendered.html,
      meta: { robot: run.robotId },
    });
    return {
      outcome: 'done',
      detail: `${channel} to ${address}: message #${message.id} ${message.status}`,
      reason: { code: 'done.sent', params: { audience: 'client', channel, message_id: message.id, status: message.status } },
    };
  },
});
