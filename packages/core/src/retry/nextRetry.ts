import { backoffMs, compileRetryPolicy, type RetryPolicyMs, type RetryPolicySpec } from './policy.ts';

/** A retry to run: retry `attempt` of `of`, not before `nextAttemptAt`. */
export type RetryScheduled = {
  exhausted: false;
  attempt: number;
  of: number;
  delayMs: number;
  nextAttemptAt: Date;
};
/** No retries left: `of` retries were made (or none are allowed). */
export type RetryExhausted = { exhausted: true; of: number };
export type RetryDecision = RetryScheduled | RetryExhausted;

/**
 * When to make retry number `attempt` (1-based: 1 after the first failure) given the failure at
 * `lastFailureAt`. Retries beyond `limit` are exhausted. Throws RetryPolicyError for an invalid policy.
 */
export function nextRetry(
  policy: RetryPolicySpec | RetryPolicyMs,
  attempt: number,
  lastFailureAt: Date,
): RetryDecision {
  const p = compileRetryPolicy(policy);
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`retry attempt must be an integer ≥ 1, got ${attempt}`);
  if (attempt > p.limit) return { exhausted: true, of: p.limit };
  const delayMs = backoffMs(p, attempt);
  return {
    exhausted: false,
    attempt,
    of: p.limit,
    delayMs,
    nextAttemptAt: new Date(lastFailureAt.getTime() + delayMs),
  };
}

/** "retry 2 of 5, next at 2026-01-01T00:00:10.000Z" or "retries exhausted (5 of 5)". */
export function describeRetry(d: RetryDecision): string {
  if (d.exhausted)
    return d.of === 0 ? 'retries disabled (limit 0)' : `retries exhausted (${d.of} of ${d.of})`;
  return `retry ${d.attempt} of ${d.of}, next at ${d.nextAttemptAt.toISOString()}`;
}
