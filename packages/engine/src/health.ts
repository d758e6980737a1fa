import { type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { type AggregateHealth, aggregateHealth, type K8sObject } from '@mooring/core';
import { type KubeObject, objectRef, type WatchCache } from '@mooring/kube';

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
  const client = KubernetesObjectApi.makeApiClient(source.kc);
  return Promise.all(
    objects.map(async (o) => {
      try {
        return (await client.read(o as never)) as unknown as K8sObject;
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
  const live = await readLive(source, objects);
  const missingRefs = objects.filter((_, i) => live[i] === null).map(objectRef);
  return aggregateHealth(live, { strict, missingRefs });
}

export interface HealthWait {
  health: AggregateHealth;
  /** The deadline passed before every object was Healthy. */
  timedOut: boolean;
  ok: boolean;
}

/**
 * Waits until every object is Healthy, so that children and later waves start
 * only after their parents are ready. At the deadline, objects still
 * Progressing or Suspended are accepted unless `strict` (strict_health_check:
 * only Healthy counts); Degraded, Missing or Unknown objects fail.
 */
export async function waitHealthy(
  source: HealthSource,
  objects: KubeObject[],
  strict: boolean,
  timeoutMs: number,
  intervalMs = 'cache' in source ? 100 : 500,
): Promise<HealthWait> {
  const deadline = Date.now() + timeoutMs;
  let all = await liveHealth(source, objects, true);
  while (!all.healthy && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    all = await liveHealth(source, objects, true);
  }
  if (all.healthy)
    return { health: strict ? all : await liveHealth(source, objects, false), timedOut: false, ok: true };
  const final = strict ? all : await liveHealth(source, objects, false);
  return { health: final, timedOut: true, ok: final.healthy };
}
