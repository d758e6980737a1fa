import type { K8sObject } from '../health/types.ts';

/** metadata fields the API server writes; never part of a rendered manifest. */
export const SERVER_METADATA_FIELDS: readonly string[] = [
  'managedFields',
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];

/** Annotations written by kubectl, Helm or controllers, stripped from both sides. */
export const INJECTED_ANNOTATIONS: readonly string[] = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'meta.helm.sh/release-name',
  'meta.helm.sh/release-namespace',
];

/** Labels Helm adds; `helm.sh/chart` only counts when the desired object declares it. */
export const HELM_CHART_LABEL = 'helm.sh/chart';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

export type NormalizeOptions = {
  /**
   * The desired (rendered) object, when normalising a live one: labels that Helm adds are kept only
   * when the desired object declares them too.
   */
  desired?: K8sObject | null;
};

function clone<T>(v: T): T {
  return structuredClone(v);
}

function utf8Base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * A copy of `obj` without what Helm and the API server inject, so a rendered manifest and the live
 * object can be compared: server metadata (managedFields, resourceVersion, uid, generation,
 * creationTimestamp, selfLink, deletionTimestamp), `status`, the last-applied and Deployment revision
 * annotations, Helm's release annotations and `app.kubernetes.io/managed-by: Helm` label, and
 * `helm.sh/chart` unless `options.desired` declares it. A Secret's `stringData` becomes base64 `data`,
 * as the API server stores it. Empty label/annotation maps are dropped.
 */
export function normalizeForDiff(obj: K8sObject, options: NormalizeOptions = {}): K8sObject {
  const out = clone(obj);
  delete out.status;
  const meta = out.metadata;
  if (meta) {
    for (const f of SERVER_METADATA_FIELDS) delete meta[f];
    if (meta.annotations) {
      for (const a of INJECTED_ANNOTATIONS) delete meta.annotations[a];
      if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
    }
    if (meta.labels) {
      const desiredLabels = options.desired?.metadata?.labels ?? {};
      if (meta.labels[MANAGED_BY_LABEL] === 'Helm' && desiredLabels[MANAGED_BY_LABEL] === undefined) {
        delete meta.labels[MANAGED_BY_LABEL];
      }
      if (options.desired !== undefined && desiredLabels[HELM_CHART_LABEL] === undefined) {
        delete meta.labels[HELM_CHART_LABEL];
      }
      if (Object.keys(meta.labels).length === 0) delete meta.labels;
    }
    if (Object.keys(meta).length === 0) delete out.metadata;
  }
  if (
    out.kind === 'Secret' &&
    out.apiVersion === 'v1' &&
    out.stringData &&
    typeof out.stringData === 'object'
  ) {
    const data: Record<string, unknown> = { ...((out.data as Record<string, unknown> | undefined) ?? {}) };
    for (const [k, v] of Object.entries(out.stringData as Record<string, unknown>)) {
      data[k] = utf8Base64(String(v));
    }
    out.data = data;
    delete out.stringData;
  }
  return out;
}
