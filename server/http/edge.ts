import { randomUUID } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import express, { type Request, type RequestHandler } from 'express';
import { HttpProblem } from './problem';

/**
 * The edge: what every request is checked for before a route sees it (DESIGN "Bad input": a
 * hostile request is a 4xx problem, nothing is written, never a 5xx). Bad percent-encoding or
 * UTF-8, NUL bytes, keys that name built-in properties of JavaScript objects (`__proto__`,
 * `constructor`, `toString`…) and bodies of a type the door does not take are refused here.
 */

declare module 'express-serve-static-core' {
  interface Request {
    /** The caller's `X-Request-Id` when it is sane, else ours; echoed in the response and in problems. */
    requestId?: string;
  }
}

const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Keys that would reach an object's prototype or shadow its methods: never a field of ours. */
const BUILT_IN_KEYS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

interface InputIssue {
  path: string;
  message: string;
}

function invalidEncoding(detail: string): HttpProblem {
  return new HttpProblem({ type: 'urn:robots:invalid-encoding', title: 'The request is not valid UTF-8 or percent-encoding', status: 400, detail });
}

function hostileInput(issue: InputIssue): HttpProblem {
  return new HttpProblem({ type: 'urn:robots:invalid-request', title: 'The request is invalid', status: 400, detail: `${issue.path}: ${issue.message}`, errors: [issue] });
}

function stringIssue(text: string, path: string): InputIssue | null {
  return text.includes('\u0000') ? { path, message: 'NUL bytes are not allowed' } : null;
}

function keyIssue(key: string, path: string): InputIssue | null {
  if (BUILT_IN_KEYS.has(key)) return { path, message: `"${key}" is not allowed as a name` };
  return stringIssue(key, path);
}

/** No body of ours nests this deep; a deeper one would only serve to exhaust the stack later (JSON.stringify). */
const MAX_BODY_DEPTH = 32;

/**
 * The first NUL byte, built-in key or nesting past MAX_BODY_DEPTH anywhere in a parsed body.
 * Iterative, so a deeply nested body cannot overflow the stack (JSON.parse accepts any depth).
 */
function hostileValueIssue(value: unknown, root = '(body)'): InputIssue | null {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, path, depth } = pending.pop() as { value: unknown; path: string; depth: number };
    if (depth > MAX_BODY_DEPTH) return { path, message: `nested deeper than ${MAX_BODY_DEPTH} levels` };
    if (typeof current === 'string') {
      const issue = stringIssue(current, path);
      if (issue) return issue;
    } else if (Array.isArray(current)) {
      current.forEach((element, index) => pending.push({ value: element, path: `${path}[${index}]`, depth: depth + 1 }));
    } else if (current !== null && typeof current === 'object' && !Buffer.isBuffer(current)) {
      for (const key of Object.keys(current)) {
        const child = path === root ? key : `${path}.${key}`;
        const issue = keyIssue(key, child);
        if (issue) return issue;
        pending.push({ value: (current as Record<string, unknown>)[key], path: child, depth: depth + 1 });
      }
    }
  }
  return null;
}

function decodeComponent(text: string, latin1: boolean): string | null {
  const plain = text.replace(/\+/g, ' ');
  if (latin1) {
    if (/%(?![0-9A-Fa-f]{2})/.test(plain)) return null;
    return plain.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  try {
    return decodeURIComponent(plain);
  } catch {
    return null;
  }
}

/** `a=1&b=2` as a query string or an urlencoded body: valid percent-encoding, no NUL, no built-in keys. */
function formEncodedIssue(text: string, where: 'query' | 'body', latin1 = false): HttpProblem | null {
  if (text === '') return null;
  for (const pair of text.split('&')) {
    const equals = pair.indexOf('=');
    const key = decodeComponent(equals === -1 ? pair : pair.slice(0, equals), latin1);
    const value = equals === -1 ? '' : decodeComponent(pair.slice(equals + 1), latin1);
    if (key === null || value === null) return invalidEncoding(`the ${where} has invalid percent-encoding near "${pair.slice(0, 40)}"`);
    const issue = keyIssue(key, `${where}.${key}`) ?? stringIssue(value, `${where}.${key}`);
    if (issue) return hostileInput(issue);
  }
  return null;
}

function urlIssue(url: string): HttpProblem | null {
  const question = url.indexOf('?');
  const path = question === -1 ? url : url.slice(0, question);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return invalidEncoding('the path has invalid percent-encoding');
  }
  if (decoded.includes('\u0000')) return hostileInput({ path: '(path)', message: 'NUL bytes are not allowed' });
  return question === -1 ? null : formEncodedIssue(url.slice(question + 1), 'query');
}

/**
 * First on every request: gives it an id (the caller's `X-Request-Id` if sane, else a new
 * UUID), echoes it, and refuses a path or query that is not clean text.
 */
export function requestContext(): RequestHandler {
  return (request, response, next) => {
    const given = request.get('x-request-id');
    request.requestId = given && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    response.set('X-Request-Id', request.requestId);
    next(urlIssue(request.originalUrl) ?? undefined);
  };
}

