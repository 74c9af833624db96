import type { ChannelNameType } from '../../config/schema';

/** A rendered message on its way out; `id` is our message id (replies are matched by it). */
export interface OutgoingMessage {
  id: number;
  idempotencyKey: string;
  channel: ChannelNameType;
  audience: 'client' | 'user';
  recipient: string;
  subject: string | null;
  body: string;
  html: string | null;
  meta: Record<string, unknown>;
}

export interface SendReceipt {
  /** `recorded` when only the outbox kept it; `sent` when a provider accepted it. */
  status: 'recorded' | 'sent';
  providerId?: string;
  deliveredVia: string;
}

/** A message whose send is in doubt, as we would ask its provider about it. */
export interface InDoubtQuery {
  recipient: string;
  body: string;
  /** Set when the provider's id was recorded before the doubt arose: then it is looked up directly. */
  providerId: string | null;
  /** When our row was written: the provider cannot have it from before. */
  createdAt: number;
}

/** What a provider holds that could be our message, with how far it got there. */
export interface ProviderRecord {
  providerId: string;
  /** `pending`: the provider has it and has not finished (queued, sending, scheduled). */
  status: 'pending' | 'sent' | 'delivered' | 'failed';
  /** The provider's words when it failed (Twilio's error code). */
  error?: string;
}

/**
 * One adapter a file. `send` throws PermanentSendError, RetryableSendError or
 * OutcomeUnknownError (server/core/errors.ts) so the runner knows what to do next.
 */
export interface Channel {
  readonly name: string;
  /**
   * Sends nothing anywhere: the message row is the delivery. Such a message is written once,
   * already `recorded`, instead of `sending` then a receipt (one write where a real send needs two).
   */
  readonly recordsOnly?: boolean;
  /**
   * Waits until `message` may go to the provider (its rate limits), or throws RetryableSendError
   * when the wait would be too long. Time spent here is not "in doubt": nothing has left yet.
   */
  ready?(message: OutgoingMessage): Promise<void>;
  /** Hands the message to the provider, now: from its first byte the outcome may be in doubt. */
  send(message: OutgoingMessage): Promise<SendReceipt>;
  /**
   * Asks the provider which of its messages could be this one (same recipient and text, made
   * since it was written): how a send in doubt is settled without a person. Channels whose
   * provider cannot be asked (Telegram, SMTP) have none; their doubts wait for a person.
   */
  lookup?(query: InDoubtQuery): Promise<ProviderRecord[]>;
  close?(): Promise<void>;
}

/** What authenticates the providers' webhooks, and the address they reach us at. */
export interface WebhookSettings {
  /** Our public base URL (PUBLIC_URL); Twilio signs the full URL it posts to. */
  publicUrl?: string;
  /** Twilio signs its webhooks with the account's auth token. */
  twilioAuthToken?: string;
  /** Telegram sends it back in X-Telegram-Bot-Api-Secret-Token. */
  telegramSecret?: string;
  /** Signs POSTs of raw inbound mail to /webhooks/email/inbound. */
  inboundEmailSecret?: string;
}

/** Channels by name; a channel without credentials falls back to the outbox. */
export class ChannelRegistry {
  private readonly channels = new Map<string, Channel>();
  /** Set from the same environment as the adapters (buildChannels); empty means every webhook is refused. */
  webhooks: WebhookSettings = {};

  constructor(private readonly fallback: Channel) {}

  register(name: ChannelNameType, channel: Channel): this {
    this.channels.set(name, channel);
    return this;
  }

  get(name: ChannelNameType): Channel {
    return this.channels.get(name) ?? this.fallback;
  }

  /** The registered adapter itself, beneath any rate limiter; null when the channel has none. */
  adapter(name: ChannelNameType): Channel | null {
    const channel = this.channels.get(name);
    if (!channel) return null;
    const inner = (channel as { unwrapped?: Channel }).unwrapped;
    return inner ?? channel;
  }

  configured(): string[] {
    return [...this.channels.keys()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.channels.values()].map((channel) => channel.close?.()));
  }
}
