import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

export type TwilioResource = 'Messages' | 'Calls';

export interface TwilioRequest {
  resource: TwilioResource;
  /** The form parameters as Twilio names them: To, From, Body, StatusCallback, Url… */
  params: Record<string, string>;
  /** The SID the peer gave the created message or call; absent when it answered with an error. */
  sid?: string;
}

/**
 * What the next requests meet instead of a 201: an HTTP error in Twilio's shape, a cut line
 * (nothing created), or a cut line after the message was created (`lost-answer`: Twilio has it,
 * the sender never heard).
 */
export type TwilioFault = { kind: 'status'; status: 429 | 500 | 503; retryAfterSeconds?: number } | { kind: 'drop' } | { kind: 'lost-answer' };

export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'failed' | 'undelivered';
export type CallStatus = 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';

/** Twilio's magic test number that its test credentials always refuse as invalid. */
export const INVALID_TEST_NUMBER = '+15005550001';

const API_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/;
const MESSAGE_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/(SM[0-9a-f]{32})\.json$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * An HTTP server on loopback speaking the part of Twilio's REST API we use, with its response
 * shapes and error bodies ({code, message, more_info, status}), so the twilio library runs
 * unmodified against it. It also plays Twilio's side of the webhooks: status callbacks signed
 * with the account's auth token, the way Twilio signs them.
 */
export class TwilioPeer {
  readonly requests: TwilioRequest[] = [];
  private readonly faults: TwilioFault[] = [];
  /** Messages' statuses as Twilio would report them when asked (queued until told otherwise). */
  private readonly statuses = new Map<string, { status: MessageStatus; errorCode?: string; createdAt: Date }>();
  private readonly server: Server;
  private baseUrl = '';

  constructor(
    readonly accountSid = 'AC' + 'f'.repeat(32),
    readonly authToken = 'peer-auth-token',
  ) {
    this.server = createServer((request, response) => void this.answer(request, response));
  }

  async start(): Promise<{ url: string; port: number }> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return { url: this.baseUrl, port };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `count` API requests meet this fault. */
  failNext(count: number, fault: TwilioFault): this {
    for (let i = 0; i < count; i++) this.faults.push(fault);
    return this;
  }

  /** What Twilio answers about a message when asked (GET), without posting a callback. */
  setMessageStatus(messageSid: string, status: MessageStatus, errorCode?: string): void {
    const known = this.statuses.get(messageSid);
    if (!known) throw new Error(`the Twilio peer created nothing with SID ${messageSid}`);
    this.statuses.set(messageSid, { ...known, status, errorCode });
  }

