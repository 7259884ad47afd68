/**
 * What a failed request is answered with: every error, whoever threw it (a route, the guard,
 * fastify's body parser or schema validation, gunzip), becomes the API's coded error body. The
 * mapping branches on codes only (ApiFailure codes, fastify's `FST_ERR_*`, zlib's `Z_*`, ajv
 * keywords and instance paths), never on message text, which libraries change and translate.
 */
import type { ErrorObject } from 'ajv';
import type { FastifyRequest } from 'fastify';
import { ApiFailure, type ErrorCode } from './errors.js';
import { parameterProblems, problemsOf } from './ingest/validate.js';

/** How a route names its invalid body (default: REQUEST_INVALID, "request body is invalid"). */
export interface InvalidBody {
  code: ErrorCode;
  message: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The coded error of a body that fails the route's body schema. */
    invalidBody?: InvalidBody;
    /** The code of a query string that fails the route's schema (default QUERY_INVALID). */
    invalidQuery?: ErrorCode;
    /** The config setting that bounds this route's body, for the 413 message (default limits.bodyBytes). */
    bodyLimitSetting?: string;
    /** What a sender should do about a 413 on this route. */
    bodyLimitHint?: string;
    /** Which /metrics counter this route's refusals count in. */
    counts?: 'reports' | 'enrollments';
  }
}

/** The shape of what fastify, ajv and zlib throw: an Error with optional code, status and ajv errors. */
export interface ThrownError extends Error {
  code?: string;
  statusCode?: number;
  validation?: ErrorObject[];
  validationContext?: string;
}

/** Fastify's body-parsing codes and ours. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BODY_INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BODY_INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'REQUEST_MALFORMED',
  FST_ERR_BAD_URL: 'REQUEST_MALFORMED',
};

/** The coded failure of a request that failed its route's schema, naming every field at fault. */
export function validationFailure(part: string | undefined, errors: readonly ErrorObject[], route: { invalidBody?: InvalidBody | undefined; invalidQuery?: ErrorCode | undefined } = {}): ApiFailure {
  const { invalidBody, invalidQuery } = route;
  if (part === 'querystring' || part === 'params') {
    const { names, problems } = parameterProblems(errors);
    const what = part === 'querystring' ? 'query parameter' : 'path parameter';
    const message = `bad ${what} ${names.map((n) => `"${n}"`).join(', ')}: ${problems.map((p) => p.message).join('; ')}`;
    return new ApiFailure(part === 'querystring' ? (invalidQuery ?? 'QUERY_INVALID') : 'REQUEST_INVALID', message, problems);
  }
  if (part === 'body') {
    const problems = problemsOf([...errors]);
    return new ApiFailure(invalidBody?.code ?? 'REQUEST_INVALID', invalidBody?.message ?? 'request body is invalid', problems);
  }
  return new ApiFailure('REQUEST_INVALID', `request ${part ?? 'part'} is invalid`, problemsOf([...errors]));
}

/** The coded failure of any error a request ended with; null means an internal error (5xx). */
export function failureOf(err: ThrownError, req: FastifyRequest, defaultBodyBytes: number): ApiFailure | null {
  if (err instanceof ApiFailure) return err;
  const config = req.routeOptions.config;
  if (err.code === 'FST_ERR_VALIDATION' && err.validation) return validationFailure(err.validationContext, err.validation, config);
  const code = err.code === undefined ? undefined : FASTIFY_CODES[err.code];
  switch (code) {
    case 'BODY_TOO_LARGE': {
      const limit = req.routeOptions.bodyLimit ?? defaultBodyBytes;
      const hint = config.bodyLimitHint ? `; ${config.bodyLimitHint}` : '';
      return new ApiFailure(code, `request body is larger than the limit of ${limit} bytes (${config.bodyLimitSetting ?? 'limits.bodyBytes'})${hint}`);
    }
    case 'UNSUPPORTED_MEDIA_TYPE':
      return new ApiFailure(code, `Content-Type ${req.headers['content-type'] ? `"${req.headers['content-type']}"` : '(none)'} is not supported; send application/json (UTF-8)`);
    case 'BODY_INVALID_JSON':
      return new ApiFailure(code, `body is not valid JSON: ${err.message}`);
    case 'REQUEST_MALFORMED':
      return new ApiFailure(code, `malformed request (${err.code}): ${err.message}`);
    case undefined:
      break;
    default:
      return new ApiFailure(code, err.message);
  }
  // The gunzip stream of a gzip body that is not gzip, or is cut short.
  if (err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR') return new ApiFailure('BODY_INVALID_JSON', 'body is not valid gzip data');
  // Any other client error fastify raises, named by its code so the sender can look it up.
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return new ApiFailure('REQUEST_MALFORMED', `request refused (${err.code ?? `HTTP ${err.statusCode}`}): ${err.message}`);
  return null;
}
