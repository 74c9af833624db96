import { ChannelRegistry, type Channel, type OutgoingMessage } from '../../server/channels/channel';
import { OutboxChannel } from '../../server/channels/outbox';
import { RateLimitedChannel } from '../../server/channels/rate-limit';
import type { MessageRequest } from '../../server/core/message-request';
import { MessageEntity } from '../../server/db/entities';
import { handOver, recordReceipt, sendOnce } from '../../server/messaging/send-once';
import { RetryableSendError } from '../../server/core/errors';
import { insertOne } from '../../server/db/hot-path';
import { testDatabaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';
import { until } from '../support/until';

/** A provider that records what reached it. */
function provider(reached: string[]): Channel {
  return { name: 'telegram', send: async (message: OutgoingMessage) => (reached.push(message.idempotencyKey), { status: 'sent', providerId: `tg-${message.id}`, deliveredVia: 'telegram' }) };
}

function alert(key: string): MessageRequest {
  return { idempotencyKey: key, runId: null, entity: null, channel: 'telegram', audience: 'user', recipient: '100000300', recipientLogin: null, body: `Горячий лид ${key}: Иван Смирнов, +7 916 123-45-67` };
}

/**
 * What a crash leaves "in doubt" is only what really reached the provider's door: a message that
 * waits for its turn under Telegram's limits is `queued`, and sending it again after the worker
 * died sends it once; a worker that wakes after another took its messages over sends nothing.
 */
describe.each(testDatabaseKinds())('messages waiting under a rate limit, on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind);
  });
  afterEach(async () => {
    await harness.close();
  });

  const statusOf = async (key: string) => (await harness.runtime.store.manager.findOneBy(MessageEntity, { idempotencyKey: key }))?.status ?? 'not written';

  it('are queued, not in doubt, while they wait; a second worker sends each once, and the first, waking, sends none', async () => {
    const reached: string[] = [];
    // The first worker's limiter: one message a second, and its clock stops (the worker freezes mid-wait).
    const frozen: Array<() => void> = [];
    const limited = new RateLimitedChannel(
      provider(reached),
      { global: 1, perRecipient: null, maxWaitMs: 60_000 },
      () => new Promise<void>((resolve) => frozen.push(resolve)),
      () => 0,
    );
    const firstWorker = new ChannelRegistry(new OutboxChannel()).register('telegram', limited);
    const keys = ['run:1:alert', 'run:2:alert', 'run:3:alert'];
    const first = keys.map((key) => sendOnce(harness.runtime.store, firstWorker, alert(key), () => harness.clock.now()));

    // Whichever of the three reaches the limiter first takes the one turn; the database decides which.
    const statuses = async () => (await Promise.all(keys.map(statusOf))).sort();
    await until(async () => (await statuses()).filter((status) => status === 'sent').length === 1 && frozen.length === 2, { what: 'one sent, two waiting for their turn' });
    expect(await statuses()).toEqual(['queued', 'queued', 'sent']);

    // The first worker is gone (kill -9): another sends what was queued, each once.
    const secondWorker = new ChannelRegistry(new OutboxChannel()).register('telegram', provider(reached));
    const resent = await Promise.all(keys.map((key) => sendOnce(harness.runtime.store, secondWorker, alert(key), () => harness.clock.now())));
    expect(resent.map((message) => message.status)).toEqual(['sent', 'sent', 'sent']);

    // The first worker wakes after all: the rows say someone else sent them, so it sends nothing.
    frozen.forEach((wake) => wake());
    const woke = await Promise.all(first);
    expect(woke.map((message) => message.status)).toEqual(['sent', 'sent', 'sent']);
    expect(reached.sort()).toEqual(keys);
  });
});

describe.each(testDatabaseKinds())('a receipt while the database is away, on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind);
  });
  afterEach(async () => {
    await harness.close();
  });

  it('is written when the database comes back after a restart-long outage: the delivered SMS is sent, not in doubt', async () => {
    const store = harness.runtime.store;
    const message = await store.transaction((manager) => insertOne(manager, MessageEntity, { ...smsRow('run:7:touch', harness.clock.now()), status: 'sending' }));
    // Postgres restarting: a dozen attempts meet a refused connection before it answers again.
    let away = 12;
    const flaky = {
      transaction: <T>(work: Parameters<typeof store.transaction<T>>[0]) => (away-- > 0 ? Promise.reject(new Error('Connection terminated unexpectedly')) : store.transaction(work)),
    };
    await recordReceipt(flaky, message.id, { status: 'sent', providerId: 'SM0123', sentAt: harness.clock.now() }, async () => undefined);
    expect(await store.manager.findOneBy(MessageEntity, { id: message.id })).toMatchObject({ status: 'sent', providerId: 'SM0123' });
  });

  it('a hand-over whose answer is lost puts the message back in the queue: nothing left, so nothing is in doubt', async () => {
    const store = harness.runtime.store;
    const message = await store.transaction((manager) => insertOne(manager, MessageEntity, { ...smsRow('run:8:touch', harness.clock.now()), status: 'queued' }));
    // The hand-over lands, then the connection drops before its answer; two more writes meet the outage.
    let answers = 0;
    const dropping = {
      manager: store.manager,
      transaction: async <T>(work: Parameters<typeof store.transaction<T>>[0]): Promise<T> => {
        answers += 1;
        if (answers === 1) {
          await store.transaction(work);
          throw new Error('Connection terminated unexpectedly');
        }
        if (answers <= 3) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return store.transaction(work);
      },
    };
    await expect(handOver(dropping, message.id, async () => undefined)).rejects.toBeInstanceOf(RetryableSendError);
    expect(await store.manager.findOneBy(MessageEntity, { id: message.id })).toMatchObject({ status: 'queued', error: null });
  });

  it('a lost answer never puts back a message another worker has handed over since', async () => {
    const store = harness.runtime.store;
    const message = await store.transaction((manager) => insertOne(manager, MessageEntity, { ...smsRow('run:9:touch', harness.clock.now()), status: 'queued' }));
    // Our write never lands; meanwhile another worker hands the message over and is calling the provider.
    let answers = 0;
    const lost = {
      manager: store.manager,
      transaction: async <T>(work: Parameters<typeof store.transaction<T>>[0]): Promise<T> => {
        answers += 1;
        if (answers === 1) {
          await handOver(store, message.id);
          throw new Error('Connection terminated unexpectedly');
        }
        return store.transaction(work);
      },
    };
    await expect(handOver(lost, message.id, async () => undefined)).rejects.toBeInstanceOf(RetryableSendError);
    expect(await store.manager.findOneBy(MessageEntity, { id: message.id })).toMatchObject({ status: 'sending' });
  });
});

/** A message row as sendOnce writes it for an SMS touch to Ivan Smirnov. */
function smsRow(key: string, createdAt: number) {
  return {
    idempotencyKey: key,
    runId: null,
    entityType: null,
    entityId: null,
    direction: 'out' as const,
    channel: 'sms',
    audience: 'client' as const,
    recipient: '+79161234567',
    recipientLogin: null,
    template: null,
    subject: null,
    body: 'Иван Смирнов, ваше предложение готово',
    meta: {},
    providerId: null,
    error: null,
    createdAt,
    sentAt: null,
  };
}
