import { type KubeObject, objectRef, type StoredRelease } from '@mooring/kube';
import { parseAllDocuments } from 'yaml';
import type { ObjectDrift } from './types.ts';

/**
 * The field manager Helm 4's CLI applies with (`kube.ManagedFieldsManager = "helm"` in
 * cmd/helm): a targeted heal applies as the release's own manager, so Helm keeps owning
 * exactly the fields it owned and its next upgrade sees nothing foreign.
 */
export const HELM_FIELD_MANAGER = 'helm';

/** Helm's ownership markers (`setMetadataVisitor`): part of every object Helm applies. */
export const HELM_MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const HELM_RELEASE_NAME_ANNOTATION = 'meta.helm.sh/release-name';
export const HELM_RELEASE_NAMESPACE_ANNOTATION = 'meta.helm.sh/release-namespace';

/** How a drift is healed: server-side apply of the drifted objects only, or a whole `helm upgrade`. */
export type HealPlan = { path: 'apply'; objects: KubeObject[] } | { path: 'upgrade'; reason: string };

export interface HealPlanInput {
  /** The newest stored revision (undefined: no release). */
  release: StoredRelease | undefined;
  /** The release holds other content than Git (chart or values changed). */
  behindGit: boolean;
  drift: readonly ObjectDrift[];
  /** The objects of the release's stored manifest (as the sweep parsed them). */
  desired: readonly KubeObject[];
  /** Whether a kind is namespaced (from discovery); undefined when unknown. */
  namespaced: (apiVersion: string, kind: string) => boolean | undefined;
}

/**
 * Chooses the heal path (pure). The targeted path applies the drifted objects of
 * the stored manifest with Helm's field manager and writes no revision; it is
 * taken only when that is exactly what Helm's last apply did: the release is
 * `deployed`, holds what Git wants, and was applied server-side by Helm 4
 * (`apply_method: ssa`). Everything else is a whole `helm upgrade`.
 */
export function planHeal(input: HealPlanInput): HealPlan {
  const { release, drift } = input;
  if (!release) return { path: 'upgrade', reason: 'no release: it is installed' };
  if (release.status !== 'deployed')
    return { path: 'upgrade', reason: `release status is ${release.status}, not deployed` };
  if (input.behindGit)
    return { path: 'upgrade', reason: 'the release is behind Git: the chart or values changed' };
  if (drift.length === 0) return { path: 'upgrade', reason: 'no drifted object to apply' };
  if (release.applyMethod !== 'ssa')
    return {
      path: 'upgrade',
      reason: `revision ${release.version} was applied client-side (apply_method ${release.applyMethod ?? 'unset'}): only Helm's three-way merge undoes it`,
    };
  const byRef = new Map(input.desired.map((o) => [objectRef(o), o]));
  const objects: KubeObject[] = [];
  for (const d of drift) {
    const o = byRef.get(d.ref);
    if (!o) return { path: 'upgrade', reason: `${d.ref} is not in the stored manifest` };
    if (!o.metadata?.name) return { path: 'upgrade', reason: `${d.ref} has no name (generateName)` };
    objects.push(helmApplyObject(o, release, input.namespaced(o.apiVersion, o.kind)));
  }
  return { path: 'apply', objects };
}

/**
 * The object as Helm applies it: the rendered object, the release namespace for
 * namespaced kinds without one, and Helm's ownership label and annotations merged in
 * (`setMetadataVisitor`), so the applied field set equals Helm's own.
 */
export function helmApplyObject(
  o: KubeObject,
  release: { name: string; namespace: string },
  namespaced: boolean | undefined,
): KubeObject {
  const out = structuredClone(o);
  if (namespaced === false) delete out.metadata.namespace;
  else if (!out.metadata.namespace) out.metadata.namespace = release.namespace;
  out.metadata.labels = { ...out.metadata.labels, [HELM_MANAGED_BY_LABEL]: 'Helm' };
  out.metadata.annotations = {
    ...out.metadata.annotations,
    [HELM_RELEASE_NAME_ANNOTATION]: release.name,
    [HELM_RELEASE_NAMESPACE_ANNOTATION]: release.namespace,
  };
  return out;
}

