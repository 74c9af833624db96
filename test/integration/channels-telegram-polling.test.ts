import type { TelegramChannel } from '../../server/channels/telegram';
import { TelegramPoller } from '../../server/inbound/telegram-polling';
import { telegramStartToken } from '../../server/inbound/telegram-updates';
import { testDatabaseKinds } from '../support/databases';
import { startChannelsWorld, TELEGRAM_SECRET, type ChannelsWorld } from '../channels/real-channels';

describe.each(testDatabaseKinds())('Telegram without a public URL, on %s', (kind) => {
  let world: ChannelsWorld;
  let poller: TelegramPoller;
  beforeEach(async () => {
    world = await startChannelsWorld(kind);
    const telegram = world.channels.adapter('telegram') as TelegramChannel;
    await telegram.api.deleteWebhook();
    poller = new TelegramPoller(world.harness.runtime.inbound, telegram.api, TELEGRAM_SECRET);
  });
  afterEach(async () => {
    await world.close();
  });

  it('long polling receives a client reply and a manager pressing "Take the lead", as the webhook would', async () => {
    const root = world.harness.as('root');
    const lead = (await root.post('/api/leads', { name: 'Polled', phone: '+79161234567' }).expect(201)).body;
    await world.harness.runDue();
    const client = { chat: { id: 777, type: 'private' }, from: { id: 777, is_bot: false, first_name: 'Client' }, date: 0 };
    // The client starts the bot from our deep link, then writes.
    await world.peers.telegram.deliverUpdate({ message: { ...client, message_id: 1, text: `/start ${telegramStartToken(TELEGRAM_SECRET, { kind: 'lead', id: lead.id })}` } });
    const queued = await world.peers.telegram.deliverUpdate({ message: { ...client, message_id: 2, text: 'Hello, call me' } });
    expect(queued).toBeNull();
    const alert = world.peers.telegram.callsOf('sendMessage').findIndex((call) => call.payload.chat_id === '1001');
    await world.peers.telegram.pressButton({ chatId: 1001, messageId: alert + 1, data: `take:lead:${lead.id}`, from: { id: 1001, first_name: 'Gena' } });
    expect(await poller.pollOnce()).toBe(3);

    expect((await root.get(`/api/leads/${lead.id}`).expect(200)).body.responsible).toBe('gena');

    const messages = (await root.get(`/api/messages?item=lead:${lead.id}`).expect(200)).body.messages;
    expect(messages.find((message: { direction: string }) => message.direction === 'in')).toMatchObject({ channel: 'telegram', body: 'Hello, call me' });
    // Nothing is handled twice: the next poll asks past the last update.
    expect(await poller.pollOnce()).toBe(0);
  });
});
