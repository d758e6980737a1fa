import type { AddonMember } from '@mooring/core';
import { type KubeObject, ObjectApi, type ObjectRef, type StoredRelease } from '@mooring/kube';
import { AddonDeployError, deployAddon } from '../addon.ts';
import type { EngineContext } from '../context.ts';
import { withEngine } from '../engines.ts';
import { deployArgoAddon, mooringApplication } from './deploy.ts';
import { type MigrationEligibility, migrationEligibility } from './eligibility.ts';
import type { ResourceNode } from './types.ts';

/** What moving one add-on from Argo CD to the native engine did. */
export interface MigrationReport {
  addon: string;
  namespace: string;
  /** The Helm revision that holds the add-on now. */
  revision: number;
  /** True when the add-on was on the native engine already (a repeated command): nothing was done. */
  already: boolean;
  /** Objects of the Application's resource tree compared before and after. */
  objects: number;
  /** Objects whose UID changed or that went (`Kind namespace/name`); empty when every UID is kept. */
  replaced: string[];
  podsBefore: string[];
  podsAfter: string[];
  /** Label and annotation keys added or changed on the objects (Helm's ownership metadata). */
  metadataChanged: string[];
  message: string;
}

/** A migration that may not start (an in-flight sync, a multi-source Application). */
export class MigrationBlockedError extends AddonDeployError {
  readonly eligibility: MigrationEligibility;
  constructor(e: MigrationEligibility) {
    super(e.addon, `cannot migrate to native: ${e.blockers.join('; ')}`);
    this.name = 'MigrationBlockedError';
    this.eligibility = e;
  }
}

interface Seen {
  ref: string;
  kind: string;
  uid?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const refOf = (n: { kind: string; namespace?: string; name: string }) =>
  `${n.kind} ${n.namespace ? `${n.namespace}/` : ''}${n.name}`;

/** The live objects of a resource tree, read from the API server (UIDs, labels, annotations). */
async function readTree(ctx: EngineContext, nodes: ResourceNode[]): Promise<Map<string, Seen>> {
  const api = new ObjectApi(ctx.kc);
  const out = new Map<string, Seen>();
  await Promise.all(
    nodes.map(async (n) => {
      const apiVersion = n.group ? `${n.group}/${n.version ?? 'v1'}` : (n.version ?? 'v1');
      const spec: ObjectRef = {
        apiVersion,
        kind: n.kind,
        metadata: { name: n.name, ...(n.namespace ? { namespace: n.namespace } : {}) },
      };
      const live = await api.read<KubeObject>(spec).catch(() => undefined);
      out.set(refOf(n), {
        ref: refOf(n),
        kind: n.kind,
        uid: live?.metadata?.uid,
        labels: live?.metadata?.labels ?? {},
        annotations: live?.metadata?.annotations ?? {},
      });
    }),
  );
  return out;
}

function changedKeys(before: Map<string, Seen>, after: Map<string, Seen>): string[] {
  const keys = new Set<string>();
  for (const [ref, b] of before) {
    const a = after.get(ref);
    if (!a?.uid) continue;
    for (const [k, v] of Object.entries(a.labels)) if (b.labels[k] !== v) keys.add(`label ${k}`);
    for (const [k, v] of Object.entries(a.annotations))
      if (b.annotations[k] !== v) keys.add(`annotation ${k}`);
    for (const k of Object.keys(b.labels)) if (!(k in a.labels)) keys.add(`label ${k} (removed)`);
    for (const k of Object.keys(b.annotations))
      if (!(k in a.annotations)) keys.add(`annotation ${k} (removed)`);
  }
  return [...keys].sort();
}

/**
 * Moves one add-on from Argo CD to the native engine without touching its
 * workloads: `helm upgrade --install --take-ownership` adopts the live objects
 * (same UIDs, no Pod recreated; Helm adds its `managed-by` label and two
 * annotations), and the Application is deleted without cascade only after the
 * release verifies deployed and healthy. A failure leaves the add-on on Argo CD.
 * Repeating it after success answers `already` (the command is idempotent).
 */
export async function migrateAddonToNative(
  ctx: EngineContext,
  a: AddonMember,
  hash: string,
  stored: StoredRelease | undefined,
): Promise<MigrationReport> {
  if (!ctx.argocd)
    throw new AddonDeployError(a.name, 'cannot migrate to native: this agent has no Argo CD connection');
  const native: EngineContext = { ...ctx, engines: withEngine(ctx.engines, a.name, 'native') };
  const app = await mooringApplication(ctx.argocd, ctx.cluster, a.name);
  if (!app) {
    if (stored?.status === 'deployed')
      return {
        addon: a.name,
        namespace: a.namespace,
        revision: stored.version,
        already: true,
        objects: 0,
        replaced: [],
        podsBefore: [],
        podsAfter: [],
        metadataChanged: [],
        message: `already on the native engine (revision ${stored.version}), no Argo CD Application left`,
      };
    throw new AddonDeployError(
      a.name,
      'cannot migrate to native: no Argo CD Application of this add-on for this cluster and no Helm release',
    );
  }
  const e = migrationEligibility({ ...a, chart: a.chart }, app);
  if (!e.eligible) throw new MigrationBlockedError(e);
  const tree = await ctx.argocd.client.resourceTree(a.name);
  const nodes = (tree.nodes ?? []).filter((n) => n.kind !== 'Endpoints' && n.kind !== 'EndpointSlice');
  const before = await readTree(ctx, nodes);
  const r = await deployAddon(native, a, hash, stored, {
    force: true,
    description: 'Migrated from Argo CD (take ownership)',
  });
  const after = await readTree(ctx, nodes);
  const replaced = [...before.values()]
    .filter((b) => b.uid && after.get(b.ref)?.uid !== b.uid)
    .map((b) => b.ref);
  const pods = (m: Map<string, Seen>) =>
    [...m.values()]
      .filter((s) => s.kind === 'Pod' && s.uid)
      .map((s) => s.ref)
      .sort();
  const podsBefore = pods(before);
  const podsAfter = pods(after);
  const metadataChanged = changedKeys(before, after);
  const kept = before.size - replaced.length;
  return {
    addon: a.name,
    namespace: a.namespace,
    revision: r.revision,
    already: false,
    objects: before.size,
    replaced,
    podsBefore,
    podsAfter,
    metadataChanged,
    message:
      `adopted into Helm revision ${r.revision}; ${kept}/${before.size} objects kept their UIDs, ` +
      `${podsAfter.filter((p) => podsBefore.includes(p)).length}/${podsBefore.length} Pods kept; ` +
      'Application deleted without cascade',
  };
}

/**
 * Hands an add-on migrated to native back to Argo CD (a per-add-on rollback,
 * until Argo CD is decommissioned): its Application is written again and
 * synced over the live objects, then the Helm release storage is forgotten
 * (never uninstalled).
 */
export async function returnAddonToArgo(ctx: EngineContext, a: AddonMember, hash: string) {
  if (!ctx.argocd)
    throw new AddonDeployError(a.name, 'cannot return to Argo CD: this agent has no Argo CD connection');
  const argo: EngineContext = { ...ctx, engines: withEngine(ctx.engines, a.name, 'argocd') };
  return deployArgoAddon(argo, a, hash, { force: true });
}
