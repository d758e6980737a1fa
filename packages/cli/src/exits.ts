/** The exit codes of `mooring`, and the one mapping from an error to its code. */
import { ApiError, NotFoundLocallyError, NotLoggedInError, UnreachableError } from './api/client.ts';
import { UsageError } from './io.ts';

export const EXIT = {
  ok: 0,
  /** The command or the operation it waited for failed (an invalid definition, a failed deploy, drift). */
  failed: 1,
  /** Wrong use: an unknown command or option, a bad value. */
  usage: 2,
  /** Not logged in, or the platform refused the token (401). */
  unauthenticated: 3,
  /** The role or the token's scopes do not allow it (403). */
  forbidden: 4,
  /** No such cluster, operation or add-on (404). */
  notFound: 5,
  /** A conflict or a refused definition or request (409, 422, 400). */
  conflict: 6,
  /** The platform cannot be reached, or it failed (5xx). */
  unavailable: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table printed by `--help` and in the README. */
export const EXIT_CODES_HELP = `exit codes:
  0  ok
  1  the command or the operation failed
  2  wrong usage
  3  not logged in, or the token was refused (401)
  4  forbidden (403)
  5  not found (404)
  6  conflict or invalid (409, 422, 400)
  7  the platform cannot be reached, or failed (5xx)`;

/** The exit code of an HTTP status the platform answered with (pure). */
export function exitCodeOfStatus(status: number): ExitCode {
  if (status === 401) return EXIT.unauthenticated;
  if (status === 403) return EXIT.forbidden;
  if (status === 404) return EXIT.notFound;
  if (status === 400 || status === 409 || status === 422) return EXIT.conflict;
  if (status >= 500) return EXIT.unavailable;
  return EXIT.failed;
}

/** The exit code of any error a command throws (pure). */
export function exitCodeOf(e: unknown): ExitCode {
  if (e instanceof UsageError) return EXIT.usage;
  if (e instanceof ApiError) return exitCodeOfStatus(e.status);
  if (e instanceof NotLoggedInError) return EXIT.unauthenticated;
  if (e instanceof NotFoundLocallyError) return EXIT.notFound;
  if (e instanceof UnreachableError) return EXIT.unavailable;
  return EXIT.failed;
}
