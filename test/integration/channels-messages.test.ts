import request from 'supertest';
import { testDatabaseKinds } from '../support/databases';
import { DAY, MINUTE } from '../support/harness';
import { signedEmailHeaders, startChannelsWorld, TELEGRAM_SECRET, type ChannelsWorld } from '../channels/real-channels';
import { first } from '../support/lists';

interface TimelineEntry {
  kind: string;
  summary: string;
  robot?: string;
  status?: string;
  detail?: string | null;
  channel?: string;
  direction?: string;
  type?: string;
  event_type?: string;
}

describe.each(testDatabaseKinds())('real channels on %s', (kind) => {
  let world: ChannelsWorld;
  beforeEach(async () => {
    world = await startChannelsWorld(kind);
  });
  afterEach(async () => {
    await world.close();
  });

  const root = () => world.harness.as('root');

  async function createLead(body: object = {}) {
    const response = await root()
      .post('/api/leads', { name: 'Ivan Petrov', phone: '+79161234567', email: 'ivan@example.com', ...body })
      .expect(201);
    return response.body as { id: number };
  }

  async function moveTo(id: number, stage: string) {
    await root().post(`/api/leads/${id}/move`, { stage }).expect(200);
    await world.harness.runDue();
  }

  async function messagesOf(id: number) {
    const response = await root().get(`/api/messages?item=lead:${id}`).expect(200);
    return response.body.messages as Array<{ id: number; channel: string; direction: string; status: string; error: string | null; recipient: string; provider_id?: string; meta: Record<string, unknown> }>;
  }

  async function timelineOf(id: number): Promise<TimelineEntry[]> {
    const response = await root().get(`/api/leads/${id}/timeline`).expect(200);
    return response.body.timeline;
  }

  it('an email, an SMS and a Telegram alert with buttons leave through the real adapters', async () => {
    const lead = await createLead();
    await world.harness.runDue();
    const alerts = world.peers.telegram.callsOf('sendMessage');
    expect(alerts.map((call) => call.payload.chat_id).sort()).toEqual(['1000', '1001', '1002']);
    const keyboard = (first(alerts).payload.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data?: string; url?: string }>> }).inline_keyboard;
    expect(keyboard.flat()).toEqual([
      expect.objectContaining({ callback_data: `take:lead:${lead.id}` }),
      expect.objectContaining({ callback_data: `call:lead:${lead.id}` }),
      // PUBLIC_URL over public_url: the same base Twilio calls back; Open signs the manager in once (test/integration/sign-in.test.ts).
      expect.objectContaining({ url: expect.stringMatching(new RegExp(`^${world.publicUrl}/auth/link\\?token=`)) }),
    ]);

    await moveTo(lead.id, 'emailing');
    expect(world.peers.smtp.received).toHaveLength(1);
    const mail = first(world.peers.smtp.received);
    expect(mail.envelope.to).toEqual(['ivan@example.com']);
    expect(mail.parsed.subject).toBe('Your quote, Ivan Petrov');
    expect(mail.parsed.messageId).toMatch(/^<robots-msg-\d+@acme\.test>$/);

    await moveTo(lead.id, 'texting');
    const sms = world.peers.twilio.requests.filter((sent) => sent.resource === 'Messages');
    expect(sms).toHaveLength(1);
    expect(first(sms).params).toMatchObject({ To: '+79161234567', From: '+15005550006', Body: 'Ivan Petrov, here is your quote' });
    expect(first(sms).params.StatusCallback).toMatch(new RegExp(`^${world.publicUrl}/webhooks/twilio/sms-status\\?message=\\d+$`));

    const messages = await messagesOf(lead.id);
    expect(messages.filter((message) => message.channel === 'telegram').map((message) => message.status)).toEqual(['sent', 'sent', 'sent']);
    expect(messages.find((message) => message.channel === 'email')).toMatchObject({ status: 'sent' });
    expect(messages.find((message) => message.channel === 'sms')).toMatchObject({ status: 'sent' });
  });

  it('an email written as text reaches the client as text and HTML, and opening it is an email_opened event', async () => {
    const lead = await createLead();
    await moveTo(lead.id, 'emailing');
    const mail = first(world.peers.smtp.received);
    expect(mail.parsed.text?.trim()).toBe('Hello Ivan Petrov, your quote is attached.');
    expect(mail.parsed.html).toContain('<p>Hello Ivan Petrov, your quote is attached.</p>');
    const pixel = /<img src="([^"]+\/t\/o\/[^"]+\.gif)"/.exec(String(mail.parsed.html))?.[1];
    expect(pixel).toBeDefined();
    await request(world.harness.app)
      .get(new URL(pixel as string).pathname)
      .expect(200)
      .expect('Content-Type', 'image/gif');
    const events = (await root().get(`/api/events?item=lead:${lead.id}`).expect(200)).body.events as Array<{ type: string }>;
    expect(events.map((event) => event.type)).toContain('email_opened');
  });

  describe('when Twilio reports an SMS status', () => {
    it('a signed status callback marks the SMS delivered; an unsigned or forged one is 401 and changes nothing', async () => {
      const lead = await createLead();
      await moveTo(lead.id, 'texting');
      const sent = world.peers.twilio.requests.find((entry) => entry.resource === 'Messages');
      const callbackUrl = sent?.params.StatusCallback as string;

      const delivered = await world.peers.twilio.reportMessageStatus(sent?.sid as string, 'delivered');
      expect(delivered.status).toBe(204);
      expect((await messagesOf(lead.id)).find((message) => message.channel === 'sms')).toMatchObject({ status: 'delivered' });

      const path = new URL(callbackUrl).pathname + new URL(callbackUrl).search;
      const unsigned = await request(world.harness.app).post(path).type('form').send({ MessageSid: sent?.sid, MessageStatus: 'failed', ErrorCode: '30003' });
      expect(unsigned.status).toBe(401);
      expect(unsigned.headers['content-type']).toMatch(/application\/problem\+json/);
      const forged = await request(world.harness.app).post(path).set('X-Twilio-Signature', 'bm90IGEgc2lnbmF0dXJl').type('form').send({ MessageSid: sent?.sid, MessageStatus: 'failed' });
      expect(forged.status).toBe(401);
      expect((await messagesOf(lead.id)).find((message) => message.channel === 'sms')).toMatchObject({ status: 'delivered', error: null });
    });

    it('undelivered is recorded as failed with Twilio’s error code', async () => {
      const lead = await createLead();
      await moveTo(lead.id, 'texting');
      const sent = world.peers.twilio.requests.find((entry) => entry.resource === 'Messages');
      await world.peers.twilio.reportMessageStatus(sent?.sid as string, 'undelivered', '30003');
      expect((await messagesOf(lead.id)).find((message) => message.channel === 'sms')).toMatchObject({ status: 'failed', error: 'Twilio: undelivered (error 30003)' });
    });
  });

  describe('when the client replies by SMS during a cadence', () => {
    it('a reply cancels the remaining touches with reason "client replied" and shows on the timeline', async () => {
      const lead = await createLead();
      await moveTo(lead.id, 'cadence');
      await world.harness.advance(DAY + MINUTE);
      expect(world.peers.twilio.requests.filter((entry) => entry.resource === 'Messages')).toHaveLength(1);

      const reply = await world.peers.twilio.postSigned(`${world.publicUrl}/webhooks/twilio/sms-inbound`, {
        AccountSid: world.peers.twilio.accountSid,
        MessageSid: 'SM' + 'a'.repeat(32),
        From: '+79161234567',
        To: '+15005550006',
        Body: 'Yes, call me tomorrow',
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('<Response>');

      await world.harness.advance(7 * DAY);
      expect(world.peers.twilio.requests.filter((entry) => entry.resource === 'Messages')).toHaveLength(1);
      const timeline = await timelineOf(lead.id);
      const touches = timeline.filter((entry) => entry.kind === 'run' && entry.robot?.startsWith('touch_'));
      expect(touches.map((entry) => [entry.robot, entry.status, entry.detail])).toEqual([
        ['touch_1d', 'done', expect.stringContaining('sms to +79161234567')],
        ['touch_3d', 'cancelled', 'client replied'],
        ['touch_5d', 'cancelled', 'client replied'],
        ['touch_7d', 'cancelled', 'client replied'],
      ]);
      expect(timeline.find((entry) => entry.kind === 'message' && entry.direction === 'in')).toMatchObject({ channel: 'sms', summary: 'received sms from +79161234567: delivered' });
    });

    it('STOP opts the number out of SMS, and a later SMS touch is skipped with that reason', async () => {
      const lead = await createLead();
      await moveTo(lead.id, 'cadence');
      await world.peers.twilio.postSigned(`${world.publicUrl}/webhooks/twilio/sms-inbound`, {
        AccountSid: world.peers.twilio.accountSid,
        MessageSid: 'SM' + 'b'.repeat(32),
        From: '+79161234567',
        To: '+15005550006',
        Body: 'STOP',
      });
      await moveTo(lead.id, 'texting');
      expect(world.peers.twilio.requests.filter((entry) => entry.resource === 'Messages')).toHaveLength(0);
      const timeline = await timelineOf(lead.id);
      expect(timeline.find((entry) => entry.robot === 'sms_now')).toMatchObject({ status: 'skipped', detail: 'the client opted out of sms (+79161234567), or it needs their opt-in' });
    });

    it.each([
      ['an inbound SMS without a sender', '/webhooks/twilio/sms-inbound', { Body: 'hello' }],
      ['a call status for a call id that is not a number', '/webhooks/twilio/voice-status?call=abc', { CallStatus: 'completed' }],
      ['a call status for an id past 2^31', '/webhooks/twilio/voice-status?call=2147483648', { CallStatus: 'completed' }],
      ['a call status without CallStatus', '/webhooks/twilio/voice-status?call=1', { CallSid: 'CA1' }],
    ])('%s, signed by Twilio, is a 400 problem and nothing is recorded', async (_, path, params) => {
      const lead = await createLead();
      const answer = await world.peers.twilio.postSigned(`${world.publicUrl}${path}`, params);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 400 });
      expect((await messagesOf(lead.id)).filter((message) => message.direction === 'in')).toHaveLength(0);
    });

    it('a Telegram update that is not an update, with the right secret, is a 400 problem', async () => {
      const response = await request(world.harness.app)
        .post('/webhooks/telegram')
        .set('x-telegram-bot-api-secret-token', TELEGRAM_SECRET)
        .send({ update_id: 'one', message: { text: 'hi' } });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ status: 400 });
    });

    it('an unsigned inbound SMS is 401 and nothing is recorded', async () => {
      const lead = await createLead();
      const response = await request(world.harness.app).post('/webhooks/twilio/sms-inbound').type('form').send({ From: '+79161234567', Body: 'STOP', MessageSid: 'SM1' });
      expect(response.status).toBe(401);
      expect((await messagesOf(lead.id)).filter((message) => message.direction === 'in')).toHaveLength(0);
    });
  });

  describe('when mail comes back', () => {
    it('a reply is matched to the lead by In-Reply-To even from another address', async () => {
      const lead = await createLead();
      await moveTo(lead.id, 'emailing');
      const ours = first(world.peers.smtp.received).parsed.messageId as string;
      const raw = [
        'From: Ivan at work <ivan.petrov@work.example>',
        'To: sales@acme.test',
        'Subject: Re: Your quote, Ivan Petrov',
        `In-Reply-To: ${ours}`,
        `References: ${ours}`,
        'Message-ID: <reply-1@work.example>',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Thanks, the price works for us.',
        '',
      ].join('\r\n');
      await request(world.harness.app).post('/webhooks/email/inbound').set(signedEmailHeaders(raw, world.harness.clock.now())).send(raw).expect(202);
      const inbound = (await messagesOf(lead.id)).find((message) => message.direction === 'in');
      expect(inbound).toMatchObject({ channel: 'email', recipient: 'ivan.petrov@work.example', status: 'delivered' });
      const timeline = await timelineOf(lead.id);
      expect(timeline.find((entry) => entry.kind === 'event' && entry.event_type === 'message_inbound')).toBeDefined();
    });

    it('a bounce marks the original email failed with the reason instead of counting as a reply', async () => {
      const lead = await createLead();
      await moveTo(lead.id, 'emailing');
      const ours = first(world.peers.smtp.received).parsed.messageId as string;
      const raw = [
        'From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>',
        'To: sales@acme.test',
        'Subject: Undelivered Mail Returned to Sender',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        '--b1',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.com',
        '',
        'Final-Recipient: rfc822; ivan@example.com',
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
        '',
        '--b1',
        'Content-Type: text/rfc822-headers',
        '',
        `Message-ID: ${ours}`,
        'Subject: Your quote, Ivan Petrov',
        '',
        '--b1--',
        '',
      ].join('\r\n');
      const answer = await request(world.harness.app).post('/webhooks/email/inbound').set(signedEmailHeaders(raw, world.harness.clock.now())).send(raw).expect(202);
      expect(answer.body).toMatchObject({ kind: 'bounce', reason: 'smtp; 550 5.1.1 user unknown' });
      const messages = await messagesOf(lead.id);
      expect(messages.filter((message) => message.direction === 'in')).toHaveLength(0);
      expect(messages.find((message) => message.channel === 'email')).toMatchObject({ status: 'failed', error: 'bounced: smtp; 550 5.1.1 user unknown' });
    });

    it('inbound mail signed with the wrong secret, or stale, is 401 and nothing is written', async () => {
      const lead = await createLead();
      const raw = 'From: ivan@example.com\r\nSubject: hi\r\n\r\nSTOP\r\n';
      await request(world.harness.app)
        .post('/webhooks/email/inbound')
        .set(signedEmailHeaders(raw, world.harness.clock.now(), 'wrong'))
        .send(raw)
        .expect(401);
      await request(world.harness.app)
        .post('/webhooks/email/inbound')
        .set(signedEmailHeaders(raw, world.harness.clock.now() - 6 * MINUTE))
        .send(raw)
        .expect(401);
      await request(world.harness.app).post('/webhooks/email/inbound').set('content-type', 'message/rfc822').send(raw).expect(401);
      expect((await messagesOf(lead.id)).filter((message) => message.direction === 'in')).toHaveLength(0);
    });
  });

  describe('in quiet hours', () => {
    it('an SMS touch due at 22:00 waits for 09:00, visible on the timeline, while email goes at once', async () => {
      const lead = await createLead();
      world.harness.clock.advance(13 * 60 * MINUTE); // Monday 22:00 Moscow
      await moveTo(lead.id, 'texting');
      expect(world.peers.twilio.requests).toHaveLength(0);
      expect((await timelineOf(lead.id)).find((entry) => entry.robot === 'sms_now')).toMatchObject({
        status: 'scheduled',
        detail: 'quiet hours 21:00–09:00 (Europe/Moscow): sms touch moved to 2026-03-03T06:00:00.000Z',
      });
      await moveTo(lead.id, 'emailing');
      expect(world.peers.smtp.received).toHaveLength(1);

      await moveTo(lead.id, 'texting');
      await world.harness.advance(11 * 60 * MINUTE); // Tuesday 09:00
      expect(world.peers.twilio.requests.filter((entry) => entry.resource === 'Messages')).toHaveLength(1);
    });
  });

  describe('when a provider is in trouble', () => {
    it('a 429 with Retry-After is retried after that delay, and the SMS goes out once', async () => {
      const lead = await createLead();
      world.peers.twilio.failNext(1, { kind: 'status', status: 429, retryAfterSeconds: 120 });
      await moveTo(lead.id, 'texting');
      let run = (await timelineOf(lead.id)).find((entry) => entry.robot === 'sms_now');
      expect(run).toMatchObject({ status: 'failed' });
      await world.harness.advance(MINUTE);
      expect(world.peers.twilio.requests.filter((entry) => entry.resource === 'Messages')).toHaveLength(1);
      await world.harness.advance(2 * MINUTE);
      run = (await timelineOf(lead.id)).find((entry) => entry.robot === 'sms_now');
      expect(run).toMatchObject({ status: 'done' });
      const requests = world.peers.twilio.requests.filter((entry) => entry.resource === 'Messages');
      expect(requests).toHaveLength(2);
      expect(requests.filter((entry) => entry.sid)).toHaveLength(1);
    });

    it('a Telegram 5xx is retried and the alert is delivered once; a dropped line is unknown and never resent', async () => {
      world.peers.telegram.failNext(2, { kind: 'server-error' });
      const lead = await createLead();
      await world.harness.runDue();
      expect((await timelineOf(lead.id)).find((entry) => entry.robot === 'new_alert')).toMatchObject({ status: 'failed' });
      await world.harness.advance(10 * MINUTE);
      expect((await timelineOf(lead.id)).find((entry) => entry.robot === 'new_alert')).toMatchObject({ status: 'done', attempts: 3 });
      const delivered = world.peers.telegram.callsOf('sendMessage');
      // Two refused, then one each for the three recipients; none twice.
      expect(delivered).toHaveLength(5);
      expect(new Set(delivered.slice(2).map((call) => call.payload.chat_id)).size).toBe(3);

      world.peers.telegram.failNext(1, { kind: 'drop' });
      const second = await createLead({ phone: '+79161234568', email: 'b@example.com' });
      await world.harness.runDue();
      await world.harness.advance(30 * MINUTE);
      expect((await timelineOf(second.id)).find((entry) => entry.robot === 'new_alert')).toMatchObject({ status: 'unknown' });
      expect(world.peers.telegram.callsOf('sendMessage')).toHaveLength(6);
    });
  });
});
