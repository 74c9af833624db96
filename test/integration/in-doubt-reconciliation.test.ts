import { messagesInDoubt } from '../../server/messaging/in-doubt';
import { MessageEntity, RobotRunEntity } from '../../server/db/entities';
import { testDatabaseKinds } from '../support/databases';
import { MINUTE } from '../support/harness';
import { until } from '../support/until';
import { startChannelsWorld, type ChannelsWorld } from '../channels/real-channels';

/**
 * An SMS whose answer never came is not left for a person when Twilio can be asked: the
 * messages sweep looks it up by recipient and text and settles it as Twilio has it; one Twilio
 * never got is sent again, once. A Telegram alert in doubt cannot be asked about and waits for
 * `robots messages unknown`.
 */
describe.each(testDatabaseKinds())('messages in doubt settled by asking the provider, on %s', (kind) => {
  let world: ChannelsWorld;
  beforeEach(async () => {
    world = await startChannelsWorld(kind);
  });
  afterEach(async () => {
    await world.close();
  });

  const root = () => world.harness.as('root');
  const store = () => world.harness.runtime.store;

  async function leadTexted(name: string, phone: string): Promise<{ lead: number; message: number }> {
    const created = await root()
      .post('/api/leads', { name, phone, email: `${phone.slice(-4)}@example.ru` })
      .expect(201);
    await world.harness.runDue();
    await root().post(`/api/leads/${created.body.id}/move`, { stage: 'texting' }).expect(200);
    await world.harness.runDue();
    const message = await store().manager.findOneByOrFail(MessageEntity, { entityId: created.body.id, channel: 'sms' });
    return { lead: created.body.id as number, message: message.id };
  }

  const messageOf = (id: number) => store().manager.findOneByOrFail(MessageEntity, { id });
  const runOf = async (messageId: number) => store().manager.findOneByOrFail(RobotRunEntity, { id: (await messageOf(messageId)).runId! });
  const smsTo = (phone: string) => world.peers.twilio.requests.filter((request) => request.resource === 'Messages' && request.params.To === phone);

  /** Lets the sweep run (once a minute) and waits for its pass, which goes on beside the queue. */
  async function sweepUntil(what: string, settled: () => Promise<boolean>): Promise<void> {
    await world.harness.advance(MINUTE + 1);
    await until(settled, { what });
  }

  it('an SMS Twilio took is settled as sent, one Twilio refused to deliver as failed, one it never got is sent again once', async () => {
    // Twilio creates the message, then the line is cut before its answer: taken, we never heard.
    world.peers.twilio.failNext(1, { kind: 'lost-answer' });
    const taken = await leadTexted('Анна Кузнецова', '+79161230001');
    world.peers.twilio.failNext(1, { kind: 'lost-answer' });
    const refused = await leadTexted('Олег Смирнов', '+79161230002');
    // The line is cut before Twilio created anything.
    world.peers.twilio.failNext(1, { kind: 'drop' });
    const neverGot = await leadTexted('Мария Иванова', '+79161230003');
    for (const { message } of [taken, refused, neverGot]) expect((await messageOf(message)).status).toBe('unknown');
    const refusedSid = smsTo('+79161230002')[0]!.sid!;
    world.peers.twilio.setMessageStatus(refusedSid, 'undelivered', '30003');

    await sweepUntil('the two Twilio has are settled', async () => (await messageOf(refused.message)).status !== 'unknown' && (await messageOf(taken.message)).status !== 'unknown');
    expect(await messageOf(taken.message)).toMatchObject({ status: 'sent', providerId: smsTo('+79161230001')[0]!.sid });
    expect(await runOf(taken.message)).toMatchObject({ status: 'done', reasonCode: 'done.sent' });
    expect(await messageOf(refused.message)).toMatchObject({ status: 'failed', providerId: refusedSid, error: 'Twilio: undelivered (error 30003)' });
    expect(await runOf(refused.message)).toMatchObject({ status: 'done' });
    // Not found a minute after: its request may yet be on the way, so it is not sent again yet.
    expect((await messageOf(neverGot.message)).status).toBe('unknown');

    await world.harness.advance(5 * MINUTE);
    await sweepUntil('the one Twilio never got is settled', async () => (await messageOf(neverGot.message)).status !== 'unknown');
    await world.harness.runDue();
    expect(await runOf(neverGot.message)).toMatchObject({ status: 'done' });
    expect(await messageOf(neverGot.message)).toMatchObject({ status: 'sent' });
    // Each reached Twilio's list once: the one never created was sent once more, the others never again.
    const created = (phone: string) => smsTo(phone).filter((request) => request.sid !== undefined).length;
    expect([created('+79161230001'), created('+79161230002'), created('+79161230003')]).toEqual([1, 1, 1]);
    expect(await messagesInDoubt(store())).toEqual([]);
  });

  it('a Telegram alert in doubt cannot be asked about: it stays for a person', async () => {
    world.peers.telegram.failNext(1, { kind: 'drop' });
    await root().post('/api/leads', { name: 'Игорь Соколов', phone: '8 (916) 123-00-04' }).expect(201);
    await world.harness.runDue();
    await world.harness.advance(10 * MINUTE);
    const inDoubt = await messagesInDoubt(store());
    expect(inDoubt.map((message) => message.channel)).toEqual(['telegram']);
    expect(world.peers.twilio.requests.filter((request) => request.resource === 'Messages')).toEqual([]);
  });
});
