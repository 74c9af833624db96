import { TelegramChannel } from '../../server/channels/telegram';
import { OutcomeUnknownError, PermanentSendError, RetryableSendError } from '../../server/core/errors';
import { TelegramPeer } from '../peers/telegram-peer';
import { unusedPort } from './loopback';
import { outgoingMessage } from './outgoing-message';
import { first } from '../support/lists';

describe('TelegramChannel through telegraf against a loopback Bot API', () => {
  let peer: TelegramPeer;
  let apiRoot: string;
  let channel: TelegramChannel;

  const alert = (overrides = {}) => outgoingMessage({ channel: 'telegram', audience: 'user', recipient: '5550001', subject: null, body: '🔥 Hot lead: Anna Petrova, +14155550123', ...overrides });

  beforeEach(async () => {
    peer = new TelegramPeer();
    apiRoot = (await peer.start()).url;
    channel = new TelegramChannel({ token: peer.token, apiRoot });
  });

  afterEach(async () => {
    await peer.stop();
  });

  it('sends a manager alert with its inline buttons, and keeps chat and message id', async () => {
    const buttons = [
      { text: 'Take the lead', callback_data: 'take:lead:17' },
      { text: 'Call now', callback_data: 'call:lead:17' },
      { text: 'Open', url: 'https://crm.acme.test/leads/17' },
    ];

    const receipt = await channel.send(alert({ meta: { buttons } }));

    expect(peer.callsOf('sendMessage')).toEqual([
      {
        method: 'sendMessage',
        payload: { chat_id: '5550001', text: '🔥 Hot lead: Anna Petrova, +14155550123', reply_markup: { inline_keyboard: [buttons] } },
      },
    ]);
    expect(receipt).toEqual({ status: 'sent', providerId: '5550001:1', deliveredVia: 'telegram' });
  });

  it('keeps rows of buttons as rows', async () => {
    const rows = [[{ text: 'Take the lead', callback_data: 'take:17' }], [{ text: 'Open', url: 'https://crm.acme.test/leads/17' }]];

    await channel.send(alert({ meta: { buttons: rows } }));

    expect(first(peer.callsOf('sendMessage')).payload.reply_markup).toEqual({ inline_keyboard: rows });
  });

  it('sends a plain message when there are no buttons', async () => {
    await channel.send(alert());

    expect(first(peer.callsOf('sendMessage')).payload).not.toHaveProperty('reply_markup');
  });

  it('refuses malformed buttons before calling Telegram', async () => {
    const failure = await channel.send(alert({ meta: { buttons: [{ text: 'Take', callback_data: 'x'.repeat(65) }] } })).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PermanentSendError);
    expect(peer.calls).toHaveLength(0);
  });

  it('flood control (429) is retried after retry_after', async () => {
    peer.failNext(1, { kind: 'flood', retryAfterSeconds: 3 });

    const failure = await channel.send(alert()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RetryableSendError);
    expect((failure as RetryableSendError).retryAfterMs).toBe(3000);
  });

  it.each([
    ['blocked', 'Forbidden: bot was blocked by the user'],
    ['chat-not-found', 'Bad Request: chat not found'],
  ] as const)('%s fails the run with Telegram’s words', async (kind, words) => {
    peer.failNext(1, { kind });

    const failure = await channel.send(alert()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PermanentSendError);
    expect((failure as PermanentSendError).providerMessage).toBe(words);
  });

  it('a Telegram server error (5xx) is retried', async () => {
    peer.failNext(1, { kind: 'server-error' });

    const failure = await channel.send(alert()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RetryableSendError);
  });

  it('a connection cut after the request went out is an unknown outcome', async () => {
    peer.failNext(1, { kind: 'drop' });

    const failure = await channel.send(alert()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(OutcomeUnknownError);
    expect(peer.callsOf('sendMessage')).toHaveLength(1);
  });

  it('a Bot API nobody answers on is retried', async () => {
    const nowhere = new TelegramChannel({ token: peer.token, apiRoot: `http://127.0.0.1:${await unusedPort()}` });

    const failure = await nowhere.send(alert()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RetryableSendError);
  });

  it('a wrong bot token fails the run', async () => {
    const impostor = new TelegramChannel({ token: '1:wrong', apiRoot });

    const failure = await impostor.send(alert()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PermanentSendError);
    expect((failure as PermanentSendError).providerMessage).toBe('Unauthorized');
  });
});