/**
 * Refs of objects whose text Helm reads differently (pure): Helm converts manifests
 * with YAML 1.1 rules (`0644` is octal 420, `yes` is true), the engine parses YAML 1.2.
 * Such an object is not applied by the engine: the upgrade lets Helm apply it.
 */
export function yamlAmbiguous(manifest: string, refs: ReadonlySet<string>): string[] {
  const read = (version: '1.1' | '1.2') => {
    const m = new Map<string, string>();
    for (const doc of parseAllDocuments(manifest, { version })) {
      const o = doc.toJS() as KubeObject | null;
      if (!o || typeof o !== 'object' || !o.kind || !o.metadata?.name) continue;
      const key = `${o.kind}/${o.metadata.name}`;
      m.set(key, JSON.stringify(o));
    }
    return m;
  };
  const wanted = new Set([...refs].map((r) => `${r.split('/')[0]}/${r.split('/').at(-1)}`));
  const a = read('1.1');
  const b = read('1.2');
  return [...wanted].filter((k) => a.has(k) && a.get(k) !== b.get(k));
}

/** One field conflict of a server-side apply (the API server's `FieldManagerConflict` cause). */
export interface FieldConflict {
  manager: string;
  subresource?: string;
  field: string;
}

/** Conflicts from a 409 answer's `details.causes` (pure); empty when it is not a field conflict. */
export function fieldConflicts(body: unknown): FieldConflict[] {
  const causes = (body as { details?: { causes?: { reason?: string; message?: string; field?: string }[] } })
    ?.details?.causes;
  const out: FieldConflict[] = [];
  for (const c of causes ?? []) {
    if (c.reason !== 'FieldManagerConflict') continue;
    const m = /conflict with "([^"]+)"(?: with subresource "([^"]+)")?/.exec(c.message ?? '');
    if (!m) continue;
    out.push({ manager: m[1]!, ...(m[2] ? { subresource: m[2] } : {}), field: c.field ?? '' });
  }
  return out;
}

/**
 * Whether the targeted apply may force at once (pure), from the managers of the
 * cached object: when no manager but Helm declares fields of the object with its
 * own server-side apply, a conflict can only be with imperative edits, which Git
 * overrides (`decideConflict` would force anyway), so the apply saves a refused
 * request and a read. Unknown managers (no cached object): no.
 */
export function mayForce(
  managedFields: readonly { manager?: string; operation?: string; subresource?: string }[] | undefined,
): boolean {
  if (!managedFields) return false;
  return !managedFields.some(
    (m) => m.operation === 'Apply' && m.manager !== HELM_FIELD_MANAGER && !m.subresource,
  );
}

/** What to do about field conflicts: take the fields back, or leave the object to `helm upgrade`. */
export type ConflictDecision = { force: true } | { force: false; reason: string };

/**
 * Decides a conflict (pure). Fields changed by an imperative edit (`kubectl scale`,
 * `edit`, `patch`: managers whose entries are all `Update` operations) are taken back,
 * as the upgrade would with `--force-conflicts`: Git wins. A field that another manager
 * declares with its own server-side apply (an `Apply` entry) is not taken silently by
 * the targeted path; the heal falls back to `helm upgrade`, which records a revision.
 */
export function decideConflict(
  conflicts: readonly FieldConflict[],
  managedFields: readonly { manager?: string; operation?: string; subresource?: string }[],
): ConflictDecision {
  if (conflicts.length === 0) return { force: false, reason: 'conflict without field details' };
  for (const c of conflicts) {
    const applies = managedFields.some(
      (m) =>
        m.manager === c.manager && m.operation === 'Apply' && (m.subresource ?? '') === (c.subresource ?? ''),
    );
    if (applies)
      return {
        force: false,
        reason: `${c.field} is declared by field manager "${c.manager}" with its own server-side apply`,
      };
  }
  return { force: true };
}
