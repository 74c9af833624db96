import { z } from 'zod';
import { ChannelName } from '../config/primitives';
import { defineTrigger, oneOf } from './define';

/** The client replied (email, SMS, Telegram…): the touch cadence ends and the lead moves on. */
export const messageInbound = defineTrigger({
  type: 'message_inbound',
  description: 'Move the item here when the client replies on one of these channels (any when none listed)',
  listensTo: 'message_inbound',
  params: z.object({ channels: z.array(ChannelName).optional() }),
  matches: (params, event) => oneOf(params.channels, event.payload.channel, 'channel'),
});
