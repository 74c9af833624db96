import type { RequestHandler } from 'express';
import { authenticate } from '../auth/users';
import { canOperate, type Viewer } from '../auth/access';
import type { Store } from '../db/store';
import { HttpProblem } from './problem';

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

  constructor(private readonly ttlMs = 5000, private readonly capacity = 10000) {}

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

/** `Authorization: Bearer <token>`; the token's hash is looked up, the user's role comes from the config. */
export function requireUser(store: Store, cache = new TokenCache()): RequestHandler {
  return async (request, _response, next) => {
    const header = request.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      throw new HttpProblem({ type: 'urn:robots:unauthenticated', title: 'A bearer token is required', status: 401, detail: 'send Authorization: Bearer <token> (robots token create <login>)' });
    }
    const user = await cache.lookup(match[1], () => authenticate(store, match[1]));
    if (!user) throw new HttpProblem({ type: 'urn:robots:unauthenticated', title: 'Unknown or revoked token', status: 401 });
    request.user = user;
    next();
  };
}

export function requireOperation(operation: string): RequestHandler {
  return (request, _response, next) => {
    if (!request.user || !canOperate(request.user, operation)) {
      throw new HttpProblem({ type: 'urn:robots:forbidden', title: 'Forbidden', status: 403, detail: `role ${request.user?.role ?? 'anonymous'} may not ${operation.replace('.', ' ')}` });
    }
    next();
  };
}
