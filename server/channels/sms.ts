import type { Channel, InDoubtQuery, OutgoingMessage, ProviderRecord, SendReceipt } from './channel';
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
   * Twilio keeps no tag of ours on a message, so one in doubt is found by what it was: the
   * recipient's recent messages (To, and From unless a Messaging Service picks the sender),
   * those with our text created since our row was written. By SID when we have it.
   */
  async lookup(query: InDoubtQuery): Promise<ProviderRecord[]> {
    try {
      if (query.providerId) return [recordOf(await this.client.messages(query.providerId).fetch())];
      const sender = this.options.from.startsWith('MG') ? {} : { from: this.options.from };
      const recent = await this.client.messages.list({ to: query.recipient, ...sender, pageSize: LOOKUP_PAGE, limit: LOOKUP_PAGE });
      // A minute of slack for the two clocks.
      return recent.filter((sms) => sms.body === query.body && sms.dateCreated.getTime() >= query.createdAt - 60_000).map(recordOf);
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

/** A recipient's most recent messages looked through for one in doubt. */
const LOOKUP_PAGE = 50;

/** Twilio's statuses (queued, accepted, scheduled, sending, sent, delivered, read, undelivered, failed, canceled) as ours. */
function recordOf(sms: { sid: string; status: string; errorCode: number | null }): ProviderRecord {
  if (sms.status === 'delivered' || sms.status === 'read') return { providerId: sms.sid, status: 'delivered' };
  if (sms.status === 'sent') return { providerId: sms.sid, status: 'sent' };
  if (sms.status === 'failed' || sms.status === 'undelivered' || sms.status === 'canceled') {
    return { providerId: sms.sid, status: 'failed', error: `Twilio: ${sms.status}${sms.errorCode ? ` (error ${sms.errorCode})` : ''}` };
  }
  return { providerId: sms.sid, status: 'pending' };
}
