import type { ParsedMail } from 'mailparser';
import { EmailChannel, messageIdInReply, outgoingMessageId, smtpServerFromUrl, type EmailChannelOptions } from '../../server/channels/email';
import { OutcomeUnknownError, PermanentSendError, RetryableSendError } from '../../server/core/errors';
import { SmtpPeer } from '../peers/smtp-peer';
import { unusedPort } from './loopback';
import { outgoingMessage } from './outgoing-message';
import { first } from '../support/lists';

describe('EmailChannel against a real SMTP server on loopback', () => {
  let peer: SmtpPeer;
  let smtpUrl: string;
  let channel: EmailChannel;

  const emailChannel = (overrides: Partial<EmailChannelOptions> = {}) =>
    new EmailChannel({
      smtp: smtpServerFromUrl(smtpUrl),
      from: 'Acme Sales <sales@acme.test>',
      unsubscribe: { mailto: 'unsubscribe@acme.test', url: 'https://crm.acme.test/unsubscribe/{message}' },
      ...overrides,
    });

  beforeEach(async () => {
    peer = new SmtpPeer();
    smtpUrl = (await peer.start()).url;
    channel = emailChannel();
  });

  afterEach(async () => {
    await channel.close();
    await peer.stop();
  });

  it('delivers a touch with its subject, text, HTML, our Message-ID and List-Unsubscribe', async () => {
    const message = outgoingMessage({ id: 42, subject: 'Your quote #42', body: 'Plain words', html: '<p>Rich <b>words</b></p>' });

    const receipt = await channel.send(message);

    expect(receipt).toEqual({ status: 'sent', providerId: '<robots-msg-42@acme.test>', deliveredVia: 'email' });
    expect(peer.received).toHaveLength(1);
    const mail = first(peer.received);
    expect(mail.login).toBe('robots');
    expect(mail.envelope).toEqual({ from: 'sales@acme.test', to: ['client@example.test'] });
    expect(mail.parsed.subject).toBe('Your quote #42');
    expect(mail.parsed.text?.trim()).toBe('Plain words');
    expect(mail.parsed.html).toContain('<p>Rich <b>words</b></p>');
    expect(mail.parsed.messageId).toBe('<robots-msg-42@acme.test>');
    expect(headerLine(mail.parsed, 'list-unsubscribe')).toBe('List-Unsubscribe: <mailto:unsubscribe@acme.test>, <https://crm.acme.test/unsubscribe/42>');
    expect(headerLine(mail.parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  });

  it('finds our message id again in the In-Reply-To of a reply', async () => {
    const receipt = await channel.send(outgoingMessage({ id: 77 }));

    expect(messageIdInReply(`${receipt.providerId}`)).toBe(77);
    expect(messageIdInReply('<CAF=abc@mail.gmail.com> <robots-msg-77@acme.test>')).toBe(77);
    expect(messageIdInReply('<CAF=abc@mail.gmail.com>')).toBeNull();
    expect(outgoingMessageId(77, 'acme.test')).toBe(receipt.providerId);
  });

  it('offers our own signed unsubscribe link, one-click over https, when no other is configured', async () => {
    await channel.close();
    channel = emailChannel({ unsubscribe: undefined });
    await channel.send(outgoingMessage({ id: 43, meta: { unsubscribe_url: 'https://crm.acme.test/t/u/eyJtIjo0M30.sig' } }));

    const mail = first(peer.received);
    expect(headerLine(mail.parsed, 'list-unsubscribe')).toBe('List-Unsubscribe: <https://crm.acme.test/t/u/eyJtIjo0M30.sig>');
    expect(headerLine(mail.parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  });

  it('leaves List-Unsubscribe off alerts to our own staff', async () => {
    await channel.send(outgoingMessage({ audience: 'user', recipient: 'manager@acme.test' }));

    expect(peer.received).toHaveLength(1);
    expect(headerLine(first(peer.received).parsed, 'list-unsubscribe')).toBeUndefined();
  });

  describe('when the server defers the message (4xx)', () => {
    it.each([
      ['RCPT', 450, '4.2.1 Mailbox busy, try later'],
      ['DATA', 451, '4.3.0 Local error in processing'],
      ['MAIL', 452, '4.3.1 Insufficient system storage'],
    ] as const)('a %s answered %i is retried later', async (at, code, words) => {
      peer.failNext({ kind: 'reply', at, code, message: words });

      const failure = await channel.send(outgoingMessage()).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(RetryableSendError);
      expect((failure as Error).message).toContain(words);
      expect(peer.received).toHaveLength(0);
    });
  });

  describe('when the server refuses the message (5xx)', () => {
    it.each([
      ['RCPT', 550, '5.1.1 No such user here'],
      ['DATA', 554, '5.7.1 Message rejected as spam'],
    ] as const)('a %s answered %i fails the run with the server words', async (at, code, words) => {
      peer.failNext({ kind: 'reply', at, code, message: words });

      const failure = await channel.send(outgoingMessage()).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(PermanentSendError);
      expect((failure as PermanentSendError).providerMessage).toContain(`${code} ${words}`);
    });

    it('wrong SMTP credentials fail the run instead of retrying forever', async () => {
      const wrongLogin = emailChannel({ smtp: { ...smtpServerFromUrl(smtpUrl), auth: { user: 'robots', pass: 'wrong' } } });
      try {
        const failure = await wrongLogin.send(outgoingMessage()).catch((error: unknown) => error);

        expect(failure).toBeInstanceOf(PermanentSendError);
        expect((failure as PermanentSendError).providerMessage).toContain('535');
      } finally {
        await wrongLogin.close();
      }
    });
  });

  describe('when the connection fails', () => {
    it('a connection cut before the message was accepted is retried', async () => {
      peer.failNext({ kind: 'drop-at-mail-from' });

      const failure = await channel.send(outgoingMessage()).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(RetryableSendError);
      expect(peer.received).toHaveLength(0);
    });

    it('a server nobody answers on is retried', async () => {
      const closedPort = await unusedPort();
      const nowhere = emailChannel({ smtp: { ...smtpServerFromUrl(smtpUrl), port: closedPort } });
      try {
        const failure = await nowhere.send(outgoingMessage()).catch((error: unknown) => error);

        expect(failure).toBeInstanceOf(RetryableSendError);
        expect((failure as Error).message).toMatch(/ECONNREFUSED/);
      } finally {
        await nowhere.close();
      }
    });

    it('a connection cut after the whole message went out is an unknown outcome, not a failure to resend', async () => {
      peer.failNext({ kind: 'drop-after-data' });

      const failure = await channel.send(outgoingMessage({ subject: 'Maybe delivered' })).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(OutcomeUnknownError);
      expect(peer.unconfirmed.map((mail) => mail.parsed.subject)).toEqual(['Maybe delivered']);
    });

    it('the pool sends the next message after a dropped connection', async () => {
      peer.failNext({ kind: 'drop-after-data' });
      await channel.send(outgoingMessage()).catch(() => undefined);

      await channel.send(outgoingMessage({ subject: 'Next touch' }));

      expect(peer.received.map((mail) => mail.parsed.subject)).toEqual(['Next touch']);
    });
  });
});

describe('smtpServerFromUrl', () => {
  it.each([
    ['smtp://user:p%40ss@127.0.0.1:2525', { host: '127.0.0.1', port: 2525, secure: false, requireTLS: false, auth: { user: 'user', pass: 'p@ss' } }],
    ['smtps://mail.example.com', { host: 'mail.example.com', port: 465, secure: true, requireTLS: false, auth: undefined }],
    ['smtp://mail.example.com?requireTLS=true', { host: 'mail.example.com', port: 587, secure: false, requireTLS: true, auth: undefined }],
  ])('reads %s', (url, expected) => {
    expect(smtpServerFromUrl(url)).toEqual(expected);
  });

  it('refuses a URL that is not SMTP', () => {
    expect(() => smtpServerFromUrl('https://mail.example.com')).toThrow(/smtp:\/\/ or smtps:\/\//);
  });
});

/** The header as it was written, unfolded (mailparser merges the List-* headers into one object). */
function headerLine(mail: ParsedMail, key: string): string | undefined {
  return mail.headerLines.find((line) => line.key === key)?.line.replace(/\r?\n[ \t]+/g, ' ');
}
