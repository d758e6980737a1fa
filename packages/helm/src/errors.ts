/** A `helm` command that failed: the command (redacted), its exit code and stderr (redacted). */
export class HelmError extends Error {
  readonly command: string;
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly release?: string;
  constructor(
    message: string,
    opts: { command: string; exitCode: number | null; stderr: string; release?: string; cause?: unknown },
  ) {
    super(message, { cause: opts.cause });
    this.name = 'HelmError';
    this.command = opts.command;
    this.exitCode = opts.exitCode;
    this.stderr = opts.stderr;
    this.release = opts.release;
  }
}

/** The release does not exist (helm says "release: not found"). */
export class ReleaseNotFoundError extends HelmError {
  constructor(release: string, opts: { command: string; exitCode: number | null; stderr: string }) {
    super(`release ${release} not found`, { ...opts, release });
    this.name = 'ReleaseNotFoundError';
  }
}

/** Another operation is in progress on the release (pending-install/upgrade/rollback). */
export class ReleaseLockedError extends HelmError {
  constructor(release: string, opts: { command: string; exitCode: number | null; stderr: string }) {
    super(`release ${release}: another operation is in progress`, { ...opts, release });
    this.name = 'ReleaseLockedError';
  }
}

/** The helm command ran out of time (its --timeout or ours). */
export class HelmTimeoutError extends HelmError {
  constructor(
    message: string,
    opts: { command: string; exitCode: number | null; stderr: string; release?: string },
  ) {
    super(message, opts);
    this.name = 'HelmTimeoutError';
  }
}

/** A chart or chart version could not be found in its source. */
export class ChartNotFoundError extends Error {
  readonly source: string;
  constructor(message: string, source: string) {
    super(message);
    this.name = 'ChartNotFoundError';
    this.source = source;
  }
}

/** A chart source answered 401/403. */
export class RegistryAuthError extends Error {
  readonly source: string;
  readonly status: number;
  constructor(source: string, status: number) {
    super(`${source}: authentication failed (HTTP ${status})`);
    this.name = 'RegistryAuthError';
    this.source = source;
    this.status = status;
  }
}

/** Any other failure talking to a chart source. */
export class ChartSourceError extends Error {
  readonly source: string;
  constructor(message: string, source: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'ChartSourceError';
    this.source = source;
  }
}
