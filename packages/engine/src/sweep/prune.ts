import { deleteObjects, type KubeObject, objectKey, type StoredRelease } from '@mooring/kube';
import type { EngineContext } from '../context.ts';
import type { LiveState } from './liveState.ts';

/** Argo CD's per-resource sync options annotation (`Prune=false`, `Delete=false`, ...). */
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/**
 * True when an object may be pruned (pure): not `helm.sh/resource-policy: keep`,
 * and not `argocd.argoproj.io/sync-options: Prune=false` (either engine honours it).
 */
export function prunable(o: { metadata: { annotations?: Record<string, string> | null } }): boolean {
  const ann = o.metadata.annotations ?? {};
  if (ann['helm.sh/resource-policy'] === 'keep') return false;
  const opts = (ann[SYNC_OPTIONS_ANNOTATION] ?? '').split(',').map((x) => x.trim().toLowerCase());
  return !opts.includes('prune=false');
}

/**
 * Deletes objects that carry the release's Helm ownership markers but are no
 * longer in its rendered manifest. Only objects that an earlier revision of the
 * same release rendered are candidates (so Mooring never prunes what it did not
 * create), and never one marked `helm.sh/resource-policy: keep` or
 * `argocd.argoproj.io/sync-options: Prune=false`.
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
    .filter(prunable);
  if (orphans.length === 0) return { deleted: [], errors: [] };
  const { results, errors } = await deleteObjects(ctx.kc, orphans);
  return { deleted: results.map((r) => r.ref), errors: errors.map((e) => `${e.ref}: ${e.message}`) };
}
