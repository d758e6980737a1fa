import { type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { type AggregateHealth, aggregateHealth, type K8sObject } from '@mooring/core';
import { type KubeObject, objectRef } from '@mooring/kube';

/** Reads the live state of `objects` and aggregates their health (missing objects count as Missing). */
export async function liveHealth(
  kc: KubeConfig,
  objects: KubeObject[],
  strict: boolean,
): Promise<AggregateHealth> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  const live = await Promise.all(
    objects.map(async (o) => {
      try {
        return (await client.read(o as never)) as unknown as K8sObject;
      } catch (e) {
        if ((e as { code?: number }).code === 404) return null;
        throw e;
      }
    }),
  );
  const missingRefs = objects.filter((_, i) => live[i] === null).map(objectRef);
  return aggregateHealth(live, { strict, missingRefs });
}

/** Polls live health until healthy enough or the deadline; returns the last evaluation. */
export async function waitHealthy(
  kc: KubeConfig,
  objects: KubeObject[],
  strict: boolean,
  timeoutMs: number,
): Promise<AggregateHealth> {
  const deadline = Date.now() + timeoutMs;
  let h = await liveHealth(kc, objects, strict);
  while (!h.healthy && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    h = await liveHealth(kc, objects, strict);
  }
  return h;
}
