import type { AddonMember, ClusterDefinition } from '@mooring/core';
import { CoreApi, deleteObjects, entryObject, type StoredRelease } from '@mooring/kube';
import { type EngineContext, LABEL_CLUSTER, LABEL_STACK } from './context.ts';
import type { EventSink } from './events.ts';
import { manifestOwner } from './manifest.ts';
import { parseManifest } from './manifestText.ts';

export interface Removal {
  kind: 'addon' | 'manifest';
  name: string;
  namespace?: string;
  stack?: string;
  /** Objects deleted (manifests) or the release uninstalled (add-ons). */
  detail: string;
  error?: string;
  /** PersistentVolumeClaims of a removed add-on left in place (data is never deleted unless asked). */
  retainedPvcs?: string[];
  /** PersistentVolumeClaims deleted because deletion was asked for. */
  deletedPvcs?: string[];
  /** True when nothing was removed on purpose (`namespace_migration_strategy: leave_old`). */
  left?: boolean;
}

/**
 * PVCs that belonged to a release and outlive its uninstall: PVCs of its
 * manifest kept by `helm.sh/resource-policy: keep`, PVCs its StatefulSets made
 * from volumeClaimTemplates, and PVCs labelled with the release as instance.
 */
async function leftoverPvcs(ctx: EngineContext, r: StoredRelease): Promise<string[]> {
  const objects = parseManifest(r.manifest, r.namespace);
  const names = new Set(
    objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.metadata.name),
  );
  const prefixes: string[] = [];
  for (const o of objects.filter((x) => x.kind === 'StatefulSet')) {
    const tpls =
      (o as { spec?: { volumeClaimTemplates?: { metadata?: { name?: string } }[] } }).spec
        ?.volumeClaimTemplates ?? [];
    for (const t of tpls) if (t.metadata?.name) prefixes.push(`${t.metadata.name}-${o.metadata.name}-`);
  }
  const core = new CoreApi(ctx.kc);
  const list = await core.listNamespacedPersistentVolumeClaim({ namespace: r.namespace });
  return list.items
    .filter((p) => {
      const n = p.metadata?.name ?? '';
      return (
        !p.metadata?.deletionTimestamp &&
        (names.has(n) ||
          prefixes.some((x) => n.startsWith(x)) ||
          p.metadata?.labels?.['app.kubernetes.io/instance'] === r.name)
      );
    })
    .map((p) => p.metadata!.name!);
}

/**
 * Removes what Mooring deployed for this cluster that is no longer in the
 * definition: Helm releases labelled with the cluster (uninstall), and manifest
 * inventories (delete their objects). An add-on that moved namespace leaves its
 * old release behind, which is removed here after the new one deployed.
 */
export async function removeLeftovers(
  ctx: EngineContext,
  def: ClusterDefinition,
  stored: Map<string, StoredRelease>,
  emit: EventSink,
  opts: { deletePvcs?: boolean } = {},
): Promise<Removal[]> {
  const wantedAddons = new Set<string>();
  const wantedOwners = new Set<string>();
  const byName = new Map<string, AddonMember>();
  for (const s of def.stacks) {
    for (const a of s.addons) {
      wantedAddons.add(`${a.namespace}/${a.name}`);
      byName.set(a.name, a);
    }
    for (const m of s.manifests) wantedOwners.add(manifestOwner(ctx.cluster, m));
  }
  const out: Removal[] = [];
  for (const [key, r] of stored) {
    if (wantedAddons.has(key)) continue;
    const stack = r.labels[LABEL_STACK];
    // an add-on of the same name in another namespace: a namespace move
    const strategy = byName.get(r.name)?.namespaceMigrationStrategy;
    if (strategy === 'leave_old') {
      const removal: Removal = {
        kind: 'addon',
        name: r.name,
        namespace: r.namespace,
        stack,
        detail: `moved to namespace ${byName.get(r.name)!.namespace}; the old release in ${r.namespace} is left in place (namespace_migration_strategy: leave_old)`,
        left: true,
      };
      out.push(removal);
      emit({
        type: 'member',
        key: `addon/${r.name}`,
        stack: stack ?? '',
        kind: 'addon',
        name: r.name,
        phase: 'removed',
        message: removal.detail,
      });
      continue;
    }
    const deletePvcs = strategy === 'delete_data' || opts.deletePvcs === true;
    const removal: Removal = {
      kind: 'addon',
      name: r.name,
      namespace: r.namespace,
      stack,
      detail: `helm uninstall ${r.name} -n ${r.namespace}`,
    };
    try {
      await ctx.helm.uninstall(r.name, r.namespace, { wait: true, timeoutMs: 120_000 });
      const pvcs = await leftoverPvcs(ctx, r);
      if (pvcs.length > 0 && deletePvcs) {
        const core = new CoreApi(ctx.kc);
        for (const p of pvcs)
          await core.deleteNamespacedPersistentVolumeClaim({ name: p, namespace: r.namespace });
        removal.deletedPvcs = pvcs;
      } else if (pvcs.length > 0) {
        removal.retainedPvcs = pvcs;
        removal.detail += `; kept ${pvcs.length} PersistentVolumeClaim${pvcs.length > 1 ? 's' : ''} in ${r.namespace}: ${pvcs.join(', ')} (data is not deleted unless asked)`;
      }
    } catch (e) {
      removal.error = (e as Error).message;
    }
    out.push(removal);
    emit({
      type: 'member',
      key: `addon/${r.name}`,
      stack: stack ?? '',
      kind: 'addon',
      name: r.name,
      phase: 'removed',
      message: removal.error ?? removal.detail,
    });
  }
  for (const owner of await ctx.inventory.owners(`${LABEL_CLUSTER}=${ctx.cluster}`)) {
    if (wantedOwners.has(owner)) continue;
    const rec = await ctx.inventory.read(owner);
    const name = owner.split('/').pop() ?? owner;
    const stack = owner.split('/')[1];
    const { results, errors } = await deleteObjects(ctx.kc, (rec?.entries ?? []).map(entryObject));
    const removal: Removal = { kind: 'manifest', name, stack, detail: `${results.length} objects deleted` };
    if (errors.length > 0) removal.error = errors.map((e) => `${e.ref}: ${e.message}`).join('; ');
    else await ctx.inventory.remove(owner);
    out.push(removal);
    emit({
      type: 'member',
      key: `manifest/${name}`,
      stack: stack ?? '',
      kind: 'manifest',
      name,
      phase: 'removed',
      message: removal.error ?? removal.detail,
    });
  }
  return out;
}
