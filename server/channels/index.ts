import { ChannelRegistry } from './channel';
import { EmailChannel, smtpServerFromUrl } from './email';
import { OutboxChannel } from './outbox';
import { parseRate, RateLimitedChannel } from './rate-limit';
import { SMS_STATUS_CALLBACK_PATH, SmsChannel } from './sms';
import { TelegramChannel } from './telegram';
import { VoiceChannel } from './voice';

/**
 * Builds the channels from the environment (credentials never come from the YAML in git).
 * A channel without credentials is simply not registered: its messages land in the outbox.
 *
 * email     SMTP_URL (smtp://user:pass@host:port, smtps:// for TLS) + EMAIL_FROM;
 *           optional EMAIL_UNSUBSCRIBE_MAILTO, EMAIL_UNSUBSCRIBE_URL, EMAIL_RATE_LIMIT
 * sms       TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN + TWILIO_FROM (number or MG… service);
 *           optional TWILIO_API_BASE (a loopback peer), PUBLIC_URL (for delivery statuses), SMS_RATE_LIMIT
 * voice     the same Twilio account; TWILIO_VOICE_FROM (else TWILIO_FROM) as caller id; needs PUBLIC_URL
 * telegram  TELEGRAM_BOT_TOKEN; optional TELEGRAM_API_ROOT, TELEGRAM_RATE_LIMIT (30/s),
 *           TELEGRAM_CHAT_RATE_LIMIT (1/s)
 * inbound   TWILIO_AUTH_TOKEN signs Twilio's webhooks, TELEGRAM_WEBHOOK_SECRET Telegram's,
 *           INBOUND_EMAIL_SECRET ours for raw inbound mail
 *
 * Rate limits are N/s, N/m, N/h or `off`.
 */
export function buildChannels(env: NodeJS.ProcessEnv = process.env): ChannelRegistry {
  const channels = new ChannelRegistry(new OutboxChannel());
  const publicUrl = env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : undefined;
  channels.webhooks = {
    publicUrl,
    twilioAuthToken: env.TWILIO_AUTH_TOKEN || undefined,
    telegramSecret: env.TELEGRAM_WEBHOOK_SECRET || undefined,
    inboundEmailSecret: env.INBOUND_EMAIL_SECRET || undefined,
  };

  if (env.SMTP_URL && env.EMAIL_FROM) {
    const unsubscribe = env.EMAIL_UNSUBSCRIBE_MAILTO || env.EMAIL_UNSUBSCRIBE_URL ? { mailto: env.EMAIL_UNSUBSCRIBE_MAILTO, url: env.EMAIL_UNSUBSCRIBE_URL } : undefined;
    const pool = {
      maxConnections: env.SMTP_POOL_CONNECTIONS ? Number(env.SMTP_POOL_CONNECTIONS) : undefined,
      maxMessages: env.SMTP_POOL_MESSAGES ? Number(env.SMTP_POOL_MESSAGES) : undefined,
    };
    const email = new EmailChannel({ smtp: smtpServerFromUrl(env.SMTP_URL), from: env.EMAIL_FROM, unsubscribe, pool });
    const rate = parseRate(env.EMAIL_RATE_LIMIT, null);
    channels.register('email', rate ? new RateLimitedChannel(email, { global: rate, perRecipient: null }) : email);
  }

  if (env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN && env.TWILIO_FROM) {
    const credentials = { accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN, apiBase: env.TWILIO_API_BASE || undefined };
    const sms = new SmsChannel({
      ...credentials,
      from: env.TWILIO_FROM,
      statusCallbackUrl: publicUrl ? publicUrl + SMS_STATUS_CALLBACK_PATH : undefined,
    });
    const rate = parseRate(env.SMS_RATE_LIMIT, null);
    channels.register('sms', rate ? new RateLimitedChannel(sms, { global: rate, perRecipient: null }) : sms);
    channels.register('voice', new VoiceChannel({ ...credentials, from: env.TWILIO_VOICE_FROM || env.TWILIO_FROM }));
  }

  if (env.TELEGRAM_BOT_TOKEN) {
    const telegram = new TelegramChannel({ token: env.TELEGRAM_BOT_TOKEN, apiRoot: env.TELEGRAM_API_ROOT || undefined });
    // Telegram's published limits: about 30 messages a second overall, 1 a second per chat.
    const limits = { global: parseRate(env.TELEGRAM_RATE_LIMIT, 30), perRecipient: parseRate(env.TELEGRAM_CHAT_RATE_LIMIT, 1) };
    channels.register('telegram', limits.global || limits.perRecipient ? new RateLimitedChannel(telegram, limits) : telegram);
  }

  return channels;
}
