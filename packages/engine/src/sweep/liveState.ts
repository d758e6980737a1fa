import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { decodeReleaseSecret, type KubeObject, type StoredRelease, WatchCache } from '@mooring/kube';
import { parseManifest } from '../manifestText.ts';

/**
 * Live state for sweeps, served from two shared watch caches: Helm release
 * storage Secrets (`owner=helm`) and the objects of every kind the releases use.
 * Decoded releases and parsed manifests are memoised by resourceVersion, so a
 * quiet sweep decodes nothing and calls nothing.
 */
export class LiveState {
  readonly releases: WatchCache;
  readonly objects: WatchCache;
  private readonly decoded = new Map<string, { rv: string; release: StoredRelease; objects: KubeObject[] }>();

  constructor(releases: WatchCache, objects: WatchCache) {
    this.releases = releases;
    this.objects = objects;
  }

  async start(): Promise<void> {
    await this.releases.ensure('v1', 'Secret');
  }

  /** Every stored revision of a release, oldest first (from the cache). */
  history(name: string, namespace: string): { release: StoredRelease; objects: KubeObject[] }[] {
    const out: { release: StoredRelease; objects: KubeObject[] }[] = [];
    for (const s of this.releases.list('v1', 'Secret')) {
      const l = s.metadata.labels ?? {};
      if (s.metadata.namespace !== namespace || l.name !== name || l.owner !== 'helm') continue;
      if ((s as { type?: string }).type !== 'helm.sh/release.v1') continue;
      out.push(this.decode(s));
    }
    return out.sort((a, b) => a.release.version - b.release.version);
  }

  latest(name: string, namespace: string): { release: StoredRelease; objects: KubeObject[] } | undefined {
    const h = this.history(name, namespace);
    return h[h.length - 1];
  }

  private decode(s: KubeObject): { release: StoredRelease; objects: KubeObject[] } {
    const key = `${s.metadata.namespace}/${s.metadata.name}`;
    const rv = s.metadata.resourceVersion ?? '';
    const hit = this.decoded.get(key);
    if (hit && hit.rv === rv) return hit;
    const release = decodeReleaseSecret(s as unknown as V1Secret);
    const entry = { rv, release, objects: parseManifest(release.manifest, release.namespace) };
    this.decoded.set(key, entry);
    return entry;
  }

  /** Makes sure every kind in `objects` is watched; returns kinds that could not be (unknown to the cluster). */
  async ensureKinds(objects: KubeObject[]): Promise<string[]> {
    const kinds = new Map<string, [string, string]>();
    for (const o of objects) kinds.set(`${o.apiVersion}/${o.kind}`, [o.apiVersion, o.kind]);
    const failed: string[] = [];
    await Promise.all(
      [...kinds.values()].map(async ([v, k]) => {
        try {
          await this.objects.ensure(v, k);
        } catch {
          failed.push(`${v}/${k}`);
        }
      }),
    );
    return failed;
  }

  /** The live object for a desired one; namespaced kinds default to the release namespace. */
  live(o: KubeObject): KubeObject | undefined {
    const namespaced = this.objects.isNamespaced(o.apiVersion, o.kind);
    return this.objects.get(
      o.apiVersion,
      o.kind,
      namespaced ? o.metadata.namespace : undefined,
      o.metadata.name,
    );
  }

  /** Objects of the watched kinds that carry this release's Helm ownership annotations. */
  owned(release: string, namespace: string, kinds: { apiVersion: string; kind: string }[]): KubeObject[] {
    const out: KubeObject[] = [];
    const seen = new Set<string>();
    for (const { apiVersion, kind } of kinds) {
      if (seen.has(`${apiVersion}/${kind}`)) continue;
      seen.add(`${apiVersion}/${kind}`);
      for (const o of this.objects.list(apiVersion, kind)) {
        const a = o.metadata.annotations ?? {};
        if (a['meta.helm.sh/release-name'] === release && a['meta.helm.sh/release-namespace'] === namespace)
          out.push(o);
      }
    }
    return out;
  }

  /** True when every kind involved is synced and its watch is running. */
  complete(kinds: { apiVersion: string; kind: string }[]): boolean {
    return (
      this.releases.isHealthy('v1', 'Secret') &&
      kinds.every((k) => this.objects.isHealthy(k.apiVersion, k.kind))
    );
  }
}

/** A cache of live objects for the kinds releases use; Secrets without Helm's release storage (the other cache holds it). */
export function objectCache(kc: KubeConfig): WatchCache {
  return new WatchCache(kc, {
    selectorFor: (v, k) => (v === 'v1' && k === 'Secret' ? 'owner!=helm' : undefined),
  });
}

/** Live state over the two caches a sweep reads. */
export function createLiveState(kc: KubeConfig): LiveState {
  return new LiveState(new WatchCache(kc, { labelSelector: 'owner=helm' }), objectCache(kc));
}
