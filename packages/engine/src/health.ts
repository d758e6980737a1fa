import { type AggregateHealth, aggregateHealth, type K8sObject, resourceHealth } from '@mooring/core';
import { type KubeConfig, type KubeObject, ObjectApi, objectRef, type WatchCache } from '@mooring/kube';

/** Where live objects are read from: a shared watch cache (no API calls), or the API directly. */
export type HealthSource = { cache: WatchCache } | { kc: KubeConfig };

async function readLive(source: HealthSource, objects: KubeObject[]): Promise<(K8sObject | null)[]> {
  if ('cache' in source) {
    const kinds = new Map(objects.map((o) => [`${o.apiVersion}/${o.kind}`, o]));
    await Promise.all([...kinds.values()].map((o) => source.cache.ensure(o.apiVersion, o.kind)));
    return objects.map((o) => {
      const namespaced = source.cache.isNamespaced(o.apiVersion, o.kind);
      return (source.cache.get(
        o.apiVersion,
        o.kind,
        namespaced ? o.metadata.namespace : undefined,
        o.metadata.name,
      ) ?? null) as K8sObject | null;
    });
  }
  const client = new ObjectApi(source.kc);
  return Promise.all(
    objects.map(async (o) => {
      try {
        return await client.read<K8sObject>(o);
      } catch (e) {
        if ((e as { code?: number }).code === 404) return null;
        throw e;
      }
    }),
  );
}

/** The live health of `objects` (missing objects count as Missing). */
export async function liveHealth(
  source: HealthSource,
  objects: KubeObject[],
  strict: boolean,
): Promise<AggregateHealth> {
  return healthOf(objects, await readLive(source, objects), strict);
}

/** Aggregate health of `objects` given their live counterparts (null: missing). */
function healthOf(objects: KubeObject[], live: (K8sObject | null)[], strict: boolean): AggregateHealth {
  const missingRefs = objects.filter((_, i) => live[i] === null).map(objectRef);
  return aggregateHealth(live, { strict, missingRefs });
}

export interface HealthWait {
  health: AggregateHealth;
  /** The deadline passed before the objects were ready. */
  timedOut: boolean;
  ok: boolean;
}

/**
 * Kinds whose Progressing state is not waited for unless strict: a LoadBalancer
 * Service or an Ingress may never get an address on some clusters, a PVC may wait
 * for its first consumer, an HPA for metrics, a CronJob for its first schedule.
 */
export const PROGRESS_NOT_AWAITED: ReadonlySet<string> = new Set([
  'Service',
  'Ingress',
  'PersistentVolumeClaim',
  'HorizontalPodAutoscaler',
  'CronJob',
]);

/** Ready to go on: Healthy or Suspended; Progressing only for kinds whose progress is not awaited (never when strict). */
export function readyToProceed(objects: KubeObject[], live: (K8sObject | null)[], strict: boolean): boolean {
  return live.every((o, i) => {
    const s = resourceHealth(o).status;
    if (s === 'Healthy') return true;
    if (strict) return false;
    return s === 'Suspended' || (s === 'Progressing' && PROGRESS_NOT_AWAITED.has(objects[i]!.kind));
  });
}

/**
 * Waits until the objects are ready, so that children and later waves start
 * only after their parents are: every workload, job and custom resource
 * Healthy (kinds in PROGRESS_NOT_AWAITED may stay Progressing unless strict).
 * At the deadline, objects still Progressing are accepted unless `strict`
 * (strict_health_check: only Healthy counts); Degraded, Missing or Unknown fail.
 */
export async function waitHealthy(
  source: HealthSource,
  objects: KubeObject[],
  strict: boolean,
  timeoutMs: number,
  intervalMs = 'cache' in source ? 100 : 500,
): Promise<HealthWait> {
  const deadline = Date.now() + timeoutMs;
  let live = await readLive(source, objects);
  while (!readyToProceed(objects, live, strict) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    live = await readLive(source, objects);
  }
  const timedOut = !readyToProceed(objects, live, strict);
  const health = healthOf(objects, live, strict);
  return { health, timedOut, ok: health.healthy };
}
