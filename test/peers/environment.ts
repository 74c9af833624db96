import type { TelegramPeer } from './telegram-peer';
import type { TwilioPeer } from './twilio-peer';

/** Twilio's magic test number its test credentials accept as a sender. */
export const TWILIO_TEST_FROM = '+15005550006';

/**
 * The environment that points `buildChannels` (and so `robots serve`) at the loopback peers:
 * the real client libraries, only the addresses differ.
 */
export function peerEnvironment(peers: { smtpUrl: string; twilio: TwilioPeer; twilioUrl: string; telegram: TelegramPeer; telegramUrl: string }): Record<string, string> {
  return {
    SMTP_URL: peers.smtpUrl,
    EMAIL_FROM: 'Acme Sales <sales@acme.test>',
    TWILIO_ACCOUNT_SID: peers.twilio.accountSid,
    TWILIO_AUTH_TOKEN: peers.twilio.authToken,
    TWILIO_FROM: TWILIO_TEST_FROM,
    TWILIO_API_BASE: peers.twilioUrl,
    TELEGRAM_BOT_TOKEN: peers.telegram.token,
    TELEGRAM_API_ROOT: peers.telegramUrl,
  };
}
