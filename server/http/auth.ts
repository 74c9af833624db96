import type { RequestHandler } from 'express';
import { authenticate } from '../auth/users';
import { canOperate } from '../auth/access';
import type { UserRow } from '../db/entities';
import type { Store } from '../db/store';
import { HttpProblem } from './problem';

declare module 'express-serve-static-core' {
  interface Request {
    user?: UserRow;
  }
}

/** `Authorization: Bearer <token>`; the token's hash is looked up, the user's role comes from the config. */
export function requireUser(store: Store): RequestHandler {
  return async (request, _response, next) => {
    const header = request.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      throw new HttpProblem({ type: 'urn:robots:unauthenticated', title: 'A bearer token is required', status: 401, detail: 'send Authorization: Bearer <token> (robots token create <login>)' });
    }
    const user = await authenticate(store, match[1]);
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