  /** Posts a message status to the StatusCallback the message was created with, signed like Twilio. */
  async reportMessageStatus(messageSid: string, status: MessageStatus, errorCode?: string): Promise<{ status: number; body: string }> {
    const created = this.created(messageSid);
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      ApiVersion: '2010-04-01',
      From: created.params.From ?? '',
      To: created.params.To ?? '',
      MessageSid: messageSid,
      SmsSid: messageSid,
      MessageStatus: status,
      SmsStatus: status,
      ...(errorCode ? { ErrorCode: errorCode } : {}),
    };
    return this.postSigned(requireCallback(created, 'StatusCallback'), params);
  }

  /** Posts a call progress event to the call's StatusCallback, signed like Twilio. */
  async reportCallStatus(callSid: string, status: CallStatus, extra: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    const created = this.created(callSid);
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      ApiVersion: '2010-04-01',
      CallSid: callSid,
      CallStatus: status,
      Direction: 'outbound-api',
      From: created.params.From ?? '',
      To: created.params.To ?? '',
      ...extra,
    };
    return this.postSigned(requireCallback(created, 'StatusCallback'), params);
  }

  /**
   * A form POST carrying X-Twilio-Signature, computed by the twilio library's own helper:
   * HMAC-SHA1 over the URL followed by the sorted parameters, keyed by the auth token.
   */
  async postSigned(url: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
    const signature = twilio.getExpectedTwilioSignature(this.authToken, url, params);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, body: await response.text() };
  }

  private created(sid: string): TwilioRequest {
    const created = this.requests.find((request) => request.sid === sid);
    if (!created) throw new Error(`the Twilio peer created nothing with SID ${sid}`);
    return created;
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(request));
    const url = new URL(request.url ?? '/', this.baseUrl);
    if (request.method === 'GET') return this.lookUp(request, url, response);
    const route = API_PATH.exec(url.pathname);
    if (request.method !== 'POST' || !route) return twilioError(response, 404, 20404, 'The requested resource was not found');
    if (!this.authorized(request) || route[1] !== this.accountSid) return twilioError(response, 401, 20003, 'Authenticate');

    const resource = route[2] as TwilioResource;
    const recorded: TwilioRequest = { resource, params: Object.fromEntries(form) };
    this.requests.push(recorded);

    const fault = this.faults.shift();
    if (fault?.kind === 'lost-answer' && resource === 'Messages') {
      recorded.sid = sid('SM');
      this.statuses.set(recorded.sid, { status: 'queued', createdAt: new Date() });
      request.socket.destroy();
      return;
    }
    if (fault?.kind === 'drop') {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      if (fault.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(fault.retryAfterSeconds));
      return fault.status === 429 ? twilioError(response, 429, 20429, 'Too Many Requests') : twilioError(response, fault.status, 20500, 'An internal server error has occurred');
    }

    const to = recorded.params.To ?? '';
    if (!E164.test(to) || to === INVALID_TEST_NUMBER) {
      return twilioError(response, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    }
    if (resource === 'Messages') {
      if (!recorded.params.From && !recorded.params.MessagingServiceSid) return twilioError(response, 400, 21603, "A 'From' phone number is required.");
      if (!recorded.params.Body) return twilioError(response, 400, 21602, 'Message body is required.');
      recorded.sid = sid('SM');
      this.statuses.set(recorded.sid, { status: 'queued', createdAt: new Date() });
      return json(response, 201, this.messageResource(recorded.sid, recorded.params));
    }
    if (!recorded.params.From) return twilioError(response, 400, 21213, "No 'From' number is specified");
    if (!recorded.params.Url && !recorded.params.Twiml && !recorded.params.ApplicationSid) {
      return twilioError(response, 400, 21205, 'Url parameter is required.');
    }
    recorded.sid = sid('CA');
    return json(response, 201, this.callResource(recorded.sid, recorded.params));
  }

  /**
   * GET a message by SID, or the list of messages (newest first) filtered by To and From, in
   * Twilio's page shape: what a sender asks when it does not know whether its request arrived.
   */
  private lookUp(request: IncomingMessage, url: URL, response: ServerResponse): void {
    const one = MESSAGE_PATH.exec(url.pathname);
    const list = API_PATH.exec(url.pathname);
    const account = one?.[1] ?? (list?.[2] === 'Messages' ? list[1] : undefined);
    if (account === undefined) return twilioError(response, 404, 20404, 'The requested resource was not found');
    if (!this.authorized(request) || account !== this.accountSid) return twilioError(response, 401, 20003, 'Authenticate');
    const created = this.requests.filter((sent) => sent.resource === 'Messages' && sent.sid !== undefined && this.statuses.has(sent.sid));
    if (one) {
      const found = created.find((sent) => sent.sid === one[2]);
      return found
        ? json(response, 200, this.messageResource(found.sid!, found.params))
        : twilioError(response, 404, 20404, `The requested resource /2010-04-01/Accounts/${account}/Messages/${one[2]}.json was not found`);
    }
    const to = url.searchParams.get('To');
    const from = url.searchParams.get('From');
    const pageSize = Number(url.searchParams.get('PageSize') ?? 50);
    const matching = created.filter((sent) => (to === null || sent.params.To === to) && (from === null || sent.params.From === from)).reverse();
    const path = `/2010-04-01/Accounts/${account}/Messages.json`;
    return json(response, 200, {
      messages: matching.slice(0, pageSize).map((sent) => this.messageResource(sent.sid!, sent.params)),
      end: Math.min(pageSize, matching.length) - 1,
      first_page_uri: `${path}?PageSize=${pageSize}&Page=0`,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
      uri: `${path}?PageSize=${pageSize}&Page=0`,
    });
  }

  private authorized(request: IncomingMessage): boolean {
    const expected = 'Basic ' + Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64');
    return request.headers.authorization === expected;
  }

  private messageResource(messageSid: string, params: Record<string, string>): Record<string, unknown> {
    const known = this.statuses.get(messageSid);
    const now = (known?.createdAt ?? new Date()).toUTCString();
    return {
      account_sid: this.accountSid,
      api_version: '2010-04-01',
      body: params.Body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: known?.errorCode ? Number(known.errorCode) : null,
      error_message: null,
      from: params.From ?? null,
      messaging_service_sid: params.MessagingServiceSid ?? null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid: messageSid,
      status: known && known.status !== 'queued' ? known.status : params.MessagingServiceSid ? 'accepted' : 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${this.accountSid}/Messages/${messageSid}/Media.json` },
      to: params.To,
      uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${messageSid}.json`,
    };
  }

  private callResource(callSid: string, params: Record<string, string>): Record<string, unknown> {
    const now = new Date().toUTCString();
    return {
      account_sid: this.accountSid,
      annotation: null,
      answered_by: null,
      api_version: '2010-04-01',
      caller_name: null,
      date_created: now,
      date_updated: now,
      direction: 'outbound-api',
      duration: null,
      end_time: null,
      forwarded_from: null,
      from: params.From,
      from_formatted: params.From,
      group_sid: null,
      parent_call_sid: null,
      phone_number_sid: null,
      price: null,
      price_unit: 'USD',
      sid: callSid,
      start_time: null,
      status: 'queued',
      subresource_uris: {},
      to: params.To,
      to_formatted: params.To,
      uri: `/2010-04-01/Accounts/${this.accountSid}/Calls/${callSid}.json`,
    };
  }
}

function requireCallback(created: TwilioRequest, param: string): string {
  const url = created.params[param];
  if (!url) throw new Error(`${created.resource} ${created.sid} was created without a ${param}`);
  return url;
}

function sid(prefix: 'SM' | 'CA'): string {
  return prefix + randomBytes(16).toString('hex');
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function twilioError(response: ServerResponse, status: number, code: number, message: string): void {
  json(response, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}