/**
 * Headers of every answer: the board's page runs only our own scripts (the built app has no
 * inline script) and talks only to us; no page of ours is framed (clickjacking); referrers stay
 * on our origin; a browser never guesses a content type. Pages with a nonce of their own (the
 * sign-in link page) replace the policy.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Preact sets styles through the DOM (allowed); Chart.js may write a style attribute.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(): RequestHandler {
  return (_request, response, next) => {
    response.set({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'same-origin',
      'X-Content-Type-Options': 'nosniff',
    });
    next();
  };
}

/**
 * A browser's write with our session cookie must come from our own page: when it says where it
 * comes from (Origin), that must be this server (behind a proxy, its Host / X-Forwarded-Host).
 */
export function sameOrigin(request: Request): boolean {
  const origin = request.get('origin');
  if (!origin || origin === 'null') return origin === undefined;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  return host === request.get('x-forwarded-host') || host === request.get('host');
}

/** The largest body any door takes (JSON and signed webhooks: 256 KiB; forms take less). */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * A body declared larger than any door takes is refused at once, before a byte of it is read:
 * the body parsers, refusing it, would first drain it to the end (a 10 GB Content-Length sending
 * 12 bytes held the answer for minutes). The connection is closed after the 413.
 */
export function refuseOversizedBodies(maxBytes = MAX_BODY_BYTES): RequestHandler {
  return (request, response, next) => {
    const declared = request.headers['content-length'];
    if (declared === undefined || !/^\d+$/.test(declared) || Number(declared) <= maxBytes) return next();
    response.set('Connection', 'close');
    response.on('finish', () => request.socket.destroy());
    next(
      new HttpProblem({ type: 'urn:robots:too-large', title: 'The body is too large', status: 413, code: 'request.too_large', detail: `a request body may be at most ${maxBytes} bytes; this one declares ${declared}` }),
    );
  };
}

/** A body is present when it has a length or is chunked; an empty POST needs no content type. */
function hasContent(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function unsupportedMediaType(request: Request, accepted: string[]): HttpProblem {
  return new HttpProblem({
    type: 'urn:robots:unsupported-media-type',
    title: 'Unsupported content type',
    status: 415,
    detail: `send ${accepted.join(' or ')} (got ${request.get('content-type') || 'no content type'})`,
  });
}

/** Refuses a body whose type the route does not read (it would be ignored, not refused). */
export function acceptBodies(...types: string[]): RequestHandler {
  return (request, _response, next) => {
    if (hasContent(request) && !request.is(types)) return next(unsupportedMediaType(request, types));
    next();
  };
}

function utf8Only(_request: IncomingMessage, _response: unknown, raw: Buffer): void {
  if (!isUtf8(raw)) throw invalidEncoding('the body is not valid UTF-8');
}

function formEncodedOnly(request: IncomingMessage, _response: unknown, raw: Buffer, encoding: string): void {
  const latin1 = /^(iso-8859-1|latin1)$/i.test(encoding ?? '');
  if (!latin1) utf8Only(request, _response, raw);
  const problem = formEncodedIssue(raw.toString(latin1 ? 'latin1' : 'utf8'), 'body', latin1);
  if (problem) throw problem;
}

/** After a body parser: NUL bytes and built-in keys anywhere in the parsed body are a 400. */
const refuseHostileBody: RequestHandler = (request, _response, next) => {
  const issue = request.body && typeof request.body === 'object' ? hostileValueIssue(request.body) : null;
  next(issue ? hostileInput(issue) : undefined);
};

/** JSON bodies, UTF-8 only, checked for hostile content. */
export function jsonBodies(limit = '256kb'): RequestHandler[] {
  return [express.json({ limit, verify: utf8Only }), refuseHostileBody];
}

/** urlencoded bodies (web forms, Twilio): valid encoding, no NUL, no built-in keys. */
export function formBodies(limit = '64kb'): RequestHandler[] {
  return [express.urlencoded({ extended: false, limit, verify: formEncodedOnly }), refuseHostileBody];
}

/** Raw bodies that must be JSON (signed hooks parse after the signature check). */
export function parseJsonText(raw: Buffer): { ok: true; value: unknown } | { ok: false; problem: HttpProblem } {
  if (!isUtf8(raw)) return { ok: false, problem: invalidEncoding('the body is not valid UTF-8') };
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    return { ok: false, problem: new HttpProblem({ type: 'urn:robots:invalid-json', title: 'The body is not valid JSON', status: 400, detail: (error as Error).message }) };
  }
  const issue = hostileValueIssue(value);
  return issue ? { ok: false, problem: hostileInput(issue) } : { ok: true, value };
}

const jsonOnly = acceptBodies('application/json');
const jsonOrForm = acceptBodies('application/json', 'application/x-www-form-urlencoded');

/** What each door takes as a body; provider webhooks and signed hooks check their own. */
export const doorBodies: RequestHandler = (request, response, next) => {
  const path = request.path;
  if (path.startsWith('/api/') || path.startsWith('/t/')) return jsonOnly(request, response, next);
  if (path.startsWith('/forms/')) return jsonOrForm(request, response, next);
  next();
};
