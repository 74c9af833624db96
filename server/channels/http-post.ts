import { retryAfterMs } from '../core/retry-after';
import type { HttpPoster } from '../core/outgoing-http';

/** The webhook robot's outgoing POST over fetch, with the provider's Retry-After kept for the retry. */
export const fetchPoster: HttpPoster = async (url, request) => {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(request.timeoutMs) });
  const retryAfter = retryAfterMs(response.headers.get('retry-after'), Date.now());
  return { status: response.status, text: await response.text(), retryAfterMs: retryAfter !== undefined && retryAfter > 0 ? retryAfter : undefined };
};
