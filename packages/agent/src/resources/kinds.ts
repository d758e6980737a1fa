import type { ResourceKind } from '@mooring/bus';

/** A kind the agent streams, with where the API server serves it. */
export interface StreamedKind extends ResourceKind {
  /** `/api/v1` or `/apis/{group}/{version}`. */
  base: string;
  plural: string;
}

function kindOf(apiVersion: string, plural: string, kind: string, namespaced: boolean): StreamedKind {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  return {
    key: group ? `${plural}.${group}` : plural,
    kind,
    api_version: apiVersion,
    namespaced,
    base: group ? `/apis/${apiVersion}` : `/api/${apiVersion}`,
    plural,
  };
}

/** The kinds streamed always (26); `DYNAMIC_API_DISCOVERY_ENABLED` adds every other served one. */
export const BUILTIN_KINDS: readonly StreamedKind[] = [
  kindOf('v1', 'namespaces', 'Namespace', false),
  kindOf('v1', 'nodes', 'Node', false),
  kindOf('v1', 'pods', 'Pod', true),
  kindOf('apps/v1', 'deployments', 'Deployment', true),
  kindOf('apps/v1', 'replicasets', 'ReplicaSet', true),
  kindOf('apps/v1', 'statefulsets', 'StatefulSet', true),
  kindOf('apps/v1', 'daemonsets', 'DaemonSet', true),
  kindOf('batch/v1', 'jobs', 'Job', true),
  kindOf('batch/v1', 'cronjobs', 'CronJob', true),
  kindOf('v1', 'services', 'Service', true),
  kindOf('discovery.k8s.io/v1', 'endpointslices', 'EndpointSlice', true),
  kindOf('networking.k8s.io/v1', 'ingresses', 'Ingress', true),
  kindOf('networking.k8s.io/v1', 'networkpolicies', 'NetworkPolicy', true),
  kindOf('v1', 'configmaps', 'ConfigMap', true),
  kindOf('v1', 'secrets', 'Secret', true),
  kindOf('v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true),
  kindOf('v1', 'persistentvolumes', 'PersistentVolume', false),
  kindOf('storage.k8s.io/v1', 'storageclasses', 'StorageClass', false),
  kindOf('v1', 'serviceaccounts', 'ServiceAccount', true),
  kindOf('rbac.authorization.k8s.io/v1', 'roles', 'Role', true),
  kindOf('rbac.authorization.k8s.io/v1', 'rolebindings', 'RoleBinding', true),
  kindOf('rbac.authorization.k8s.io/v1', 'clusterroles', 'ClusterRole', false),
  kindOf('rbac.authorization.k8s.io/v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  kindOf('apiextensions.k8s.io/v1', 'customresourcedefinitions', 'CustomResourceDefinition', false),
  kindOf('autoscaling/v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true),
  kindOf('v1', 'events', 'Event', true),
];

/** Groups discovery leaves out: `events.k8s.io` serves the same objects as the core `events`. */
const SKIPPED_GROUPS = new Set(['events.k8s.io']);

/** What `/api/v1` or `/apis/{group}/{version}` answers (an `APIResourceList`). */
export interface ApiResourceList {
  groupVersion: string;
  resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[];
}

/**
 * The kinds discovery adds to the built-in ones (pure): every resource of the given
 * lists (the preferred version of each served group) that can be listed and watched,
 * not a subresource, not built in already.
 */
export function discoveredKinds(lists: readonly ApiResourceList[]): StreamedKind[] {
  const known = new Set(BUILTIN_KINDS.map((k) => k.key));
  const out: StreamedKind[] = [];
  for (const l of lists) {
    const group = l.groupVersion.includes('/') ? l.groupVersion.split('/')[0] : '';
    if (group && SKIPPED_GROUPS.has(group)) continue;
    for (const r of l.resources) {
      if (r.name.includes('/') || !r.verbs.includes('list') || !r.verbs.includes('watch')) continue;
      const k = kindOf(l.groupVersion, r.name, r.kind, r.namespaced);
      if (known.has(k.key)) continue;
      known.add(k.key);
      out.push(k);
    }
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** `{ groups: [{ preferredVersion: { groupVersion } }] }` of `/apis` → the group versions to read. */
export function preferredGroupVersions(apis: {
  groups?: { name: string; preferredVersion?: { groupVersion: string } }[];
}): string[] {
  return (apis.groups ?? [])
    .filter((g) => !SKIPPED_GROUPS.has(g.name) && g.preferredVersion)
    .map((g) => g.preferredVersion?.groupVersion as string);
}

/** The message form of a kind (without where it is served). */
export function kindInfo(k: StreamedKind): ResourceKind {
  return { key: k.key, kind: k.kind, api_version: k.api_version, namespaced: k.namespaced };
}
