import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import { OutcomeUnknownError, PermanentSendError, RetryableSendError } from '../core/errors';
import { retryAfterMs } from '../core/retry-after';

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  /**
   * Where the REST API is, when it is not https://api.twilio.com: the loopback peer in tests
   * and in a newcomer's demo. Region/edge only rename the twilio.com host, so they cannot.
   */
  apiBase?: string;
  /** Milliseconds before an unanswered request is given up (its outcome is then unknown). */
  timeoutMs?: number;
}

/**
 * The library's own extension point for changing how requests go out is a custom `httpClient`
 * (twilio-node advanced-examples/custom-http-client.md; maintainers' answer in twilio-node#326).
 * This one moves `https://*.twilio.com` to `apiBase`, and reads Retry-After, which the
 * library's RestException drops along with the other response headers.
 */
class TwilioHttpClient extends twilio.RequestClient {
  constructor(
    private readonly apiBase: string | undefined,
    timeoutMs: number | undefined,
  ) {
    super({ timeout: timeoutMs });
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const uri = this.apiBase ? rebase(opts.uri, this.apiBase) : opts.uri;
    const response = await super.request<TData>({ ...opts, uri });
    if (response.statusCode === 429 || response.statusCode >= 500) {
      throw new RetryableSendError(`Twilio answered ${response.statusCode}: ${twilioWords(response.body)}`, retryAfterMs(response.headers?.['retry-after'], Date.now()));
    }
    return response;
  }
}

export function createTwilioClient(credentials: TwilioCredentials): twilio.Twilio {
  return twilio(credentials.accountSid, credentials.authToken, {
    httpClient: new TwilioHttpClient(credentials.apiBase, credentials.timeoutMs),
  });
}

/** Connection errors that mean the request never reached Twilio, so sending again is safe. */
const NEVER_LEFT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Maps what the twilio library throws onto what the runner does next: 4xx is Twilio's refusal
 * (bad number 21211, unsubscribed 21610…), a request that left without an answer is unknown.
 */
export function classifyTwilioFailure(error: unknown): Error {
  if (error instanceof RetryableSendError || error instanceof PermanentSendError || error instanceof OutcomeUnknownError) return error;
  if (error instanceof twilio.RestException) {
    const words = error.code ? `${error.code} ${error.message}` : error.message;
    return new PermanentSendError(`Twilio refused the request (HTTP ${error.status})`, words);
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NEVER_LEFT.has(code)) {
    return new RetryableSendError(`Twilio could not be reached: ${(error as Error).message}`);
  }
  if (typeof code === 'string') {
    return new OutcomeUnknownError(`the connection to Twilio broke before it answered (${code}): ${(error as Error).message}`);
  }
  return error as Error;
}

function rebase(uri: string, apiBase: string): string {
  const original = new URL(uri);
  if (!original.hostname.endsWith('.twilio.com')) return uri;
  return apiBase.replace(/\/+$/, '') + original.pathname + original.search;
}

function twilioWords(body: unknown): string {
  if (body && typeof body === 'object' && 'message' in body) return String((body as { message: unknown }).message);
  return typeof body === 'string' && body ? body : 'no details';
}
