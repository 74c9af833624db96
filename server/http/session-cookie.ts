import type { CookieOptions, Request, Response } from 'express';

/** The board's session cookie (server/auth/sessions.ts): a random id, only its hash is stored. */
const SESSION_COOKIE = 'robots_session';

/**
 * HttpOnly: page scripts never see it. SameSite=Lax: other sites' pages cannot send it with a
 * POST (writes also need X-CSRF-Token). Secure when the request came over HTTPS — behind a
 * proxy that terminates TLS, express knows it from X-Forwarded-Proto when TRUST_PROXY is set.
 */
function cookieOptions(request: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: request.secure };
}

export function readSessionCookie(request: Request): string | null {
  for (const part of (request.get('cookie') ?? '').split(';')) {
    const equals = part.indexOf('=');
    if (equals !== -1 && part.slice(0, equals).trim() === SESSION_COOKIE) {
      const value = part.slice(equals + 1).trim();
      // Ours are base64url; anything else was never issued here.
      return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null;
    }
  }
  return null;
}

export function writeSessionCookie(request: Request, response: Response, session: { cookie: string; expiresAt: number }, now: number): void {
  response.cookie(SESSION_COOKIE, session.cookie, { ...cookieOptions(request), maxAge: Math.max(0, session.expiresAt - now) });
}

export function clearSessionCookie(request: Request, response: Response): void {
  response.clearCookie(SESSION_COOKIE, cookieOptions(request));
}
