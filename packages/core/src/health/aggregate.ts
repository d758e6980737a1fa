import { resourceHealth } from './resourceHealth.ts';
import { HEALTH_SEVERITY, type HealthStatus, isHealthyEnough, worst } from './status.ts';
import type { K8sObject } from './types.ts';

/** One object that keeps the aggregate from succeeding. */
export type UnhealthyResource = {
  /** "Kind/namespace/name" (or "Kind/name" for cluster-scoped objects). */
  ref: string;
  status: HealthStatus;
  message: string;
};

export type AggregateHealth = {
  /** The worst status over all objects (`Healthy` for none). */
  status: HealthStatus;
  /** Whether every object is healthy enough under the chosen strictness. */
  healthy: boolean;
  /** How many objects have each status. */
  counts: Record<HealthStatus, number>;
  /** Objects that are not healthy enough, worst first. */
  unhealthy: UnhealthyResource[];
  /** A one-line summary, e.g. "2 of 5 resources not healthy: Deployment/web/api Degraded: ...". */
  message: string;
};

/** "Kind/namespace/name" of an object. */
export function objectRef(obj: K8sObject): string {
  const ns = obj.metadata?.namespace;
  return [obj.kind ?? '?', ...(ns ? [ns] : []), obj.metadata?.name ?? '?'].join('/');
}

/**
 * Health of a set of objects. With `strict` (strict_health_check) only Healthy counts as success;
 * otherwise Progressing and Suspended do too. `null` entries stand for missing objects (Missing);
 * `missingRefs` names them, in order, in the result.
 */
export function aggregateHealth(
  objects: readonly (K8sObject | null | undefined)[],
  options: { strict?: boolean; missingRefs?: readonly string[] } = {},
): AggregateHealth {
  const strict = options.strict ?? false;
  const counts: Record<HealthStatus, number> = {
    Healthy: 0,
    Suspended: 0,
    Progressing: 0,
    Missing: 0,
    Degraded: 0,
    Unknown: 0,
  };
  const unhealthy: UnhealthyResource[] = [];
  const statuses: HealthStatus[] = [];
  let missingIndex = 0;
  for (const obj of objects) {
    const h = resourceHealth(obj);
    counts[h.status] += 1;
    statuses.push(h.status);
    if (!isHealthyEnough(h.status, strict)) {
      const ref = obj ? objectRef(obj) : (options.missingRefs?.[missingIndex] ?? 'unknown');
      unhealthy.push({ ref, status: h.status, message: h.message });
    }
    if (!obj) missingIndex += 1;
  }
  const status = worst(...statuses);
  unhealthy.sort((a, b) => HEALTH_SEVERITY[b.status] - HEALTH_SEVERITY[a.status]);
  const healthy = unhealthy.length === 0;
  const message = healthy
    ? `${objects.length} resource${objects.length === 1 ? '' : 's'} healthy${strict ? ' (strict)' : ''}`
    : `${unhealthy.length} of ${objects.length} resources not healthy: ${unhealthy
        .slice(0, 3)
        .map((u) => `${u.ref} ${u.status}: ${u.message}`)
        .join('; ')}${unhealthy.length > 3 ? '; ...' : ''}`;
  return { status, healthy, counts, unhealthy, message };
}
