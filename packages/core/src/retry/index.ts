export type { RetryDecision, RetryExhausted, RetryScheduled } from './nextRetry.ts';
export { describeRetry, nextRetry } from './nextRetry.ts';
export type { RetryPolicyMs, RetryPolicySpec } from './policy.ts';
export { backoffMs, compileRetryPolicy, RETRY_DEFAULTS, RetryPolicyError } from './policy.ts';
export type { SelfHealDecision, SelfHealState } from './selfHeal.ts';
export { decideSelfHeal, recordHealOutcome } from './selfHeal.ts';
