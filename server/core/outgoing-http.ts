/** An answer to an outgoing POST (the webhook robot's), as far as retrying it needs. */
export interface HttpAnswer {
  status: number;
  text: string;
  /** From a Retry-After header, in milliseconds. */
  retryAfterMs?: number;
}

/** An outgoing POST; the default is fetch (server/channels/http-post.ts), `simulate` passes one that only records. */
export type HttpPoster = (url: string, request: { headers: Record<string, string>; body: string; timeoutMs: number }) => Promise<HttpAnswer>;
