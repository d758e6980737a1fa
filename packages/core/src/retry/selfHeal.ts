import { nextRetry } from './nextRetry.ts';
import { compileRetryPolicy, type RetryPolicyMs, type RetryPolicySpec } from './policy.ts';

/**
 * Self-heal bookkeeping for one add-on. `driftKey` identifies the drift being healed (e.g. a hash of
 * the drifted paths and values): a different key is a new drift.
 */
export type SelfHealState = {
  driftKey: string;
  /** Failed heal attempts for this drift. */
  failures: number;
  lastFailureAt?: Date;
};

/**
 * - `heal`: heal now (`immediate` for the first heal of a new drift, which never waits);
 * - `wait`: a heal failed; the next one is due at `until` (retry `attempt` of `of`);
 * - `give_up`: the retry limit is used up for this drift.
 */
export type SelfHealDecision =
  | { action: 'heal'; immediate: boolean; attempt: number; message: string }
  | { action: 'wait'; until: Date; attempt: number; of: number; message: string }
  | { action: 'give_up'; failures: number; message: string };

/**
 * Mooring's self-heal rule: the FIRST heal of a new drift happens immediately, with no backoff; only a
 * heal that keeps failing backs off per the retry policy (retry n waits min(duration × factor^(n−1), max)).
 */
export function decideSelfHeal(
  policy: RetryPolicySpec | RetryPolicyMs,
  state: SelfHealState | undefined,
  driftKey: string,
  now: Date,
): SelfHealDecision {
  const p = compileRetryPolicy(policy);
  if (!state || state.driftKey !== driftKey || state.failures === 0) {
    return { action: 'heal', immediate: true, attempt: 0, message: 'new drift: healing immediately' };
  }
  const r = nextRetry(p, state.failures, state.lastFailureAt ?? now);
  if (r.exhausted) {
    return {
      action: 'give_up',
      failures: state.failures,
      message: `self-heal failed ${state.failures} time(s); retries exhausted (${r.of} of ${r.of})`,
    };
  }
  if (now.getTime() >= r.nextAttemptAt.getTime()) {
    return {
      action: 'heal',
      immediate: false,
      attempt: r.attempt,
      message: `self-heal retry ${r.attempt} of ${r.of}`,
    };
  }
  return {
    action: 'wait',
    until: r.nextAttemptAt,
    attempt: r.attempt,
    of: r.of,
    message: `self-heal retry ${r.attempt} of ${r.of}, next at ${r.nextAttemptAt.toISOString()}`,
  };
}

/**
 * The state after a heal attempt: success (or no drift any more) clears it; a failure counts against
 * the current drift, and a failure on a new drift starts a new count.
 */
export function recordHealOutcome(
  state: SelfHealState | undefined,
  driftKey: string,
  outcome: 'success' | 'failure',
  at: Date,
): SelfHealState | undefined {
  if (outcome === 'success') return undefined;
  const failures = state && state.driftKey === driftKey ? state.failures + 1 : 1;
  return { driftKey, failures, lastFailureAt: at };
}
