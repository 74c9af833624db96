import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { SmsChannel, type SmsChannelOptions } from '../../server/channels/sms';
import { OutcomeUnknownError, PermanentSendError, RetryableSendError } from '../../server/core/errors';
import { INVALID_TEST_NUMBER, TwilioPeer } from '../peers/twilio-peer';
import { unusedPort } from './loopback';
import { outgoingMessage } from './outgoing-message';
import { first } from '../support/lists';

describe('SmsChannel through the twilio library against a loopback Twilio', () => {
  let peer: TwilioPeer;
  let apiBase: string;

  const smsChannel = (overrides: Partial<SmsChannelOptions> = {}) =>
    new SmsChannel({
      accountSid: peer.accountSid,
      authToken: peer.authToken,
      apiBase,
      from: '+15005550006',
      statusCallbackUrl: 'https://crm.acme.test/webhooks/twilio/sms-status',
      ...overrides,
    });

  const sms = (overrides = {}) => outgoingMessage({ channel: 'sms', recipient: '+14155550123', subject: null, body: 'Hi Anna, your quote is ready', ...overrides });

  beforeEach(async () => {
    peer = new TwilioPeer();
    apiBase = (await peer.start()).url;
  });

  afterEach(async () => {
    await peer.stop();
  });

  it('creates the message with To, From, Body and a status callback naming our message, and keeps its SID', async () => {
    const receipt = await smsChannel().send(sms({ id: 321 }));

    expect(peer.requests).toHaveLength(1);
    const request = first(peer.requests);
    expect(request.resource).toBe('Messages');
    expect(request.params).toEqual({
      To: '+14155550123',
      From: '+15005550006',
      Body: 'Hi Anna, your quote is ready',
      StatusCallback: 'https://crm.acme.test/webhooks/twilio/sms-status?message=321',
    });
    expect(receipt).toEqual({ status: 'sent', providerId: request.sid, deliveredVia: 'sms' });
    expect(receipt.providerId).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('lets a Messaging Service pick the sender when TWILIO_FROM is an MG… SID', async () => {
    await smsChannel({ from: 'MG' + '1'.repeat(32) }).send(sms());

    expect(first(peer.requests).params.MessagingServiceSid).toBe('MG' + '1'.repeat(32));
    expect(first(peer.requests).params.From).toBeUndefined();
  });

  it('asks for no status callback when we have no public URL', async () => {
    await smsChannel({ statusCallbackUrl: undefined }).send(sms());

    expect(first(peer.requests).params.StatusCallback).toBeUndefined();
  });

  it('429 is retried after the Retry-After Twilio gave', async () => {
    peer.failNext(1, { kind: 'status', status: 429, retryAfterSeconds: 7 });

    const failure = await smsChannel()
      .send(sms())
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RetryableSendError);
    expect((failure as RetryableSendError).retryAfterMs).toBe(7000);
    expect((failure as Error).message).toContain('Too Many Requests');
  });

  it('a Twilio outage (500) is retried', async () => {
    peer.failNext(1, { kind: 'status', status: 500 });

    const failure = await smsChannel()
      .send(sms())
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RetryableSendError);
    expect((failure as RetryableSendError).retryAfterMs).toBeUndefined();
  });

  it('an invalid number (21211) fails the run with Twilio’s words', async () => {
    const failure = await smsChannel()
      .send(sms({ recipient: INVALID_TEST_NUMBER }))
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PermanentSendError);
    expect((failure as PermanentSendError).providerMessage).toBe(`21211 The 'To' number ${INVALID_TEST_NUMBER} is not a valid phone number.`);
  });

  it('wrong credentials (20003) fail the run', async () => {
    const failure = await smsChannel({ authToken: 'not-the-token' })
      .send(sms())
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PermanentSendError);
    expect((failure as PermanentSendError).providerMessage).toBe('20003 Authenticate');
  });

  it('a connection cut after the request went out is an unknown outcome', async () => {
    peer.failNext(1, { kind: 'drop' });

    const failure = await smsChannel()
      .send(sms())
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(OutcomeUnknownError);
    expect(peer.requests).toHaveLength(1);
  });

  it('a Twilio nobody answers on is retried', async () => {
    const nowhere = smsChannel({ apiBase: `http://127.0.0.1:${await unusedPort()}` });

    const failure = await nowhere.send(sms()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RetryableSendError);
    expect((failure as Error).message).toMatch(/ECONNREFUSED/);
  });
});

describe('TwilioPeer status callbacks', () => {
  let peer: TwilioPeer;
  let webhook: Server;
  let webhookUrl: string;
  const received: Array<{ valid: boolean; params: Record<string, string> }> = [];

  beforeAll(async () => {
    peer = new TwilioPeer();
    const { url } = await peer.start();
    // Stands in for our webhook: validates exactly as the server will, with twilio's helper.
    webhook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(body));
        const valid = twilio.validateRequest(peer.authToken, String(request.headers['x-twilio-signature']), `${webhookUrl}${request.url?.slice(1) ?? ''}`, params);
        received.push({ valid, params });
        response.writeHead(valid ? 204 : 401).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', () => resolve()));
    webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/`;
    const channel = new SmsChannel({ accountSid: peer.accountSid, authToken: peer.authToken, apiBase: url, from: '+15005550006', statusCallbackUrl: `${webhookUrl}sms-status` });
    await channel.send(outgoingMessage({ id: 9, channel: 'sms', recipient: '+14155550123' }));
  });

  afterAll(async () => {
    await peer.stop();
    webhook.closeAllConnections();
    await new Promise<void>((resolve) => webhook.close(() => resolve()));
  });

  it('reports a delivery signed the way Twilio signs, which twilio.validateRequest accepts', async () => {
    const sid = first(peer.requests).sid as string;

    const answer = await peer.reportMessageStatus(sid, 'delivered');

    expect(answer.status).toBe(204);
    expect(received.at(-1)).toEqual({
      valid: true,
      params: expect.objectContaining({ MessageSid: sid, MessageStatus: 'delivered', To: '+14155550123', AccountSid: peer.accountSid }),
    });
  });

  it('a callback signed with another token is refused', async () => {
    const forged = await new TwilioPeer(peer.accountSid, 'another-token').postSigned(`${webhookUrl}sms-status?message=9`, { MessageStatus: 'delivered' });

    expect(forged.status).toBe(401);
  });
});
