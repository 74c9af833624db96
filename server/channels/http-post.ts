import { retryAfterMs } from '../core/retry-after';
import type { HttpAnswer } from '../../robots/contract';

/** An outgoing POST; the engine's default is fetch, `simulate` passes one that only records. */
export type HttpPoster = (url: string, request: { headers: Record<string, string>; body: string; timeoutMs: number }) => Promise<HttpAnswer>;

export const fetchPoster: HttpPoster = async (url, request) => {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(request.timeoutMs) });
  const retryAfter = retryAfterMs(response.headers.get('retry-after'), Date.now());
  return { status: response.status, text: await response.text(), retryAfterMs: retryAfter !== undefined && retryAfter > 0 ? retryAfter : undefined };
};
