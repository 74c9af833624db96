import type { Logger } from 'pino';
import type { Inbound } from './inbound';
import type { ChannelRegistry } from '../channels/channel';
import { TelegramChannel } from '../channels/telegram';
import { TelegramPoller } from './telegram-polling';

/**
 * How Telegram updates reach us: with a public URL and a webhook secret, Telegram is told to
 * post to /webhooks/telegram; without one, we poll. Returns how, for the start-up log line.
 */
export async function startTelegramUpdates(inbound: Pick<Inbound, 'handleTelegramUpdate'>, channels: ChannelRegistry, fallbackSecret: string, logger: Logger): Promise<{ mode: string; stop(): Promise<void> }> {
  const telegram = channels.adapter('telegram');
  if (!(telegram instanceof TelegramChannel)) return { mode: 'off', stop: async () => undefined };
  const { publicUrl, telegramSecret } = channels.webhooks;
  if (publicUrl && telegramSecret) {
    await telegram.setWebhook(`${publicUrl}/webhooks/telegram`, telegramSecret);
    return { mode: `webhook ${publicUrl}/webhooks/telegram`, stop: async () => undefined };
  }
  const poller = new TelegramPoller(inbound, telegram.api, telegramSecret ?? fallbackSecret, logger);
  await poller.start();
  return { mode: 'long polling', stop: () => poller.stop() };
}
