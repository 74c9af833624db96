import type { RequestHandler } from 'express';
import { canOperate, operationWords, type Viewer } from '../auth/access';
import { csrfTokenMatches, type Sessions } from '../auth/sessions';
import type { Accounts } from '../auth/accounts';
import { HttpProblem } from './problem';
import { sameOrigin } from './edge';
import { readSessionCookie } from './session-cookie';

/** What a signed-in browser may do without its CSRF token: read. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'express-serve-static-core' {
  interface Request {
    user?: Viewer;
  }
}

/**
 * Who a token belongs to, remembered for a few seconds: every request needs it, and a role
 * change in robots.yaml reaches a live token within `ttlMs` (reload clears it at once).
 */
export class TokenCache {
  private readonly entries = new Map<string, { user: Viewer; expiresAt: number }>();

  constructor(
    private readonly ttlMs = 5000,
    private readonly capacity = 10000,
  ) {}

  async lookup(token: string, load: () => Promise<Viewer | null>): Promise<Viewer | null> {
    const now = Date.now();
    const cached = this.entries.get(token);
    if (cached && cached.expiresAt > now) return cached.user;
    const user = await load();
    if (user) {
      if (this.entries.size >= this.capacity) this.entries.clear();
      this.entries.set(token, { user, expiresAt: now + this.ttlMs });
    }
    return user;
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * `Authorization: Bearer <token>` (machines; the token's hash is looked up, the user's role
 * comes from the config), or else the board's session cookie (people), whose writes must carry
 * the session's `X-CSRF-Token`: a cookie goes with any request, a header only with our page's.
 */
export function requireUser(accounts: Pick<Accounts, 'authenticate'>, cache = new TokenCache(), sessions?: Sessions): RequestHandler {
  return async (request, _response, next) => {
    const header = request.get('authorization') ?? '';
    const cookie = header === '' && sessions ? readSessionCookie(request) : null;
    if (cookie && sessions) {
      const session = await sessions.resume(cookie);
      if (!session) throw new HttpProblem({ type: 'urn:robots:unauthenticated', title: 'The session has ended', status: 401, detail: 'sign in again (POST /auth/login)' });
      if (!SAFE_METHODS.has(request.method) && !sameOrigin(request)) {
        throw new HttpProblem({ type: 'urn:robots:cross-origin', title: 'A change from another site', status: 403, code: 'csrf.origin', detail: 'a signed-in browser changes things only from this server’s own pages' });
      }
      if (!SAFE_METHODS.has(request.method) && !csrfTokenMatches(request.get('x-csrf-token'), session.csrfToken)) {
        throw new HttpProblem({
          type: 'urn:robots:csrf',
          title: 'The CSRF token is missing or wrong',
          status: 403,
          code: 'csrf.token',
          detail: 'a signed-in browser sends X-CSRF-Token (from POST /auth/login or GET /auth/me) with every change',
        });
      }
      request.user = session.user;
      return next();
    }
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) {
      throw new HttpProblem({
        type: 'urn:robots:unauthenticated',
        title: 'A bearer token is required',
        status: 401,
        detail: 'send Authorization: Bearer <token> (robots token create <login>), or sign in (POST /auth/login)',
      });
    }
    const user = await cache.lookup(token, () => accounts.authenticate(token));
    if (!user) throw new HttpProblem({ type: 'urn:robots:unauthenticated', title: 'Unknown or revoked token', status: 401 });
    request.user = user;
    next();
  };
}

export function requireOperation(operation: string): RequestHandler {
  return (request, _response, next) => {
    if (!request.user || !canOperate(request.user, operation)) {
      const role = request.user?.role ?? 'anonymous';
      throw new HttpProblem({ type: 'urn:robots:forbidden', title: 'Forbidden', status: 403, code: 'forbidden.operation', operation, detail: `the ${role} role may not ${operationWords(operation)}` });
    }
    next();
  };
}
