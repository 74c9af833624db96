/**
 * Errors are values that say what happens next (STYLE §5): the runner and the HTTP layer
 * branch on the class, never on message text.
 */

export interface ConfigIssue {
  file: string;
  line: number;
  col: number;
  path: string;
  /** In English, as `robots validate` prints it. */
  message: string;
  /** What config/messages.ts words it by, in any language (a stable code and what fills it). */
  code?: string;
  params?: Record<string, string | number | string[]>;
}

export function formatConfigIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.col} ${issue.path}: ${issue.message}`;
}

/** The YAML is wrong: show every issue with its position; the running config stays. */
export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatConfigIssue).join('\n'));
    this.name = 'ConfigError';
  }
}

/**
 * Why a move was refused; the API answers `urn:robots:move-refused:<code>` with `code: move.<code>`.
 * manual_not_allowed, role_not_allowed and reopen_not_allowed are the stage's guard rails (403);
 * the others say what the move lacks (422).
 */
export const REFUSAL_CODES = [
  'unknown_stage',
  'loop_guard',
  'required_fields',
  'reason_required',
  'refused_by_mismatch',
  'manual_not_allowed',
  'role_not_allowed',
  'reopen_not_allowed',
  'reopen_comment_required',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** A move the pipeline rules refuse (missing required fields, no reason for a lost stage…). */
export class MoveRefusedError extends Error {
  constructor(
    message: string,
    readonly details: { missingFields?: string[]; allowedReasons?: string[]; code: RefusalCode },
  ) {
    super(message);
    this.name = 'MoveRefusedError';
  }
}

/**
 * The stable machine codes of API errors (`code` in the problem document): a UI translates them,
 * `detail` stays English for logs and API users. Dotted: the area, then what went wrong.
 */
export type ForbiddenCode =
  'forbidden' | 'forbidden.item_write' | 'forbidden.assign' | 'forbidden.item_create' | 'forbidden.deals_first_line' | 'forbidden.funnel' | 'forbidden.operation' | 'forbidden.task_write' | 'forbidden.event_log';

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The item is no longer as the request assumed (moved meanwhile): answered 409. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class ForbiddenError extends Error {
  constructor(
    message: string,
    readonly code: ForbiddenCode = 'forbidden',
  ) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** Bad data given to a command (not the schema's 400, but a rule such as an unknown login). */
export class InvalidRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** Bad number, blocked bot, rejected address: fail the run now with the provider's words. */
export class PermanentSendError extends Error {
  constructor(
    message: string,
    readonly providerMessage?: string,
  ) {
    super(message);
    this.name = 'PermanentSendError';
  }
}

/** Timeout, 5xx, 429: try again later, after `retryAfterMs` when the provider said so. */
export class RetryableSendError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableSendError';
  }
}

/** The request left and no answer came: mark the run `unknown`, never resend blindly. */
export class OutcomeUnknownError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutcomeUnknownError';
  }
}

/** The database cannot be used now (its file is gone or replaced, its server away): a client retries later (503). */
export class DatabaseUnavailableError extends Error {
  readonly code = 'DATABASE_UNAVAILABLE';
}
