import nodemailer from 'nodemailer';
import { OutcomeUnknownError, PermanentSendError, RetryableSendError } from '../core/errors';
import type { Channel, OutgoingMessage, SendReceipt } from './channel';

export interface SmtpServer {
  host: string;
  port: number;
  /** TLS from the first byte (port 465, `smtps://`). */
  secure: boolean;
  /** Refuse to send unless the server upgrades with STARTTLS. */
  requireTLS: boolean;
  auth?: { user: string; pass: string };
}

export interface EmailChannelOptions {
  smtp: SmtpServer;
  /** `Sales <sales@example.com>` or a bare address. */
  from: string;
  /** The right-hand side of our Message-IDs; defaults to the domain of `from`. */
  messageIdDomain?: string;
  /** What a client's mail program offers as "unsubscribe"; `{message}` in the URL becomes our message id. */
  unsubscribe?: { mailto?: string; url?: string };
  /** nodemailer's pool: connections kept open (default 5) and mails sent over each (default 100). */
  pool?: { maxConnections?: number; maxMessages?: number };
}

/** `smtp://user:pass@host:587` or `smtps://…:465`; `?requireTLS=true` insists on STARTTLS. */
export function smtpServerFromUrl(url: string): SmtpServer {
  const parsed = new URL(url);
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new Error(`SMTP_URL must start with smtp:// or smtps://, not ${parsed.protocol}//`);
  }
  const secure = parsed.protocol === 'smtps:';
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    requireTLS: parsed.searchParams.get('requireTLS') === 'true',
    auth: parsed.username ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } : undefined,
  };
}

/** The Message-ID a reply's In-Reply-To/References will carry back to us. */
export function outgoingMessageId(messageId: number, domain: string): string {
  return `<robots-msg-${messageId}@${domain}>`;
}

/** Our message id inside an In-Reply-To or References header, or null when it is not one of ours. */
export function messageIdInReply(header: string): number | null {
  const match = /<robots-msg-(\d+)@[^>]+>/.exec(header);
  return match ? Number(match[1]) : null;
}

/** What nodemailer puts on its errors (smtp-connection's _formatError). */
interface SmtpFailure extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/** Codes nodemailer gives to mistakes in the message itself: resending cannot help. */
const MALFORMED = new Set(['EENVELOPE', 'EMESSAGE', 'ECONFIG', 'EAUTH', 'ENOAUTH', 'EMAXRECIPIENTS', 'EREQUIRETLS']);

export class EmailChannel implements Channel {
  readonly name = 'email';
  private readonly transport;
  private readonly messageIdDomain: string;
  /** Sends whose body has been handed to the server, by Message-ID: after that a dropped line is an unknown outcome. */
  private readonly bodyHandedOver = new Map<string, boolean>();

  constructor(private readonly options: EmailChannelOptions) {
    this.messageIdDomain = options.messageIdDomain ?? domainOf(options.from);
    this.transport = nodemailer.createTransport({
      pool: true,
      maxConnections: options.pool?.maxConnections ?? 5,
      maxMessages: options.pool?.maxMessages ?? 100,
      host: options.smtp.host,
      port: options.smtp.port,
      secure: options.smtp.secure,
      requireTLS: options.smtp.requireTLS,
      auth: options.smtp.auth,
    });
    // The body is streamed only after the server answered DATA with 354; once it has all
    // been read, the server may have queued the mail even if its 250 never reaches us.
    this.transport.use('stream', (mail, done) => {
      const messageIdHeader = mail.data.messageId;
      if (messageIdHeader && this.bodyHandedOver.has(messageIdHeader)) {
        mail.message.processFunc((body) => body.once('end', () => this.bodyHandedOver.set(messageIdHeader, true)));
      }
      done();
    });
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    const messageIdHeader = outgoingMessageId(message.id, this.messageIdDomain);
    this.bodyHandedOver.set(messageIdHeader, false);
    try {
      const info = await this.transport.sendMail({
        from: this.options.from,
        to: message.recipient,
        subject: message.subject ?? undefined,
        text: message.body,
        html: message.html ?? undefined,
        messageId: messageIdHeader,
        headers: this.unsubscribeHeaders(message),
      });
      return { status: 'sent', providerId: info.messageId, deliveredVia: 'email' };
    } catch (error) {
      throw classifySmtpFailure(error as SmtpFailure, this.bodyHandedOver.get(messageIdHeader) === true);
    } finally {
      this.bodyHandedOver.delete(messageIdHeader);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }

  /**
   * Only client touches carry it: a manager's alert is not a mailing to opt out of. The link is a
   * configured one (EMAIL_UNSUBSCRIBE_URL), else our own signed link, which records the opt-out in
   * the consent register.
   */
  private unsubscribeHeaders(message: OutgoingMessage): Record<string, string> {
    const { mailto, url } = this.options.unsubscribe ?? {};
    const ours = typeof message.meta?.unsubscribe_url === 'string' ? message.meta.unsubscribe_url : undefined;
    if (message.audience !== 'client' || (!mailto && !url && !ours)) return {};
    const targets: string[] = [];
    if (mailto) targets.push(`<mailto:${mailto.replace(/^mailto:/, '')}>`);
    const personalUrl = url?.replaceAll('{message}', String(message.id)) ?? ours;
    if (personalUrl) targets.push(`<${personalUrl}>`);
    const headers: Record<string, string> = { 'List-Unsubscribe': targets.join(', ') };
    // RFC 8058 one-click unsubscribe, which Gmail and Yahoo ask of bulk senders; https only.
    if (personalUrl?.startsWith('https://')) headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    return headers;
  }
}

/**
 * SMTP reply codes say it all when there is one: 4xx is "try later", 5xx is "never". Without a
 * reply, what matters is whether the server could have taken the message already.
 */
function classifySmtpFailure(error: SmtpFailure, bodyHandedOver: boolean): Error {
  const serverWords = error.response ?? error.message;
  if (error.responseCode && error.responseCode >= 500) {
    return new PermanentSendError('the mail server refused the message', serverWords);
  }
  if (error.responseCode && error.responseCode >= 400) {
    return new RetryableSendError(`the mail server deferred the message: ${serverWords}`);
  }
  if (bodyHandedOver) {
    return new OutcomeUnknownError(`the connection to the mail server dropped after the message was sent and before it was confirmed (${error.message})`);
  }
  if (error.code && MALFORMED.has(error.code)) {
    return new PermanentSendError('the message could not be sent', error.message);
  }
  return new RetryableSendError(`the mail server could not be reached: ${error.message}`);
}

function domainOf(from: string): string {
  const match = /@([^>\s]+)>?\s*$/.exec(from);
  const domain = match?.[1];
  if (!domain) throw new Error(`EMAIL_FROM has no domain to put in Message-IDs: ${from}`);
  return domain;
}
