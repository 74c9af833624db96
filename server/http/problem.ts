import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { ConfigError, ForbiddenError, InvalidRequestError, MoveRefusedError, NotFoundError } from '../engine/errors';

/** RFC 9457 problem details: every error the API returns has this shape. */
export interface Problem {
  type: string;
  title: string;
  status: number;
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
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
  }
}

/** Parses a body or query with its zod schema; a failure is a 400 listing every failing field. */
export function parse<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new RequestValidationError(
    result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: [...issue.path, key].join('.'), message: 'unknown field' }))
        : [{ path: issue.path.join('.') || '(body)', message: issue.message }],
    ),
  );
}

function problemFor(error: unknown): Problem {
  if (error instanceof HttpProblem) return error.problem;
  if (error instanceof RequestValidationError) {
    return { type: 'urn:robots:invalid-request', title: 'The request is invalid', status: 400, detail: error.message, errors: error.issues };
  }
  if (error instanceof InvalidRequestError) return { type: 'urn:robots:invalid-request', title: 'The request is invalid', status: 400, detail: error.message };
  if (error instanceof MoveRefusedError) {
    return {
      type: `urn:robots:move-refused:${error.details.code}`,
      title: 'The move was refused',
      status: 422,
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
      detail: error.message,
      errors: error.issues.map((issue) => ({ path: issue.path, message: issue.message, line: issue.line, col: issue.col, file: issue.file })),
    };
  }
  if (error instanceof NotFoundError) return { type: 'urn:robots:not-found', title: 'Not found', status: 404, detail: error.message };
  if (error instanceof ForbiddenError) return { type: 'urn:robots:forbidden', title: 'Forbidden', status: 403, detail: error.message };
  const status = (error as { status?: number; type?: string }).status;
  if (status === 400 && (error as { type?: string }).type === 'entity.parse.failed') {
    return { type: 'urn:robots:invalid-json', title: 'The body is not valid JSON', status: 400, detail: (error as Error).message };
  }
  if (status === 413) return { type: 'urn:robots:too-large', title: 'The body is too large', status: 413 };
  return { type: 'urn:robots:internal', title: 'Internal error', status: 500 };
}

export const problemHandler: ErrorRequestHandler = (error, request, response, _next) => {
  const problem = problemFor(error);
  if (problem.status >= 500) request.log?.error({ err: error }, 'request failed');
  response.status(problem.status).type('application/problem+json').send(JSON.stringify({ ...problem, instance: request.originalUrl }));
};

export const notFoundHandler: RequestHandler = (request, _response, next) => {
  next(new NotFoundError(`no route ${request.method} ${request.path}`));
};

declare module 'express-serve-static-core' {
  interface Request {
    log?: { error(object: unknown, message: string): void };
  }
}
