/**
 * The one way the board talks to the server: same-origin fetch with the session cookie, the
 * CSRF token on every change, and problem+json answers turned into an ApiError.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The problem's type after `urn:robots:` (`sign-in-failed`, `move-refused:required_fields`); `network` when no answer came. */
    readonly code: string,
    readonly detail: string,
    readonly problem: Record<string, unknown> = {},
  ) {
    super(detail || code);
    this.name = 'ApiError';
  }

  /** Fields a refused move is missing (422 `move-refused:required_fields`). */
  get missingFields(): string[] {
    const missing = this.problem.missing_fields;
    return Array.isArray(missing) ? missing.filter((field): field is string => typeof field === 'string') : [];
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: () => void = () => undefined;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the API answers 401 to a signed-in page: the app shows the sign-in page. */
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

export type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
  /** The sign-in calls handle their own 401. */
  quietUnauthenticated?: boolean;
}

async function problemOf(response: Response): Promise<ApiError> {
  let problem: Record<string, unknown> = {};
  try {
    const parsed: unknown = await response.json();
    if (parsed && typeof parsed === 'object') problem = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page): the status speaks alone.
  }
  const type = typeof problem.type === 'string' ? problem.type : '';
  const code = type.startsWith('urn:robots:') ? type.slice('urn:robots:'.length) : `http-${response.status}`;
  const detail = typeof problem.detail === 'string' ? problem.detail : typeof problem.title === 'string' ? problem.title : '';
  return new ApiError(response.status, code, detail, problem);
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  // The reader's language (app.tsx keeps <html lang> on it): the server words config issues in it.
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': document.documentElement.lang || 'en' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) {
    const error = await problemOf(response);
    if (response.status === 401 && !options.quietUnauthenticated) onUnauthenticated();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
