import type { Channel, OutgoingMessage, SendReceipt } from './channel';

/**
 * Records the rendered message and sends nothing: the default when a channel has no
 * credentials, and what `robots simulate` uses. The message row itself is the record.
 */
export class OutboxChannel implements Channel {
  readonly name = 'outbox';
  readonly recordsOnly: boolean = true;

  async send(_message: OutgoingMessage): Promise<SendReceipt> {
    return { status: 'recorded', deliveredVia: 'outbox' };
  }
}
