import type { Channel, OutgoingMessage, SendReceipt } from './channel';
import { classifyTwilioFailure, createTwilioClient, type TwilioCredentials } from './twilio-client';

/** Where Twilio posts delivery statuses (queued/sent/delivered/failed/undelivered) on our server. */
export const SMS_STATUS_CALLBACK_PATH = '/webhooks/twilio/sms-status';

export interface SmsChannelOptions extends TwilioCredentials {
  /** A phone number in E.164, or a Messaging Service SID (`MG…`) to let Twilio pick the sender. */
  from: string;
  /** Absolute URL of our status webhook; without it Twilio reports no delivery statuses. */
  statusCallbackUrl?: string;
}

export class SmsChannel implements Channel {
  readonly name = 'sms';
  private readonly client;

  constructor(private readonly options: SmsChannelOptions) {
    this.client = createTwilioClient(options);
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    const sender = this.options.from.startsWith('MG') ? { messagingServiceSid: this.options.from } : { from: this.options.from };
    try {
      const sms = await this.client.messages.create({
        ...sender,
        to: message.recipient,
        body: message.body,
        statusCallback: this.statusCallbackFor(message),
      });
      return { status: 'sent', providerId: sms.sid, deliveredVia: 'sms' };
    } catch (error) {
      throw classifyTwilioFailure(error);
    }
  }

  /**
   * Our message id rides along in the URL: Twilio's first status can arrive before the
   * message row has its SID recorded, and the signature covers the query string anyway.
   */
  private statusCallbackFor(message: OutgoingMessage): string | undefined {
    if (!this.options.statusCallbackUrl) return undefined;
    const url = new URL(this.options.statusCallbackUrl);
    url.searchParams.set('message', String(message.id));
    return url.href;
  }
}
