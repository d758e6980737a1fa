import { type HealthStatus, resourceHealth } from '@mooring/core';
import type { KubeObject } from '@mooring/kube';

/** One object of an add-on's resource tree, with what it owns below it. */
export interface TreeNode {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  health: HealthStatus;
  message?: string;
  children: TreeNode[];
}

/** An object the release declares that is not in the cluster. */
const missing = (o: KubeObject): TreeNode => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name ?? '',
  ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  health: 'Missing',
  message: 'not in the cluster',
  children: [],
});

/**
 * The resource tree of a release (pure): each object the release declares, read live by
 * `live`, with the objects that name it in their `ownerReferences` below it, recursively
 * (Deployment → ReplicaSet → Pod, CronJob → Job → Pod, StatefulSet → Pod).
 * `owned` are the candidates for children (e.g. the namespace's ReplicaSets, Jobs and Pods).
 */
export function resourceTree(
  declared: readonly KubeObject[],
  live: (o: KubeObject) => KubeObject | undefined,
  owned: readonly KubeObject[],
): TreeNode[] {
  const byOwner = new Map<string, KubeObject[]>();
  for (const o of owned) {
    for (const ref of (o.metadata.ownerReferences as { uid?: string }[] | undefined) ?? []) {
      if (!ref.uid) continue;
      const list = byOwner.get(ref.uid) ?? [];
      list.push(o);
      byOwner.set(ref.uid, list);
    }
  }
  const node = (o: KubeObject, seen: Set<string>): TreeNode => {
    const uid = o.metadata.uid as string | undefined;
    const h = resourceHealth(o as Parameters<typeof resourceHealth>[0]);
    const children =
      uid && !seen.has(uid)
        ? (byOwner.get(uid) ?? [])
            .map((c) => node(c, new Set([...seen, uid])))
            .sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`))
        : [];
    return {
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name ?? '',
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      health: h.status,
      ...(h.message ? { message: h.message } : {}),
      children,
    };
  };
  return declared.map((d) => {
    const o = live(d);
    return o ? node(o, new Set()) : missing(d);
  });
}

/** Events about the objects of a tree, newest first (pure). */
export function eventsOf(
  events: readonly KubeObject[],
  tree: readonly TreeNode[],
  limit: number,
): AddonEvent[] {
  const wanted = new Set<string>();
  const walk = (n: TreeNode) => {
    wanted.add(`${n.kind}/${n.namespace ?? ''}/${n.name}`);
    for (const c of n.children) walk(c);
  };
  for (const n of tree) walk(n);
  const out: AddonEvent[] = [];
  for (const e of events) {
    const io = e.involvedObject as { kind?: string; namespace?: string; name?: string } | undefined;
    if (!io || !wanted.has(`${io.kind}/${io.namespace ?? ''}/${io.name}`)) continue;
    const at =
      (e.lastTimestamp as string | undefined) ??
      (e.eventTime as string | undefined) ??
      (e.metadata.creationTimestamp as string | undefined) ??
      '';
    out.push({
      type: String(e.type ?? 'Normal'),
      reason: String(e.reason ?? ''),
      message: String(e.message ?? ''),
      object: `${io.kind}/${io.name}`,
      count: Number(e.count ?? 1),
      last_seen: at,
    });
  }
  return out
    .sort((a, b) => (a.last_seen < b.last_seen ? 1 : a.last_seen > b.last_seen ? -1 : 0))
    .slice(0, limit);
}

export interface AddonEvent {
  type: string;
  reason: string;
  message: string;
  object: string;
  count: number;
  last_seen: string;
}

const HEALTHS: ReadonlySet<string> = new Set([
  'Healthy',
  'Suspended',
  'Progressing',
  'Missing',
  'Degraded',
  'Unknown',
]);

/**
 * The resource tree of an add-on on the argocd engine (pure), from Argo CD's
 * resource tree: nodes without a parent in the tree are the roots, each node's
 * children are the nodes naming it in `parentRefs` (by uid, else kind/namespace/name).
 */
export function argoResourceTree(
  nodes: readonly {
    group?: string;
    version?: string;
    kind: string;
    namespace?: string;
    name: string;
    uid?: string;
    parentRefs?: { kind: string; namespace?: string; name: string; uid?: string }[];
    health?: { status?: string; message?: string };
  }[],
): TreeNode[] {
  const keyOf = (n: { kind: string; namespace?: string; name: string }) =>
    `${n.kind}/${n.namespace ?? ''}/${n.name}`;
  const known = new Set<string>();
  for (const n of nodes) {
    known.add(keyOf(n));
    if (n.uid) known.add(n.uid);
  }
  const children = new Map<string, (typeof nodes)[number][]>();
  const roots: (typeof nodes)[number][] = [];
  for (const n of nodes) {
    const parent = (n.parentRefs ?? []).find((p) => (p.uid && known.has(p.uid)) || known.has(keyOf(p)));
    if (!parent) roots.push(n);
    else {
      const k = parent.uid && known.has(parent.uid) ? parent.uid : keyOf(parent);
      children.set(k, [...(children.get(k) ?? []), n]);
    }
  }
  const build = (n: (typeof nodes)[number], seen: Set<string>): TreeNode => {
    const status = n.health?.status;
    const kids = [...(children.get(n.uid ?? '') ?? []), ...(children.get(keyOf(n)) ?? [])].filter(
      (c) => !seen.has(keyOf(c)),
    );
    const next = new Set([...seen, keyOf(n)]);
    return {
      apiVersion: n.group ? `${n.group}/${n.version ?? ''}` : (n.version ?? 'v1'),
      kind: n.kind,
      name: n.name,
      ...(n.namespace ? { namespace: n.namespace } : {}),
      health: (status && HEALTHS.has(status) ? status : status ? 'Unknown' : 'Healthy') as HealthStatus,
      ...(n.health?.message ? { message: n.health.message } : {}),
      children: kids.map((c) => build(c, next)),
    };
  };
  return roots.map((r) => build(r, new Set()));
}
