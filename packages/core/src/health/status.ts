/**
 * Health of one Kubernetes object or of a set of them.
 *
 * - `Healthy`     the object is doing what its spec asks.
 * - `Suspended`   deliberately paused (paused Deployment, suspended Job/CronJob, Flux `spec.suspend`).
 * - `Progressing` not there yet, but moving (rollout in progress, pod starting, PVC pending).
 * - `Missing`     the object does not exist in the cluster.
 * - `Degraded`    failed or stuck (CrashLoopBackOff, progress deadline exceeded, Job failed, PVC lost).
 * - `Unknown`     the rules cannot tell (unrecognised phase).
 *
 * The severity order is Argo CD's, so aggregated results read the same way:
 * Healthy < Suspended < Progressing < Missing < Degraded < Unknown.
 */
export type HealthStatus = 'Healthy' | 'Suspended' | 'Progressing' | 'Missing' | 'Degraded' | 'Unknown';

/** All health statuses, best first. */
export const HEALTH_STATUSES: readonly HealthStatus[] = [
  'Healthy',
  'Suspended',
  'Progressing',
  'Missing',
  'Degraded',
  'Unknown',
];

/** Severity of each status: higher is worse. */
export const HEALTH_SEVERITY: Readonly<Record<HealthStatus, number>> = {
  Healthy: 0,
  Suspended: 1,
  Progressing: 2,
  Missing: 3,
  Degraded: 4,
  Unknown: 5,
};

/** The worst of the given statuses; `Healthy` for none. */
export function worst(...statuses: HealthStatus[]): HealthStatus {
  let out: HealthStatus = 'Healthy';
  for (const s of statuses) if (HEALTH_SEVERITY[s] > HEALTH_SEVERITY[out]) out = s;
  return out;
}

/** True when `a` is strictly worse than `b`. */
export function isWorse(a: HealthStatus, b: HealthStatus): boolean {
  return HEALTH_SEVERITY[a] > HEALTH_SEVERITY[b];
}

/**
 * Whether a status counts as success when waiting for health.
 *
 * - strict (`strict_health_check: true`): only `Healthy` counts.
 * - lenient: `Healthy`, `Suspended` (deliberately paused) and `Progressing` (rollout under way) count,
 *   which is what a plain `helm upgrade` without `--wait` would accept.
 */
export function isHealthyEnough(status: HealthStatus, strict: boolean): boolean {
  if (strict) return status === 'Healthy';
  return status === 'Healthy' || status === 'Suspended' || status === 'Progressing';
}
