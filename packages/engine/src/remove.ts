import type { ClusterDefinition } from '@mooring/core';
import { deleteObjects, entryObject, type StoredRelease } from '@mooring/kube';
import { type EngineContext, LABEL_CLUSTER, LABEL_STACK } from './context.ts';
import type { EventSink } from './events.ts';
import { manifestOwner } from './manifest.ts';

export interface Removal {
  kind: 'addon' | 'manifest';
  name: string;
  namespace?: string;
  stack?: string;
  /** Objects deleted (manifests) or the release uninstalled (add-ons). */
  detail: string;
  error?: string;
}

/**
 * Removes what Mooring deployed for this cluster that is no longer in the
 * definition: Helm releases labelled with the cluster (uninstall), and manifest
 * inventories (delete their objects). An add-on that moved namespace leaves its
 * old release behind, which is removed here after the new one deployed.
 */
export async function removeLeftovers(ctx: EngineContext, def: ClusterDefinition, stored: Map<string, StoredRelease>, emit: EventSink): Promise<Removal[]> {
  const wantedAddons = new Set<string>();
  const wantedOwners = new Set<string>();
  for (const s of def.stacks) {
    for (const a of s.addons) wantedAddons.add(`${a.namespace}/${a.name}`);
    for (const m of s.manifests) wantedOwners.add(manifestOwner(ctx.cluster, m));
  }
  const out: Removal[] = [];
  for (const [key, r] of stored) {
    if (wantedAddons.has(key)) continue;
    const stack = r.labels[LABEL_STACK];
    const removal: Removal = { kind: 'addon', name: r.name, namespace: r.namespace, stack, detail: `helm uninstall ${r.name} -n ${r.namespace}` };
    try {
      await ctx.helm.uninstall(r.name, r.namespace, { wait: true, timeoutMs: 120_000 });
    } catch (e) {
      removal.error = (e as Error).message;
    }
    out.push(removal);
    emit({ type: 'member', key: `addon/${r.name}`, stack: stack ?? '', kind: 'addon', name: r.name, phase: 'removed', message: removal.error ?? removal.detail });
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
    emit({ type: 'member', key: `manifest/${name}`, stack: stack ?? '', kind: 'manifest', name, phase: 'removed', message: removal.error ?? removal.detail });
  }
  return out;
}
