import { PermanentSendError } from '../core/errors';
import type { Channel, OutgoingMessage, SendReceipt } from './channel';
import { classifyTwilioFailure, createTwilioClient, type TwilioCredentials } from './twilio-client';

/** Where Twilio posts call progress (initiated, ringing, answered, completed, no-answer, busy). */
export const VOICE_STATUS_PATH = '/webhooks/twilio/voice-status';
/** The TwiML Twilio fetches when the agent picks up: a whisper naming the lead, then the bridge. */
export const VOICE_BRIDGE_PATH = '/webhooks/twilio/voice-bridge';

export interface VoiceChannelOptions extends TwilioCredentials {
  /** Our caller id: a Twilio number in E.164. */
  from: string;
}

export interface CallRequest {
  to: string;
  /** Absolute URL of the TwiML to run when the callee answers. */
  twimlUrl: string;
  /** Absolute URL for call progress events. */
  statusCallbackUrl: string;
  /** Seconds to let it ring before Twilio reports `no-answer`. */
  ringTimeoutSeconds: number;
}

/**
 * Phone calls through Twilio's `calls.create`. Calls are not messages: the auto-callback robot
 * places them through the call chain (server/voice/call-chain.ts); `send` exists only to satisfy the registry.
 */
export class VoiceChannel implements Channel {
  readonly name = 'voice';
  private readonly client;

  constructor(private readonly options: VoiceChannelOptions) {
    this.client = createTwilioClient(options);
  }

  get callerId(): string {
    return this.options.from;
  }

  async send(_message: OutgoingMessage): Promise<SendReceipt> {
    throw new PermanentSendError('the voice channel places calls (auto_callback), it does not carry messages');
  }

  /** Returns the call SID; throws RetryableSendError, PermanentSendError or OutcomeUnknownError. */
  async call(request: CallRequest): Promise<string> {
    try {
      const call = await this.client.calls.create({
        from: this.options.from,
        to: request.to,
        url: request.twimlUrl,
        method: 'POST',
        statusCallback: request.statusCallbackUrl,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        timeout: request.ringTimeoutSeconds,
      });
      return call.sid;
    } catch (error) {
      throw classifyTwilioFailure(error);
    }
  }
}
