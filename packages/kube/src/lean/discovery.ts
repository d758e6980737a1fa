import type { KubeConfig } from './kubeConfig.ts';
import { kubeRequest } from './transport.ts';

/** What discovery says of a kind: its resource (plural) name and whether it is namespaced. */
export interface ApiResource {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
}

interface ResourceList {
  resources: ApiResource[];
}

/** The discovery path of an apiVersion: `/api/v1` for the core group, `/apis/<group>/<version>` otherwise (pure). */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/**
 * The path of a resource (pure): `/apis/apps/v1/namespaces/ns/deployments/name`; without a
 * namespace, across all of them (or the cluster-scoped path); without a name, the collection.
 */
export function resourcePath(
  apiVersion: string,
  plural: string,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  let p = groupVersionPath(apiVersion);
  if (namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${plural}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (name && subresource) p += `/${subresource}`;
  return p;
}

const caches = new WeakMap<KubeConfig, Map<string, Promise<ResourceList>>>();

/**
 * Kind → resource, from the API server's discovery, cached per apiVersion. A kind the cached
 * list does not have (a CRD just created) makes one more discovery request; undefined when
 * the API server serves no such kind (or no such apiVersion).
 */
export async function discoverResource(
  kc: KubeConfig,
  apiVersion: string,
  kind: string,
): Promise<ApiResource | undefined> {
  let cache = caches.get(kc);
  if (!cache) {
    cache = new Map();
    caches.set(kc, cache);
  }
  const find = (l: ResourceList) => l.resources.find((r) => r.kind === kind && !r.name.includes('/'));
  const cached = cache.get(apiVersion);
  if (cached) {
    const hit = await cached.then(find, () => undefined);
    if (hit) return hit;
  }
  const fresh = kubeRequest<ResourceList>(kc, { path: groupVersionPath(apiVersion) }).then((l) => ({
    resources: (l?.resources ?? []).map((r) => ({
      name: r.name,
      namespaced: r.namespaced,
      kind: r.kind,
      ...(r.verbs ? { verbs: r.verbs } : {}),
    })),
  }));
  cache.set(apiVersion, fresh);
  try {
    return find(await fresh);
  } catch (e) {
    cache.delete(apiVersion);
    if ((e as { code?: unknown }).code === 404) return undefined;
    throw e;
  }
}
