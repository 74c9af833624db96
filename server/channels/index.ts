import { ChannelRegistry } from './channel';
import { EmailChannel, smtpServerFromUrl } from './email';
import { OutboxChannel } from './outbox';
import { SMS_STATUS_CALLBACK_PATH, SmsChannel } from './sms';
import { TelegramChannel } from './telegram';

/**
 * Builds the channels from the environment (credentials never come from the YAML in git).
 * A channel without credentials is simply not registered: its messages land in the outbox.
 *
 * email     SMTP_URL (smtp://user:pass@host:port, smtps:// for TLS) + EMAIL_FROM;
 *           optional EMAIL_UNSUBSCRIBE_MAILTO, EMAIL_UNSUBSCRIBE_URL
 * sms       TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN + TWILIO_FROM (number or MG… service);
 *           optional TWILIO_API_BASE (a loopback peer), PUBLIC_URL (for delivery statuses)
 * telegram  TELEGRAM_BOT_TOKEN; optional TELEGRAM_API_ROOT
 */
export function buildChannels(env: NodeJS.ProcessEnv = process.env): ChannelRegistry {
  const channels = new ChannelRegistry(new OutboxChannel());

  if (env.SMTP_URL && env.EMAIL_FROM) {
    const unsubscribe = env.EMAIL_UNSUBSCRIBE_MAILTO || env.EMAIL_UNSUBSCRIBE_URL ? { mailto: env.EMAIL_UNSUBSCRIBE_MAILTO, url: env.EMAIL_UNSUBSCRIBE_URL } : undefined;
    channels.register('email', new EmailChannel({ smtp: smtpServerFromUrl(env.SMTP_URL), from: env.EMAIL_FROM, unsubscribe }));
  }

  if (env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN && env.TWILIO_FROM) {
    channels.register(
      'sms',
      new SmsChannel({
        accountSid: env.TWILIO_ACCOUNT_SID,
        authToken: env.TWILIO_AUTH_TOKEN,
        from: env.TWILIO_FROM,
        apiBase: env.TWILIO_API_BASE || undefined,
        statusCallbackUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') + SMS_STATUS_CALLBACK_PATH : undefined,
      }),
    );
  }

  if (env.TELEGRAM_BOT_TOKEN) {
    channels.register('telegram', new TelegramChannel({ token: env.TELEGRAM_BOT_TOKEN, apiRoot: env.TELEGRAM_API_ROOT || undefined }));
  }

  return channels;
}
