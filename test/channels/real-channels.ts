import type { Server } from 'node:http';
import { buildChannels } from '../../server/channels';
import type { ChannelRegistry } from '../../server/channels/channel';
import type { TelegramChannel } from '../../server/channels/telegram';
import { signPayload } from '../../server/core/payload-signing';
import { SmtpPeer } from '../peers/smtp-peer';
import { TelegramPeer } from '../peers/telegram-peer';
import { TwilioPeer } from '../peers/twilio-peer';
import { peerEnvironment } from '../peers/environment';
import { startHarness, type Harness } from '../support/harness';
import type { DatabaseKind } from '../support/databases';
import { unusedPort } from './loopback';

export const TELEGRAM_SECRET = 'telegram-webhook-secret';
export const EMAIL_SECRET = 'inbound-email-secret';
export const TWILIO_FROM = '+15005550006';

/** Seed 003's cast: two agents with phones and Telegram, a manager, and the lead statuses the stories walk. */
export const CHANNELS_CONFIG = `
timezone: Europe/Moscow
default_region: RU
public_url: https://crm.example.com
engine: { max_attempts: 4, retry_backoff: 1m }
quiet_hours: { start: "21:00", end: "09:00" }
users:
  - { login: root, name: Root, role: admin }
  - { login: gena, name: Gena, role: sales, team: hot_team, phone: "+79990000001", telegram_chat_id: "1001" }
  - { login: galya, name: Galya, role: sales, team: hot_team, phone: "+79990000002", telegram_chat_id: "1002" }
  - { login: gm, name: Grigory Manager, role: manager, team: hot_team, phone: "+79990000009", telegram_chat_id: "1000" }
teams:
  hot_team: { members: [gena, galya], manager: gm }
leads:
  team: hot_team
  stages:
    - id: new
      robots:
        - { id: new_alert, type: notify, to: [team, manager], text: "New lead #{{item.id}} {{item.name}} {{item.phone}}" }
    - id: cadence
      robots:
        - { id: touch_1d, type: send_message, channel: sms, after: 1d, text: "{{item.name}}, did you see our offer?" }
        - { id: touch_3d, type: send_message, channel: sms, after: 3d, text: "{{item.name}}, a reminder" }
        - { id: touch_5d, type: send_message, channel: sms, after: 5d, text: "{{item.name}}, still interested?" }
        - { id: touch_7d, type: send_message, channel: sms, after: 7d, text: "{{item.name}}, last note from us" }
    - id: texting
      robots:
        - { id: sms_now, type: send_message, channel: sms, text: "{{item.name}}, here is your quote" }
    - id: emailing
      robots:
        - { id: email_now, type: send_message, channel: email, subject: "Your quote, {{item.name}}", text: "Hello {{item.name}}, your quote is attached." }
    - id: hot
      robots:
        - { id: call_back, type: auto_callback, ring_timeout: 20 }
    - id: won
      semantic: won
`;

export interface Peers {
  smtp: SmtpPeer;
  twilio: TwilioPeer;
  telegram: TelegramPeer;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The three loopback peers and the environment that points the real adapters at them. */
export async function startPeers(publicUrl: string, extraEnv: Record<string, string> = {}): Promise<Peers> {
  const smtp = new SmtpPeer();
  const twilio = new TwilioPeer();
  const telegram = new TelegramPeer();
  const [smtpAt, twilioAt, telegramAt] = await Promise.all([smtp.start(), twilio.start(), telegram.start()]);
  const env = {
    ...peerEnvironment({ smtpUrl: smtpAt.url, twilio, twilioUrl: twilioAt.url, telegram, telegramUrl: telegramAt.url }),
    TWILIO_FROM,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    INBOUND_EMAIL_SECRET: EMAIL_SECRET,
    PUBLIC_URL: publicUrl,
    TELEGRAM_RATE_LIMIT: 'off',
    TELEGRAM_CHAT_RATE_LIMIT: 'off',
    ...extraEnv,
  };
  return { smtp, twilio, telegram, env, stop: async () => void (await Promise.all([smtp.stop(), twilio.stop(), telegram.stop()])) };
}

export interface ChannelsWorld {
  harness: Harness;
  peers: Peers;
  channels: ChannelRegistry;
  publicUrl: string;
  close(): Promise<void>;
}

/** A harness whose app listens on loopback (the peers post back to it) with real adapters registered. */
export async function startChannelsWorld(kind: DatabaseKind): Promise<ChannelsWorld> {
  const port = await unusedPort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const peers = await startPeers(publicUrl);
  const channels = buildChannels(peers.env);
  const harness = await startHarness(kind, { configText: CHANNELS_CONFIG, channels });
  const server: Server = await new Promise((resolve) => {
    const listening = harness.app.listen(port, '127.0.0.1', () => resolve(listening));
  });
  const telegram = channels.adapter('telegram') as TelegramChannel;
  await telegram.setWebhook(`${publicUrl}/webhooks/telegram`, TELEGRAM_SECRET);
  return {
    harness,
    peers,
    channels,
    publicUrl,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await harness.close();
      await channels.close();
      await peers.stop();
    },
  };
}

/** A POST signed the way our inbound email endpoint expects (robots/webhook.ts signPayload). */
export function signedEmailHeaders(raw: string, nowMs: number, secret = EMAIL_SECRET): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { 'content-type': 'message/rfc822', 'x-robots-timestamp': timestamp, 'x-robots-signature': signPayload(secret, timestamp, raw) };
}
