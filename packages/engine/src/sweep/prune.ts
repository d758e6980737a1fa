import { deleteObjects, type KubeObject, objectKey, type StoredRelease } from '@mooring/kube';
import type { EngineContext } from '../context.ts';
import type { LiveState } from './liveState.ts';

/**
 * Deletes objects that carry the release's Helm ownership markers but are no
 * longer in its rendered manifest. Only objects that an earlier revision of the
 * same release rendered are candidates (so Mooring never prunes what it did not
 * create), and never one marked `helm.sh/resource-policy: keep`.
 */
export async function pruneOrphans(
  ctx: EngineContext,
  live: LiveState,
  release: StoredRelease,
  desired: KubeObject[],
  history: { release: StoredRelease; objects: KubeObject[] }[],
  kinds: { apiVersion: string; kind: string }[],
): Promise<{ deleted: string[]; errors: string[] }> {
  const want = new Set(desired.map(objectKey));
  const renderedBefore = new Set(
    history.filter((h) => h.release.version !== release.version).flatMap((h) => h.objects.map(objectKey)),
  );
  const orphans = live
    .owned(release.name, release.namespace, kinds)
    .filter((o) => !want.has(objectKey(o)) && renderedBefore.has(objectKey(o)))
    .filter((o) => o.metadata.annotations?.['helm.sh/resource-policy'] !== 'keep');
  if (orphans.length === 0) return { deleted: [], errors: [] };
  const { results, errors } = await deleteObjects(ctx.kc, orphans);
  return { deleted: results.map((r) => r.ref), errors: errors.map((e) => `${e.ref}: ${e.message}`) };
}
