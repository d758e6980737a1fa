import type { Diagnostic } from './types.ts';

export interface FieldError {
  path: string;
  message: string;
}

/** A failed request: the platform's `{error: {code, message, ...}}`, or `network` when it was not reached. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly fields: FieldError[];
  readonly diagnostics: Diagnostic[];
  readonly retryAfterSeconds: number | undefined;
  constructor(o: {
    status: number;
    code: string;
    message: string;
    fields?: FieldError[];
    diagnostics?: Diagnostic[];
    retryAfterSeconds?: number;
  }) {
    super(o.message);
    this.status = o.status;
    this.code = o.code;
    this.fields = o.fields ?? [];
    this.diagnostics = o.diagnostics ?? [];
    this.retryAfterSeconds = o.retryAfterSeconds;
  }
}

const FALLBACK_CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'invalid_definition',
  429: 'rate_limited',
  503: 'database_unavailable',
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The error of a non-2xx answer (pure): the platform's body when it has one, else a code from the status. */
export function apiErrorFrom(status: number, body: unknown, retryAfter?: string | null): ApiError {
  const e = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const seconds = retryAfter != null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : undefined;
  return new ApiError({
    status,
    code:
      typeof e?.code === 'string'
        ? e.code
        : (FALLBACK_CODES[status] ?? (status >= 500 ? 'internal' : 'error')),
    message: typeof e?.message === 'string' ? e.message : `the platform answered ${status}`,
    fields: Array.isArray(e?.fields) ? (e.fields as FieldError[]) : [],
    diagnostics: Array.isArray(e?.diagnostics) ? (e.diagnostics as Diagnostic[]) : [],
    retryAfterSeconds: seconds,
  });
}

/** A request that did not reach the platform. */
export function networkError(cause: unknown): ApiError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ApiError({ status: 0, code: 'network', message: `the platform cannot be reached (${detail})` });
}

/** What to tell a person about an error, and what they can do. */
export function describeError(e: unknown): { title: string; detail: string; retry: boolean } {
  if (!(e instanceof ApiError)) {
    return { title: 'Something went wrong', detail: e instanceof Error ? e.message : String(e), retry: true };
  }
  switch (e.code) {
    case 'network':
      return {
        title: 'The platform cannot be reached',
        detail: 'Check that it is running, then retry.',
        retry: true,
      };
    case 'unauthenticated':
      return { title: 'You are signed out', detail: 'Your session ended. Sign in again.', retry: false };
    case 'forbidden':
      return { title: 'Not allowed', detail: e.message, retry: false };
    case 'not_found':
      return { title: 'Not found', detail: e.message, retry: false };
    case 'rate_limited':
      return {
        title: 'Too many attempts',
        detail: e.retryAfterSeconds
          ? `Try again in ${e.retryAfterSeconds} s.`
          : 'Wait a minute, then try again.',
        retry: false,
      };
    case 'database_unavailable':
      return {
        title: 'The database is unavailable',
        detail: 'The platform recovers by itself when it returns; retry in a moment.',
        retry: true,
      };
    case 'invalid_request':
      return {
        title: 'The request was refused',
        detail: e.fields.length ? e.fields.map((f) => `${f.path}: ${f.message}`).join('; ') : e.message,
        retry: false,
      };
    case 'internal':
      return { title: 'The platform failed', detail: 'The error is in its log; retry.', retry: true };
    default:
      return { title: 'The request failed', detail: e.message, retry: e.status >= 500 };
  }
}
