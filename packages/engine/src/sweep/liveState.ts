import {
  decodeReleaseSecret,
  type KubeConfig,
  type KubeObject,
  type StoredRelease,
  type Secret as V1Secret,
  WatchCache,
} from '@mooring/kube';
import { parseManifest } from '../manifestText.ts';

/** A decoded revision as the sweep reads it: the release and the objects of its manifest. */
interface Decoded {
  rv: string;
  release: StoredRelease;
  /** Every object of the newest revision; only identities (apiVersion, kind, name, namespace) of older ones. */
  objects: KubeObject[];
  full: boolean;
}

/**
 * Live state for sweeps, served from two shared watch caches: Helm release
 * storage Secrets (`owner=helm`, kept decoded without their payload) and the
 * objects of every kind the releases use. Parsed manifests are memoised by
 * resourceVersion, so a quiet sweep decodes nothing and calls nothing.
 */
export class LiveState {
  readonly releases: WatchCache;
  readonly objects: WatchCache;
  private readonly decoded = new Map<string, Decoded>();
  private readonly ownsObjects: boolean;

  /** `ownsObjects: false`: the object cache is shared, and `stop` leaves it running. */
  constructor(releases: WatchCache, objects: WatchCache, opts: { ownsObjects?: boolean } = {}) {
    this.releases = releases;
    this.objects = objects;
    this.ownsObjects = opts.ownsObjects ?? true;
    // a deleted revision (history limit, uninstall) leaves the memo too
    releases.subscribe((e) => {
      if (e.type === 'DELETED')
        this.decoded.delete(`${e.object.metadata.namespace}/${e.object.metadata.name}`);
    });
  }

  async start(): Promise<void> {
    await this.releases.ensure('v1', 'Secret');
  }

  /** Stops the release cache, and the object cache when this state made it. */
  stop(): void {
    this.releases.stop();
    if (this.ownsObjects) this.objects.stop();
  }

  /** Every stored revision of a release, oldest first (from the cache); older revisions carry object identities only. */
  history(name: string, namespace: string): { release: StoredRelease; objects: KubeObject[] }[] {
    const secrets: KubeObject[] = [];
    for (const s of this.releases.list('v1', 'Secret')) {
      const l = s.metadata.labels ?? {};
      if (s.metadata.namespace !== namespace || l.name !== name || l.owner !== 'helm') continue;
      if ((s as { type?: string }).type !== 'helm.sh/release.v1') continue;
      secrets.push(s);
    }
    secrets.sort((a, b) => Number(a.metadata.labels?.version) - Number(b.metadata.labels?.version));
    const out = secrets.map((s, i) => this.decode(s, i === secrets.length - 1));
    return out.sort((a, b) => a.release.version - b.release.version);
  }

  latest(name: string, namespace: string): { release: StoredRelease; objects: KubeObject[] } | undefined {
    const h = this.history(name, namespace);
    return h[h.length - 1];
  }

  private decode(s: KubeObject, newest: boolean): Decoded {
    const key = `${s.metadata.namespace}/${s.metadata.name}`;
    const rv = s.metadata.resourceVersion ?? '';
    const hit = this.decoded.get(key);
    if (hit && hit.rv === rv) {
      if (hit.full === newest) return hit;
      if (hit.full) {
        // superseded: only the identities are needed (prune compares keys)
        const slim: Decoded = { ...hit, objects: hit.objects.map(identity), full: false };
        this.decoded.set(key, slim);
        return slim;
      }
    }
    const release = releaseOf(s);
    const objects = parseManifest(release.manifest, release.namespace);
    const entry: Decoded = newest
      ? { rv, release, objects, full: true }
      : { rv, release, objects: objects.map(identity), full: false };
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

/** Where the release cache keeps a decoded revision on its Secret. */
const RELEASE_FIELD = 'mooringRelease';

/**
 * What the release cache keeps of a helm.sh/release.v1 Secret: its metadata and
 * the decoded release, without the payload (Helm's gzip of the whole chart, its
 * templates and values), the values and the hooks, which the sweep never reads.
 * A payload that cannot be decoded keeps the Secret as it is.
 */
export function summarizeReleaseSecret(s: KubeObject): KubeObject {
  if ((s as { type?: string }).type !== 'helm.sh/release.v1' || !(s as { data?: unknown }).data) return s;
  try {
    const release = decodeReleaseSecret(s as unknown as V1Secret);
    const { data: _payload, ...rest } = s as KubeObject & { data?: unknown };
    return { ...rest, [RELEASE_FIELD]: { ...release, config: {}, hooks: [] } } as KubeObject;
  } catch {
    return s;
  }
}

function releaseOf(s: KubeObject): StoredRelease {
  const kept = (s as Record<string, unknown>)[RELEASE_FIELD] as StoredRelease | undefined;
  return kept ?? decodeReleaseSecret(s as unknown as V1Secret);
}

const identity = (o: KubeObject): KubeObject => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) },
});

/** The cache of Helm's release storage: owner=helm Secrets, kept decoded without their payload. */
export function releaseCache(kc: KubeConfig): WatchCache {
  return new WatchCache(kc, { labelSelector: 'owner=helm', transform: summarizeReleaseSecret });
}

/** Live state over the two caches a sweep reads; `objects`: a shared object cache to read (left running on stop). */
export function createLiveState(kc: KubeConfig, objects?: WatchCache): LiveState {
  return objects
    ? new LiveState(releaseCache(kc), objects, { ownsObjects: false })
    : new LiveState(releaseCache(kc), objectCache(kc));
}
