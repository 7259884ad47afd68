/**
 * Every error code the collector answers with, in one place. Callers branch on `code`, never
 * on message text. Messages say what is wrong and what to do.
 */
export const ErrorCodes = {
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 401,
  AGENT_REVOKED: 401,
  TOKEN_INVALID: 401,
  ENROLL_DENIED: 403,
  ENROLL_SECRET_EXPIRED: 403,
  FORBIDDEN_ROLE: 403,
  UNIT_MISMATCH: 403,
  AGENT_MISMATCH: 403,
  /** A relay posted a report of an agent that belongs to another unit. */
  AGENT_OTHER_UNIT: 403,
  /** A relay posted a report of an agent enrolled directly with this collector. */
  AGENT_NOT_RELAYED: 403,
  RELAY_REVOKED: 401,
  UNKNOWN_UNIT: 404,
  NOT_FOUND: 404,
  BODY_INVALID_JSON: 400,
  QUERY_INVALID: 400,
  /** The HTTP request itself is broken (Content-Length, URL encoding, ...); the code in the message names what. */
  REQUEST_MALFORMED: 400,
  REPORT_NO_HISTORY: 404,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_ENCODING: 415,
  UNSUPPORTED_MEDIA_TYPE: 415,
  REPORT_INVALID: 422,
  ENROLL_INVALID: 422,
  REQUEST_INVALID: 422,
  CONFLICT: 409,
  /** An agent reused one of its report ids for a report with other content. */
  REPORT_ID_CONFLICT: 409,
  CLOCK_SKEW: 422,
  RULES_INVALID: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  OUTBOX_FULL: 503,
} as const;
export type ErrorCode = keyof typeof ErrorCodes;

export interface FieldProblem {
  /** JSON pointer of the failing field, e.g. /probes/host/facts/hostname */
  path: string;
  message: string;
}

export class ApiFailure extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldProblem[],
    /** Seconds for a Retry-After header (429, 503). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.status = ErrorCodes[code];
  }
}
