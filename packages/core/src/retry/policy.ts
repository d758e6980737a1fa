import { DurationError, type DurationInput, parseDurationMs } from '../syncwindow/duration.ts';

/**
 * An add-on's `settings.retry_policy` (snake_case as written, or camelCase as the definition loader
 * produces it). Durations are strings ("5s", "3m"), seconds, or `{ seconds }`.
 *
 * - `limit`: retries after the first failure, 0-100 (0 = never retry).
 * - `backoff_duration`: wait before the first retry (default 5s).
 * - `backoff_factor`: multiplier per further retry, 1-10 (default 2).
 * - `backoff_max`: cap on any wait (default 3m).
 */
export type RetryPolicySpec = {
  limit: number;
  backoff_duration?: DurationInput;
  backoff_factor?: number;
  backoff_max?: DurationInput;
  backoffDuration?: DurationInput;
  backoffFactor?: number;
  backoffMax?: DurationInput;
};

/** A validated policy in milliseconds. */
export type RetryPolicyMs = { limit: number; durationMs: number; factor: number; maxMs: number };

export const RETRY_DEFAULTS: Readonly<RetryPolicyMs> = {
  limit: 5,
  durationMs: 5_000,
  factor: 2,
  maxMs: 180_000,
};

/** A retry policy outside its allowed ranges. */
export class RetryPolicyError extends Error {
  readonly field: 'limit' | 'backoff_duration' | 'backoff_factor' | 'backoff_max';
  constructor(field: RetryPolicyError['field'], message: string, cause?: unknown) {
    super(`retry_policy.${field}: ${message}`, cause === undefined ? undefined : { cause });
    this.name = 'RetryPolicyError';
    this.field = field;
  }
}

function duration(
  field: 'backoff_duration' | 'backoff_max',
  v: DurationInput | undefined,
  fallback: number,
): number {
  if (v === undefined) return fallback;
  let ms: number;
  try {
    ms = parseDurationMs(v);
  } catch (e) {
    if (e instanceof DurationError) throw new RetryPolicyError(field, e.message, e);
    throw e;
  }
  if (ms <= 0) throw new RetryPolicyError(field, 'must be positive');
  return ms;
}

/** Validates and converts a policy; throws RetryPolicyError. */
export function compileRetryPolicy(spec: RetryPolicySpec | RetryPolicyMs): RetryPolicyMs {
  if ('durationMs' in spec) return spec;
  const limit = spec.limit;
  if (!Number.isInteger(limit) || limit < 0 || limit > 100)
    throw new RetryPolicyError('limit', 'must be an integer from 0 to 100');
  const factor = spec.backoff_factor ?? spec.backoffFactor ?? RETRY_DEFAULTS.factor;
  if (typeof factor !== 'number' || !(factor >= 1 && factor <= 10)) {
    throw new RetryPolicyError('backoff_factor', 'must be a number from 1 to 10');
  }
  const durationMs = duration(
    'backoff_duration',
    spec.backoff_duration ?? spec.backoffDuration,
    RETRY_DEFAULTS.durationMs,
  );
  const maxMs = duration(
    'backoff_max',
    spec.backoff_max ?? spec.backoffMax,
    Math.max(RETRY_DEFAULTS.maxMs, durationMs),
  );
  if (maxMs < durationMs)
    throw new RetryPolicyError('backoff_max', 'must not be shorter than backoff_duration');
  return { limit, durationMs, factor, maxMs };
}

/** The wait before retry number `attempt` (1-based): min(duration × factor^(attempt−1), max). */
export function backoffMs(policy: RetryPolicyMs, attempt: number): number {
  const raw = policy.durationMs * policy.factor ** Math.max(0, attempt - 1);
  return Math.min(Number.isFinite(raw) ? raw : policy.maxMs, policy.maxMs);
}
