import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { ConfigError, ConflictError, DatabaseUnavailableError, ForbiddenError, InvalidRequestError, MoveRefusedError, NotFoundError, type RefusalCode } from '../core/errors';

/**
 * RFC 9457 problem details: every error the API returns has this shape. `code` is the stable
 * machine word a UI translates (docs/roles-and-api.md lists them); `detail` is English for logs.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code?: string;
  detail?: string;
  errors?: Array<{ path: string; message: string }>;
  [extension: string]: unknown;
}

export class HttpProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

export class RequestValidationError extends Error {
  constructor(readonly issues: Array<{ path: string; message: string }>) {
    const named = issues.slice(0, 10).map((issue) => `${issue.path}: ${issue.message}`);
    super([...named, ...(issues.length > named.length ? [`and ${issues.length - named.length} more`] : [])].join('; '));
  }
}

/** Parses a body or query with its zod schema; a failure is a 400 listing every failing field. */
export function parse<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new RequestValidationError(
    result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys' ? issue.keys.map((key) => ({ path: [...issue.path, key].join('.'), message: 'unknown field' })) : [{ path: issue.path.join('.') || '(body)', message: issue.message }],
    ),
  );
}

/** The stage's guard rails: who may move by hand at all. Not a missing field: a 403. */
const GUARD_RAILS: ReadonlySet<RefusalCode> = new Set(['manual_not_allowed', 'role_not_allowed', 'reopen_not_allowed']);

function problemFor(error: unknown): Problem {
  // A problem written without a code gets its type's last word: `urn:robots:rate-limited` → `rate_limited`.
  if (error instanceof HttpProblem) return { ...error.problem, code: error.problem.code ?? error.problem.type.replace(/^urn:robots:/, '').replace(/-/g, '_') };
  if (error instanceof RequestValidationError) {
    return { type: 'urn:robots:invalid-request', title: 'The request is invalid', status: 400, code: 'validation', detail: error.message, errors: error.issues };
  }
  if (error instanceof InvalidRequestError) return { type: 'urn:robots:invalid-request', title: 'The request is invalid', status: 400, code: 'validation', detail: error.message };
  if (error instanceof MoveRefusedError) {
    return {
      type: `urn:robots:move-refused:${error.details.code}`,
      title: 'The move was refused',
      status: GUARD_RAILS.has(error.details.code) ? 403 : 422,
      code: `move.${error.details.code}`,
      detail: error.message,
      ...(error.details.missingFields ? { missing_fields: error.details.missingFields } : {}),
      ...(error.details.allowedReasons ? { allowed_reasons: error.details.allowedReasons } : {}),
    };
  }
  if (error instanceof ConfigError) {
    return {
      type: 'urn:robots:config-invalid',
      title: 'The config is invalid; the running config stays',
      status: 422,
      code: 'config.invalid',
      detail: error.message,
      errors: error.issues.map((issue) => ({ path: issue.path, message: issue.message, line: issue.line, col: issue.col, file: issue.file, code: issue.code, params: issue.params })),
    };
  }
  if (error instanceof NotFoundError) return { type: 'urn:robots:not-found', title: 'Not found', status: 404, code: 'not_found', detail: error.message };
  if (error instanceof ForbiddenError) return { type: 'urn:robots:forbidden', title: 'Forbidden', status: 403, code: error.code, detail: error.message };
  if (error instanceof ConflictError) return { type: 'urn:robots:conflict', title: 'Conflict', status: 409, code: 'conflict', detail: error.message };
  // Errors of the body parser and the router (http-errors): a 4xx they chose to expose.
  const { status, type, expose } = error as { status?: unknown; type?: unknown; expose?: unknown };
  if (status === 400 && type === 'entity.parse.failed') {
    return { type: 'urn:robots:invalid-json', title: 'The body is not valid JSON', status: 400, code: 'validation.json', detail: (error as Error).message };
  }
  if (status === 413) return { type: 'urn:robots:too-large', title: 'The body is too large', status: 413, code: 'request.too_large' };
  if (status === 415) return { type: 'urn:robots:unsupported-media-type', title: 'Unsupported content type', status: 415, code: 'request.media_type', detail: (error as Error).message };
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500 && expose !== false) {
    return { type: 'urn:robots:bad-request', title: 'The request could not be read', status, code: 'request.unreadable', detail: (error as Error).message };
  }
  if (databaseUnavailable(error)) {
    return {
      type: 'urn:robots:database-unavailable',
      title: 'The database does not answer',
      status: 503,
      code: 'database.unavailable',
      detail: error instanceof DatabaseUnavailableError ? error.message : 'try again in a few seconds',
    };
  }
  return { type: 'urn:robots:internal', title: 'Internal error', status: 500, code: 'internal' };
}

/** Errors that say the database is away (not that a query was wrong): a client should retry, so 503. */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  'DATABASE_UNAVAILABLE', // core/errors.ts: the SQLite file gone or replaced
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_MISUSE', // the connection was closed under us
]);

export function databaseUnavailable(error: unknown): boolean {
  for (let cause = error as { code?: unknown; driverError?: unknown; message?: unknown } | undefined, depth = 0; cause && depth < 4; depth += 1) {
    if (typeof cause.code === 'string' && UNAVAILABLE_CODES.has(cause.code)) return true;
    if (
      typeof cause.message === 'string' &&
      /Connection terminated|the database is closing|DataSource is not initialized|Connection is not established|Connection with .* is not established|pool is probably full|Cannot use a pool after calling end|^Driver not Connected$/i.test(
        cause.message,
      )
    )
      return true;
    cause = cause.driverError as typeof cause;
  }
  return false;
}

/** A problem lists this many errors at most (20,000 unknown keys made a 1.9 MB answer); the rest are counted. */
export const MAX_LISTED_ERRORS = 50;

function capErrors(problem: Problem): Problem {
  const errors = (problem as { errors?: unknown[] }).errors;
  if (!Array.isArray(errors) || errors.length <= MAX_LISTED_ERRORS) return problem;
  return { ...problem, errors: errors.slice(0, MAX_LISTED_ERRORS), errors_not_listed: errors.length - MAX_LISTED_ERRORS } as Problem;
}

/**
 * Every error as problem+json with the request's id; a 5xx is logged with that id and the
 * stack (pino's `err` serializer), so a user quoting the id finds the trace.
 */
export function problemHandler(logger: Pick<Logger, 'error'>): ErrorRequestHandler {
  return (error, request, response, next) => {
    const problem = capErrors(problemFor(error));
    if (problem.status === 503) response.set('Retry-After', '5');
    if (problem.status >= 500) {
      logger.error({ err: error, request_id: request.requestId, method: request.method, url: request.originalUrl }, 'request failed');
    }
    // Too late for a problem body: let express close the connection.
    if (response.headersSent) return next(error);
    response
      .status(problem.status)
      .type('application/problem+json')
      .send(JSON.stringify({ ...problem, instance: request.originalUrl, ...(request.requestId ? { request_id: request.requestId } : {}) }));
  };
}

export const notFoundHandler: RequestHandler = (request, _response, next) => {
  next(new NotFoundError(`no route ${request.method} ${request.path}`));
};
