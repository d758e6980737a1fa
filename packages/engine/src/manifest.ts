import type { ManifestMember } from '@mooring/core';
import { isSopsEncrypted } from '@mooring/gitops';
import {
  type AppliedObject,
  applyObjects,
  deleteObjects,
  entryObject,
  inventoryEntry,
  type KubeObject,
  orphaned,
} from '@mooring/kube';
import {
  type EngineContext,
  hashLabel,
  healthSource,
  LABEL_CLUSTER,
  LABEL_MEMBER,
  LABEL_STACK,
} from './context.ts';
import { waitHealthy } from './health.ts';
import { parseManifest } from './manifestText.ts';

export interface ManifestResult {
  action: 'applied' | 'unchanged';
  applied: AppliedObject[];
  pruned: string[];
  message: string;
}

/** The inventory owner key of a manifest member. */
export function manifestOwner(cluster: string, m: { stack: string; name: string }): string {
  return `${cluster}/${m.stack}/manifest/${m.name}`;
}

/** The objects a manifest member should have in the cluster (SOPS content decrypted in memory, default namespace set). */
export async function desiredObjects(ctx: EngineContext, m: ManifestMember): Promise<KubeObject[]> {
  let objects = m.objects as unknown as KubeObject[];
  if (ctx.decrypt && isSopsEncrypted(m.text)) objects = parseManifest(await ctx.decrypt(m.text));
  return objects.map((o) =>
    m.namespace && !o.metadata.namespace ? { ...o, metadata: { ...o.metadata, namespace: m.namespace } } : o,
  );
}

export class ManifestApplyError extends Error {
  readonly manifest: string;
  constructor(manifest: string, message: string, cause?: unknown) {
    super(`manifest ${manifest}: ${message}`, { cause });
    this.name = 'ManifestApplyError';
    this.manifest = manifest;
  }
}

/**
 * Applies a manifest member with server-side apply (CRDs and Namespaces first),
 * records what it applied in the inventory, prunes what left the member since
 * the last apply, and waits for the objects to be healthy.
 */
export async function applyManifest(
  ctx: EngineContext,
  m: ManifestMember,
  hash: string,
  opts: { force?: boolean } = {},
): Promise<ManifestResult> {
  const owner = manifestOwner(ctx.cluster, m);
  const previous = await ctx.inventory.read(owner);
  const h = hashLabel(hash);
  if (!opts.force && previous && previous.hash === h && previous.complete) {
    return {
      action: 'unchanged',
      applied: [],
      pruned: [],
      message: `${previous.entries.length} objects current`,
    };
  }
  const withNs = await desiredObjects(ctx, m);
  let applied: AppliedObject[];
  try {
    applied = await applyObjects(ctx.kc, withNs, {
      defaultNamespace: m.namespace ?? 'default',
      force: true,
      replaceOnConflict: m.force,
      labels: { [LABEL_CLUSTER]: ctx.cluster, [LABEL_STACK]: m.stack, [LABEL_MEMBER]: m.name },
    });
  } catch (e) {
    // record what was applied before the failure, so a later prune still knows it
    const partial = (e as { applied?: AppliedObject[] }).applied ?? [];
    const entries = [...(previous?.entries ?? []), ...partial.map((a) => inventoryEntry(a.object))];
    await ctx.inventory.write(
      owner,
      { hash: '', complete: false, entries },
      { [LABEL_CLUSTER]: ctx.cluster },
    );
    throw new ManifestApplyError(m.name, (e as Error).message, e);
  }
  const current = applied.map((a) => inventoryEntry(a.object));
  const gone = previous ? orphaned(previous.entries, current) : [];
  const pruned =
    gone.length > 0 ? await deleteObjects(ctx.kc, gone.map(entryObject)) : { results: [], errors: [] };
  await ctx.inventory.write(
    owner,
    {
      hash: h,
      complete: true,
      // objects whose deletion failed stay in the inventory for the next prune
      entries: [...current, ...gone.filter((g) => pruned.errors.some((e) => e.ref.endsWith(`/${g.name}`)))],
    },
    { [LABEL_CLUSTER]: ctx.cluster },
  );
  const { health, ok } = await waitHealthy(
    healthSource(ctx),
    applied.map((a) => a.object),
    false,
    60_000,
  );
  if (!ok) throw new ManifestApplyError(m.name, `applied but not healthy: ${health.message}`);
  const counts = ['created', 'configured', 'replaced', 'unchanged']
    .map((k) => [k, applied.filter((a) => a.action === k).length] as const)
    .filter(([k, n]) => n > 0 || k !== 'replaced')
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return {
    action: 'applied',
    applied,
    pruned: pruned.results.map((r) => r.ref),
    message: `${counts}${pruned.results.length ? `, ${pruned.results.length} pruned` : ''}`,
  };
}
