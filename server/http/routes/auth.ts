import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Accounts } from '../../auth/accounts';
import { csrfTokenMatches, type Sessions } from '../../auth/sessions';
import { FAILURES_PER_ACCOUNT, FAILURES_PER_ADDRESS, SIGN_IN_WINDOW_MS, type SignInGuard } from '../../auth/sign-in-guard';
import { itemLink, type ItemRef } from '../../core/items';
import { verifySignInLink } from '../../core/sign-in-links';
import type { Clock } from '../../core/clock';
import type { UserRow } from '../../core/rows';
import { acceptBodies, sameOrigin } from '../edge';
import { noQuery } from '../ids';
import { HttpProblem, parse } from '../problem';
import { clearSessionCookie, readSessionCookie, writeSessionCookie } from '../session-cookie';

/** Loose on purpose: a login that cannot exist is the same 401 as one that does not. */
export const LoginInput = z.strictObject({
  login: z.string().min(1).max(200),
  password: z.string().min(1).max(4096),
});

const LinkQuery = z.strictObject({ token: z.string().min(1).max(2000) });

const WRONG_CREDENTIALS = new HttpProblem({ type: 'urn:robots:sign-in-failed', title: 'Wrong login or password', status: 401, code: 'sign_in.wrong_password' });

function userView(user: UserRow) {
  return { login: user.login, name: user.name, role: user.role, team: user.team };
}

export interface AuthRouteDeps {
  clock: Clock;
  accounts: Pick<Accounts, 'checkPassword' | 'find'>;
  sessions: Sessions;
  /** Counts wrong passwords (in the database: shared by every process, kept across restarts). */
  signInGuard: Pick<SignInGuard, 'admit' | 'succeeded'>;
  /** Signs the one-time links in alerts. */
  trackingSecret: string;
}

/**
 * Sign-in for people: a password gives a session cookie and the CSRF token its
 * writes carry; a one-time link from an alert does the same once. Machines keep bearer tokens.
 */
export function authRoutes(deps: AuthRouteDeps): Router {
  const { clock, accounts, sessions, signInGuard: guard } = deps;
  const router = Router();

  /**
   * Refused for a while after too many wrong passwords (server/auth/sign-in-guard.ts): 429 with
   * Retry-After. A try let through is counted before its password is checked.
   */
  const admit = async (request: Request, response: Response, login: string): Promise<number> => {
    const admission = await guard.admit(login, request.ip ?? 'unknown');
    if (!admission.locked) return admission.at;
    const seconds = Math.ceil(admission.retryAfterMs / 1000);
    response.set('Retry-After', String(seconds));
    const minutes = Math.ceil(seconds / 60);
    throw new HttpProblem({
      type: 'urn:robots:rate-limited',
      title: 'Too many wrong passwords',
      status: 429,
      code: 'sign_in.locked',
      scope: admission.scope,
      retry_after: seconds,
      detail:
        admission.scope === 'account'
          ? `${FAILURES_PER_ACCOUNT} wrong passwords for this login in ${SIGN_IN_WINDOW_MS / 60_000} min; try again in ${minutes} min`
          : `${FAILURES_PER_ADDRESS} wrong passwords from this address in ${SIGN_IN_WINDOW_MS / 60_000} min; try again in ${minutes} min`,
    });
  };

  router.post('/login', acceptBodies('application/json'), noQuery, async (request, response) => {
    const input = parse(LoginInput, request.body);
    const admittedAt = await admit(request, response, input.login);
    const user = await accounts.checkPassword(input.login, input.password);
    // A wrong password was counted when it was let through.
    if (!user) throw WRONG_CREDENTIALS;
    await guard.succeeded(input.login, { address: request.ip ?? 'unknown', at: admittedAt });
    const session = await sessions.open(user.login, 'password');
    writeSessionCookie(request, response, session, clock.now());
    response.set('Cache-Control', 'no-store').json({ user: userView(user), csrf_token: session.csrfToken });
  });

  router.post('/logout', noQuery, async (request, response) => {
    const cookie = readSessionCookie(request);
    // Signing someone out is a change too: another site's form must not do it (the CSRF token and our Origin).
    const session = cookie ? await sessions.resume(cookie) : null;
    if (session && (!sameOrigin(request) || !csrfTokenMatches(request.get('x-csrf-token'), session.csrfToken))) {
      throw new HttpProblem({ type: 'urn:robots:csrf', title: 'The CSRF token is missing or wrong', status: 403, code: 'csrf.token', detail: 'signing out needs the X-CSRF-Token of the session' });
    }
    if (cookie) await sessions.end(cookie);
    clearSessionCookie(request, response);
    response.status(204).end();
  });

  router.get('/me', noQuery, async (request, response) => {
    const cookie = readSessionCookie(request);
    const session = cookie ? await sessions.resume(cookie) : null;
    if (!session) throw new HttpProblem({ type: 'urn:robots:unauthenticated', title: 'Not signed in', status: 401, code: 'sign_in.required', detail: 'sign in with POST /auth/login' });
    response.set('Cache-Control', 'no-store').json({ user: userView(session.user), csrf_token: session.csrfToken });
  });

  router.get('/link', async (request, response) => {
    const { token } = parse(LinkQuery, request.query);
    // The token is in this URL: keep it out of caches and out of the next page's Referer.
    response.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    const check = verifySignInLink(token, deps.trackingSecret, clock.now());
    if (!check.ok) {
      if (check.reason === 'expired') return linkPage(response, 'This sign-in link has expired', 'Links in alerts work for 15 minutes, once.', check.item);
      return linkPage(response, 'This sign-in link is not valid', 'It may have been copied only in part, or made by another installation.');
    }
    const { claims } = check;
    if (!(await accounts.find(claims.login))) return linkPage(response, 'This sign-in link is not valid', 'Its user no longer exists.');
    const session = await sessions.openFromLink(claims);
    if (!session) return linkPage(response, 'This sign-in link was already used', 'Each link in an alert signs in once.', claims.item);
    writeSessionCookie(request, response, session, clock.now());
    response.redirect(303, itemLink('', claims.item));
  });
  return router;
}

/** A page, not a problem document: the person came from a chat, in a browser. */
function linkPage(response: Response, title: string, text: string, item?: ItemRef): void {
  const board = item ? itemLink('', item) : '/board/';
  const nonce = randomBytes(8).toString('hex');
  response
    .status(401)
    .type('html')
    .set('Content-Security-Policy', `default-src 'none'; style-src 'nonce-${nonce}'`)
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} — Robots</title>` +
        `<style nonce="${nonce}">body{font:16px/1.5 system-ui,sans-serif;color:#1d2330;background:#f3f5f9;margin:0}main{max-width:30rem;margin:4rem auto;padding:1.5rem;background:#fff;border:1px solid #d5d9e2;border-radius:6px}a{color:#2357c6}</style></head>` +
        `<body><main><h1>${title}</h1><p>${text}</p><p><a href="${board}">Sign in with your password</a>${item ? ` to open ${item.kind} #${item.id}` : ''}.</p></main></body></html>`,
    );
}
