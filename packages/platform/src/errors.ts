/**
 * The platform's typed errors. Services throw these; `http/errorMapping.ts`
 * turns each into an HTTP status and body in one place.
 */

/** One invalid field of a request: `body.name`, `query.page_size`. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** A definition diagnostic as the API reports it (see `@mooring/core` `Diagnostic`). */
export interface DefinitionIssue {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  path: string;
  code: string;
  message: string;
  hint?: string;
}

/** Stable error codes of the API; clients match on these. */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'invalid_definition'
  | 'rate_limited'
  | 'database_unavailable'
  | 'upstream_error'
  | 'internal';

/** Base class: every error the API reports on purpose. */
export abstract class PlatformError extends Error {
  abstract readonly code: ErrorCode;
}

/** 400: the request does not match its schema. */
export class ValidationError extends PlatformError {
  override readonly name = 'ValidationError';
  readonly code = 'invalid_request';
  readonly fields: FieldIssue[];
  constructor(message: string, fields: FieldIssue[] = [], options?: ErrorOptions) {
    super(message, options);
    this.fields = fields;
  }
}

/** 401: no credentials, or credentials that are wrong, expired or revoked. */
export class UnauthenticatedError extends PlatformError {
  override readonly name = 'UnauthenticatedError';
  readonly code = 'unauthenticated';
  constructor(message = 'authentication required', options?: ErrorOptions) {
    super(message, options);
  }
}

/** 403: authenticated, but the role or token scope does not allow this. */
export class ForbiddenError extends PlatformError {
  override readonly name = 'ForbiddenError';
  readonly code = 'forbidden';
}

/** 404: no such object (in the caller's organisation). */
export class NotFoundError extends PlatformError {
  override readonly name = 'NotFoundError';
  readonly code = 'not_found';
  readonly kind: string;
  readonly id: string;
  constructor(kind: string, id: string, options?: ErrorOptions) {
    super(`${kind} ${JSON.stringify(id)} not found`, options);
    this.kind = kind;
    this.id = id;
  }
}

/** 409: the change conflicts with what is stored (a name already taken). */
export class ConflictError extends PlatformError {
  override readonly name = 'ConflictError';
  readonly code = 'conflict';
}

/** 422: a cluster definition that does not validate; carries every diagnostic. */
export class InvalidDefinitionError extends PlatformError {
  override readonly name = 'InvalidDefinitionError';
  readonly code = 'invalid_definition';
  readonly diagnostics: DefinitionIssue[];
  constructor(diagnostics: DefinitionIssue[], options?: ErrorOptions) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    super(`the cluster definition is invalid (${errors} ${errors === 1 ? 'error' : 'errors'})`, options);
    this.diagnostics = diagnostics;
  }
}

/** 429: too many attempts; retry after `retryAfterSeconds`. */
export class RateLimitedError extends PlatformError {
  override readonly name = 'RateLimitedError';
  readonly code = 'rate_limited';
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, options?: ErrorOptions) {
    super(`too many attempts: retry in ${retryAfterSeconds} s`, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** 503: the database cannot be reached. */
export class DatabaseUnavailableError extends PlatformError {
  override readonly name = 'DatabaseUnavailableError';
  readonly code = 'database_unavailable';
  constructor(options?: ErrorOptions) {
    super('the database is unreachable; the platform retries on every request, try again shortly', options);
  }
}

/** 502: a service the platform depends on for this request (a chart registry, helm) failed. */
export class UpstreamError extends PlatformError {
  override readonly name = 'UpstreamError';
  readonly code = 'upstream_error';
}
