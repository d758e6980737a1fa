import { isDatabaseUnreachable } from '../db/unavailable.ts';
import {
  ConflictError,
  DatabaseUnavailableError,
  type FieldIssue,
  ForbiddenError,
  InvalidDefinitionError,
  NotFoundError,
  PlatformError,
  RateLimitedError,
  UnauthenticatedError,
  UpstreamError,
  ValidationError,
} from '../errors.ts';
import type { ErrorBody } from './errorBody.ts';

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** True for errors the platform did not expect (logged at error level). */
  unexpected: boolean;
}

const STATUS: ReadonlyArray<[new (...args: never[]) => PlatformError, number]> = [
  [ValidationError, 400],
  [UnauthenticatedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [InvalidDefinitionError, 422],
  [RateLimitedError, 429],
  [UpstreamError, 502],
  [DatabaseUnavailableError, 503],
];

/** PostgreSQL unique_violation. */
const UNIQUE_VIOLATION = '23505';

/** A framework error (Fastify, a validator) carrying a status and maybe schema issues. */
interface FrameworkError {
  statusCode?: number;
  code?: string;
  message?: string;
  validation?: { instancePath?: string; message?: string }[];
  validationContext?: string;
}

/**
 * The one mapping from an error to an HTTP response: typed platform errors by
 * class, request validation to 400 with field paths, an unreachable database
 * to 503, a unique violation to 409, anything else to 500 with no detail.
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  const e = normalise(error);
  const status = STATUS.find(([cls]) => e instanceof cls)?.[1] ?? 500;
  const headers: Record<string, string> = {};
  if (status === 500) {
    return {
      status,
      headers,
      unexpected: true,
      body: { error: { code: 'internal', message: 'internal error' } },
    };
  }
  const body: ErrorBody = { error: { code: (e as PlatformError).code, message: e.message } };
  if (e instanceof ValidationError) body.error.fields = e.fields;
  if (e instanceof InvalidDefinitionError) body.error.diagnostics = e.diagnostics;
  if (e instanceof RateLimitedError) headers['retry-after'] = String(e.retryAfterSeconds);
  if (e instanceof DatabaseUnavailableError) headers['retry-after'] = '5';
  return { status, body, headers, unexpected: false };
}

function normalise(error: unknown): PlatformError | Error {
  if (error instanceof PlatformError) return error;
  if (isDatabaseUnreachable(error)) return new DatabaseUnavailableError({ cause: error });
  const f = (error ?? {}) as FrameworkError;
  if (f.code === UNIQUE_VIOLATION) return new ConflictError('an object with this name already exists');
  if (Array.isArray(f.validation)) {
    const fields = f.validation.map((v) => fieldIssue(f.validationContext, v));
    return new ValidationError(
      `invalid request: ${fields.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      fields,
    );
  }
  const status = typeof f.statusCode === 'number' ? f.statusCode : 500;
  if (status === 401) return new UnauthenticatedError(f.message);
  if (status === 404) return new NotFoundError('route', '');
  if (status >= 400 && status < 500) {
    // malformed JSON, an empty body with a JSON content type, an unsupported media type, a body too large
    return new ValidationError(f.message ?? 'invalid request', [{ path: 'body', message: f.message ?? '' }]);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function fieldIssue(context: string | undefined, v: { instancePath?: string; message?: string }): FieldIssue {
  const where = context === 'querystring' ? 'query' : (context ?? 'body');
  const rest = (v.instancePath ?? '')
    .split('/')
    .filter((s) => s !== '')
    .join('.');
  return { path: rest ? `${where}.${rest}` : where, message: v.message ?? 'invalid' };
}
