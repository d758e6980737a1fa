import { objectRef } from '../health/aggregate.ts';
import type { K8sObject } from '../health/types.ts';
import { compareSubset, type DiffChange } from './compare.ts';
import { type IgnoredPath, type IgnoreRule, ignoredPaths } from './ignore.ts';
import type { ManagedFieldsEntry } from './managedFields.ts';
import { normalizeForDiff } from './normalize.ts';
import { changesToPatch, type JsonPatchOperation } from './patch.ts';
import { removePaths } from './pointer.ts';
import { renderDiffText } from './text.ts';

export type DiffOptions = {
  /**
   * The live object's `metadata.managedFields`, for `managed_fields_managers` rules. Pass them here when
   * the object cache strips managedFields to save memory; otherwise they are read from `live`.
   */
  managedFields?: readonly ManagedFieldsEntry[];
};

export type DiffResult = {
  /** Whether the live object differs from the desired one (after normalisation and ignore rules). */
  drifted: boolean;
  /** The live object does not exist (always drift). */
  missing: boolean;
  /** The differences, paths into the live object. */
  changes: DiffChange[];
  /** RFC 6902 patch that restores the desired fields on the live object. */
  patch: JsonPatchOperation[];
  /** Human-readable unified-style diff; empty when not drifted. */
  text: string;
  /** What the ignore rules removed from each side before comparing. */
  ignored: { desired: IgnoredPath[]; live: IgnoredPath[] };
};

function liveManagedFields(live: K8sObject, options: DiffOptions): readonly ManagedFieldsEntry[] {
  if (options.managedFields) return options.managedFields;
  const mf = live.metadata?.managedFields;
  return Array.isArray(mf) ? (mf as ManagedFieldsEntry[]) : [];
}

type Prepared = {
  desired: K8sObject;
  live: K8sObject;
  ignored: { desired: IgnoredPath[]; live: IgnoredPath[] };
};

function prepare(
  desired: K8sObject,
  live: K8sObject,
  rules: readonly IgnoreRule[],
  options: DiffOptions,
): Prepared {
  const d = normalizeForDiff(desired);
  const l = normalizeForDiff(live, { desired });
  const managed = liveManagedFields(live, options);
  // rendered manifests often leave the namespace to Helm: select on the live one then
  const identity: K8sObject = {
    ...desired,
    metadata: { ...desired.metadata, namespace: desired.metadata?.namespace ?? live.metadata?.namespace },
  };
  const ignoredDesired = ignoredPaths(d, identity, rules, managed);
  const ignoredLive = ignoredPaths(l, identity, rules, managed);
  return {
    desired: (removePaths(d, new Set(ignoredDesired.map((p) => p.pointer))) ?? {}) as K8sObject,
    live: (removePaths(l, new Set(ignoredLive.map((p) => p.pointer))) ?? {}) as K8sObject,
    ignored: { desired: ignoredDesired, live: ignoredLive },
  };
}

const DATA_MAPS: ReadonlySet<string> = new Set(['/data', '/binaryData']);
const NO_MAPS: ReadonlySet<string> = new Set();

/** ConfigMap and Secret payloads are compared key for key: nothing defaults keys there. */
function exactMapsFor(obj: K8sObject): ReadonlySet<string> {
  return obj.apiVersion === 'v1' && (obj.kind === 'ConfigMap' || obj.kind === 'Secret') ? DATA_MAPS : NO_MAPS;
}

/**
 * Drift of one object: does the live object still contain the desired (rendered) one?
 *
 * Both sides are normalised (`normalizeForDiff`), the ignore rules remove their subtrees from both,
 * and the desired object must then be a subset of the live one (`compareSubset`): fields the API
 * server defaults are not drift, a changed or removed desired field is (and, for ConfigMap/Secret
 * `data`, an added key). A missing live object is
 * drift with `missing: true`.
 */
export function diffObject(
  desired: K8sObject,
  live: K8sObject | null | undefined,
  rules: readonly IgnoreRule[] = [],
  options: DiffOptions = {},
): DiffResult {
  const ref = objectRef(desired);
  if (live === null || live === undefined) {
    const value = normalizeForDiff(desired);
    const changes: DiffChange[] = [{ path: '', op: 'add', desired: value }];
    return {
      drifted: true,
      missing: true,
      changes,
      patch: changesToPatch(changes),
      text: renderDiffText(changes, ref),
      ignored: { desired: [], live: [] },
    };
  }
  const p = prepare(desired, live, rules, options);
  const changes = compareSubset(p.desired, p.live, { exactMaps: exactMapsFor(desired) });
  return {
    drifted: changes.length > 0,
    missing: false,
    changes,
    patch: changesToPatch(changes),
    text: renderDiffText(changes, ref),
    ignored: p.ignored,
  };
}

/** One ignored path in a preview, with the side it was found on. */
export type IgnorePreviewPath = IgnoredPath & { side: 'desired' | 'live' };

export type IgnorePreview = {
  /** Every subtree the rules would leave out, per side. */
  paths: IgnorePreviewPath[];
  /** Changes that would count as drift without the rules and do not with them. */
  suppressed: DiffChange[];
  /** Whether the object would still be drifted with the rules applied. */
  driftedWithRules: boolean;
};

/** "What would be ignored": the ignored paths and the drift the rules hide, without changing anything. */
export function whatWouldBeIgnored(
  desired: K8sObject,
  live: K8sObject | null | undefined,
  rules: readonly IgnoreRule[],
  options: DiffOptions = {},
): IgnorePreview {
  const withRules = diffObject(desired, live, rules, options);
  const without = diffObject(desired, live, [], options);
  const kept = new Set(withRules.changes.map((c) => `${c.op} ${c.path}`));
  return {
    paths: [
      ...withRules.ignored.desired.map((p): IgnorePreviewPath => ({ ...p, side: 'desired' })),
      ...withRules.ignored.live.map((p): IgnorePreviewPath => ({ ...p, side: 'live' })),
    ],
    suppressed: without.changes.filter((c) => !kept.has(`${c.op} ${c.path}`)),
    driftedWithRules: withRules.drifted,
  };
}
