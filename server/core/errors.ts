/**
 * Errors are values that say what happens next (STYLE §5): the runner and the HTTP layer
 * branch on the class, never on message text.
 */

export interface ConfigIssue {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
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

/** Why a move was refused; the API answers `urn:robots:move-refused:<code>`. */
export const REFUSAL_CODES = ['unknown_stage', 'loop_guard', 'required_fields', 'reason_required', 'refused_by_mismatch'] as const;
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
  constructor(message: string) {
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
