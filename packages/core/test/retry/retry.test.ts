import { describe, expect, it } from 'vitest';
import {
  decideSelfHeal,
  describeRetry,
  nextRetry,
  RetryPolicyError,
  type RetryPolicySpec,
  recordHealOutcome,
  type SelfHealState,
} from '../../src/retry/index.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const POLICY: RetryPolicySpec = { limit: 5, backoff_duration: '5s', backoff_factor: 3, backoff_max: '1m' };
const plus = (ms: number) => new Date(T0.getTime() + ms);

describe('nextRetry', () => {
  it.each([
    [1, 5_000],
    [2, 15_000],
    [3, 45_000],
    [4, 60_000],
    [5, 60_000],
  ])('retry %i waits %i ms (min(duration × factor^(n−1), max))', (attempt, delay) => {
    expect(nextRetry(POLICY, attempt, T0)).toEqual({
      exhausted: false,
      attempt,
      of: 5,
      delayMs: delay,
      nextAttemptAt: plus(delay),
    });
  });

  it('beyond the limit is exhausted', () => {
    expect(nextRetry(POLICY, 6, T0)).toEqual({ exhausted: true, of: 5 });
    expect(nextRetry({ limit: 0 }, 1, T0)).toEqual({ exhausted: true, of: 0 });
  });

  it('uses defaults (5s, ×2, 3m) and accepts the camelCase / { seconds } form', () => {
    expect(nextRetry({ limit: 10 }, 7, T0)).toMatchObject({ delayMs: 180_000 });
    expect(
      nextRetry(
        { limit: 3, backoffDuration: { seconds: 2 }, backoffFactor: 2, backoffMax: { seconds: 300 } },
        3,
        T0,
      ),
    ).toMatchObject({
      delayMs: 8_000,
    });
  });

  it('a factor of 1 is a constant backoff; a huge factor is capped', () => {
    expect(nextRetry({ limit: 100, backoff_duration: '10s', backoff_factor: 1 }, 50, T0)).toMatchObject({
      delayMs: 10_000,
    });
    expect(
      nextRetry({ limit: 100, backoff_duration: '10s', backoff_factor: 10, backoff_max: '5m' }, 100, T0),
    ).toMatchObject({
      delayMs: 300_000,
    });
  });

  it.each([
    ['limit above 100', { limit: 101 }, 'limit'],
    ['negative limit', { limit: -1 }, 'limit'],
    ['fractional limit', { limit: 1.5 }, 'limit'],
    ['factor below 1', { limit: 1, backoff_factor: 0.5 }, 'backoff_factor'],
    ['factor above 10', { limit: 1, backoff_factor: 11 }, 'backoff_factor'],
    ['bad duration', { limit: 1, backoff_duration: 'soon' }, 'backoff_duration'],
    ['max below duration', { limit: 1, backoff_duration: '1m', backoff_max: '10s' }, 'backoff_max'],
  ] as [string, RetryPolicySpec, string][])('%s is a RetryPolicyError on %s', (_name, policy, field) => {
    expect(() => nextRetry(policy, 1, T0)).toThrow(RetryPolicyError);
    try {
      nextRetry(policy, 1, T0);
    } catch (e) {
      expect((e as RetryPolicyError).field).toBe(field);
    }
  });

  it('describes itself', () => {
    expect(describeRetry(nextRetry(POLICY, 2, T0))).toBe('retry 2 of 5, next at 2026-01-01T00:00:15.000Z');
    expect(describeRetry(nextRetry(POLICY, 6, T0))).toBe('retries exhausted (5 of 5)');
  });
});

describe('self-heal', () => {
  const policy: RetryPolicySpec = { limit: 2, backoff_duration: '10s', backoff_factor: 2, backoff_max: '1m' };

  it('the first heal of a new drift is immediate, with no backoff', () => {
    expect(decideSelfHeal(policy, undefined, 'drift-a', T0)).toMatchObject({
      action: 'heal',
      immediate: true,
    });
  });

  it('a different drift resets the count and heals immediately', () => {
    const state: SelfHealState = { driftKey: 'drift-a', failures: 2, lastFailureAt: T0 };
    expect(decideSelfHeal(policy, state, 'drift-b', plus(1))).toMatchObject({
      action: 'heal',
      immediate: true,
    });
  });

  it('a failing heal backs off, then retries, then gives up', () => {
    let state = recordHealOutcome(undefined, 'drift-a', 'failure', T0);
    expect(state).toEqual({ driftKey: 'drift-a', failures: 1, lastFailureAt: T0 });
    expect(decideSelfHeal(policy, state, 'drift-a', plus(5_000))).toEqual({
      action: 'wait',
      until: plus(10_000),
      attempt: 1,
      of: 2,
      message: 'self-heal retry 1 of 2, next at 2026-01-01T00:00:10.000Z',
    });
    expect(decideSelfHeal(policy, state, 'drift-a', plus(10_000))).toMatchObject({
      action: 'heal',
      immediate: false,
      attempt: 1,
    });

    state = recordHealOutcome(state, 'drift-a', 'failure', plus(10_000));
    expect(decideSelfHeal(policy, state, 'drift-a', plus(20_000))).toMatchObject({
      action: 'wait',
      until: plus(30_000),
      attempt: 2,
    });
    expect(decideSelfHeal(policy, state, 'drift-a', plus(30_000))).toMatchObject({
      action: 'heal',
      attempt: 2,
    });

    state = recordHealOutcome(state, 'drift-a', 'failure', plus(30_000));
    expect(decideSelfHeal(policy, state, 'drift-a', plus(3_600_000))).toMatchObject({
      action: 'give_up',
      failures: 3,
      message: expect.stringContaining('retries exhausted (2 of 2)'),
    });
  });

  it('a successful heal clears the state', () => {
    const state = recordHealOutcome(undefined, 'drift-a', 'failure', T0);
    expect(recordHealOutcome(state, 'drift-a', 'success', plus(1))).toBeUndefined();
  });
});
