import type { HttpAnswer } from './ports';

/** An outgoing POST; the engine's default is fetch, `simulate` passes one that only records. */
export type HttpPoster = (url: string, request: { headers: Record<string, string>; body: string; timeoutMs: number }) => Promise<HttpAnswer>;

export const fetchPoster: HttpPoster = async (url, request) => {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(request.timeoutMs) });
  const retryAfter = Number(response.headers.get('retry-after'));
  return { status: response.status, text: await response.text(), retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined };
};
