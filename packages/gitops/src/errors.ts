/**
 * Typed errors of @mooring/gitops. Every class carries a stable `code` so callers can
 * branch on the kind of failure across sources (git CLI, GitHub, Bitbucket):
 *
 * - `auth`            credentials missing, wrong or without access (HTTP 401/403, git auth prompts)
 * - `ref_not_found`   branch, tag or commit does not exist
 * - `file_not_found`  a path does not exist at a commit
 * - `repo_not_found`  the repository does not exist (or is invisible to these credentials)
 * - `network`         host unreachable, connection refused, timeout
 * - `rate_limited`    the API refused because of a rate limit
 * - `invalid_input`   a caller passed something unusable (bad URL, path escaping the repository)
 * - `command`         an external program failed in another way
 * - `http`            an API answered with another unexpected status
 * - `signature`       a webhook signature is missing or wrong
 * - `payload`         a webhook payload is malformed
 * - `decrypt` / `encrypt`  sops failed
 *
 * Messages, commands and stderr are redacted before they reach these objects.
 */
export type GitopsErrorCode =
  | 'auth'
  | 'ref_not_found'
  | 'file_not_found'
  | 'repo_not_found'
  | 'network'
  | 'rate_limited'
  | 'invalid_input'
  | 'command'
  | 'http'
  | 'signature'
  | 'payload'
  | 'decrypt'
  | 'encrypt';

export class GitopsError extends Error {
  override name = 'GitopsError';
  readonly code: GitopsErrorCode;
  constructor(code: GitopsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** What a failed run of an external program leaves behind (already redacted). */
export interface CommandFailure {
  /** The command line, redacted. */
  command: string;
  /** Exit code, or null when the process was killed (timeout) or did not start. */
  exitCode: number | null;
  /** Standard error, redacted and truncated. */
  stderr: string;
  cause?: unknown;
}

/** A failed run of an external program (git, sops): the base of `GitError` and `SopsError`. */
export class CommandError extends GitopsError {
  override name = 'CommandError';
  readonly command: string;
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(message: string, failure: CommandFailure, code: GitopsErrorCode = 'command') {
    super(code, message, { cause: failure.cause });
    this.command = failure.command;
    this.exitCode = failure.exitCode;
    this.stderr = failure.stderr;
  }
}

export class GitError extends CommandError {
  override name = 'GitError';
}

export class GitAuthError extends GitError {
  override name = 'GitAuthError';
  constructor(message: string, failure: CommandFailure) {
    super(message, failure, 'auth');
  }
}

export class GitRefNotFoundError extends GitError {
  override name = 'GitRefNotFoundError';
  readonly ref: string;
  constructor(ref: string, failure: CommandFailure) {
    super(`git ref not found: ${ref}`, failure, 'ref_not_found');
    this.ref = ref;
  }
}

export class GitRepoNotFoundError extends GitError {
  override name = 'GitRepoNotFoundError';
  constructor(message: string, failure: CommandFailure) {
    super(message, failure, 'repo_not_found');
  }
}

export class GitNetworkError extends GitError {
  override name = 'GitNetworkError';
  constructor(message: string, failure: CommandFailure) {
    super(message, failure, 'network');
  }
}

/** A path that does not exist at a commit (any source). */
export class RepoFileNotFoundError extends GitopsError {
  override name = 'RepoFileNotFoundError';
  readonly path: string;
  readonly sha: string;
  constructor(path: string, sha: string, options?: { cause?: unknown; detail?: string }) {
    super(
      'file_not_found',
      `${path} not found at ${sha}${options?.detail ? `: ${options.detail}` : ''}`,
      options,
    );
    this.path = path;
    this.sha = sha;
  }
}

/** A repository path that is absolute, escapes the root or is otherwise unusable. */
export class RepoPathError extends GitopsError {
  override name = 'RepoPathError';
  readonly path: string;
  constructor(path: string, reason: string) {
    super('invalid_input', `invalid repository path ${JSON.stringify(path)}: ${reason}`);
    this.path = path;
  }
}

export type ProviderName = 'git' | 'github' | 'bitbucket_cloud' | 'bitbucket_data_center';

export interface HttpFailure {
  provider: ProviderName;
  method: string;
  /** Request URL (credentials never appear in it; query redacted of tokens). */
  url: string;
  /** HTTP status, or null when no response arrived. */
  status: number | null;
  /** Response body, redacted and truncated. */
  body: string;
  cause?: unknown;
}

export class ProviderError extends GitopsError {
  override name = 'ProviderError';
  readonly provider: ProviderName;
  readonly method: string;
  readonly url: string;
  readonly status: number | null;
  readonly body: string;
  constructor(message: string, failure: HttpFailure, code: GitopsErrorCode = 'http') {
    super(code, message, { cause: failure.cause });
    this.provider = failure.provider;
    this.method = failure.method;
    this.url = failure.url;
    this.status = failure.status;
    this.body = failure.body;
  }
}

export class ProviderAuthError extends ProviderError {
  override name = 'ProviderAuthError';
  constructor(message: string, failure: HttpFailure) {
    super(message, failure, 'auth');
  }
}

export class ProviderNotFoundError extends ProviderError {
  override name = 'ProviderNotFoundError';
  constructor(message: string, failure: HttpFailure) {
    super(message, failure, 'repo_not_found');
  }
}

export class ProviderRefNotFoundError extends ProviderError {
  override name = 'ProviderRefNotFoundError';
  readonly ref: string;
  constructor(ref: string, failure: HttpFailure) {
    super(`ref not found: ${ref}`, failure, 'ref_not_found');
    this.ref = ref;
  }
}

export class ProviderRateLimitError extends ProviderError {
  override name = 'ProviderRateLimitError';
  /** When the limit resets (epoch ms), if the API said so. */
  readonly resetAt: number | undefined;
  constructor(message: string, failure: HttpFailure, resetAt?: number) {
    super(message, failure, 'rate_limited');
    this.resetAt = resetAt;
  }
}

export class ProviderNetworkError extends ProviderError {
  override name = 'ProviderNetworkError';
  constructor(message: string, failure: HttpFailure) {
    super(message, failure, 'network');
  }
}

export class WebhookSignatureError extends GitopsError {
  override name = 'WebhookSignatureError';
  constructor(message: string) {
    super('signature', message);
  }
}

export class WebhookPayloadError extends GitopsError {
  override name = 'WebhookPayloadError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('payload', message, options);
  }
}

export class SopsError extends CommandError {
  override name = 'SopsError';
}

export class SopsDecryptError extends SopsError {
  override name = 'SopsDecryptError';
  constructor(message: string, failure: CommandFailure) {
    super(message, failure, 'decrypt');
  }
}

export class SopsEncryptError extends SopsError {
  override name = 'SopsEncryptError';
  constructor(message: string, failure: CommandFailure) {
    super(message, failure, 'encrypt');
  }
}
