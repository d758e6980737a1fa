import type { KubeConfig } from './lean/kubeConfig.ts';
import { ObjectApi } from './lean/objectApi.ts';
import { Watch } from './lean/watch.ts';
import type { KubeObject } from './objects.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: WatchEventType;
  object: KubeObject;
}

interface Reflector {
  apiVersion: string;
  kind: string;
  path: string;
  namespaced: boolean;
  objects: Map<string, KubeObject>;
  resourceVersion: string;
  synced: boolean;
  /** False while the watch is broken or a relist is running: the cache may be stale or partial. */
  healthy: boolean;
  lastError?: string;
  abort?: AbortController;
  ready: Promise<void>;
}

const keyOf = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
}

/**
 * Drops what the cache does not need: the field sets of managedFields (the
 * largest part of most objects; only who manages the object and how is kept:
 * `{manager, operation, subresource}`) and kubectl's last-applied-configuration
 * annotation (a second copy of the object; drift comparison ignores it).
 */
export function stripForCache(o: KubeObject): KubeObject {
  const annotations = o.metadata?.annotations;
  const lastApplied = !!annotations && LAST_APPLIED in annotations;
  const managed = o.metadata?.managedFields as ManagedFieldsEntry[] | undefined;
  if (!managed && !lastApplied) return o;
  const { managedFields: _fields, ...metadata } = o.metadata;
  if (Array.isArray(managed))
    metadata.managedFields = managed.map((m) => ({
      manager: m.manager,
      operation: m.operation,
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
  if (lastApplied) {
    const { [LAST_APPLIED]: _a, ...rest } = annotations;
    metadata.annotations = rest;
  }
  return { ...o, metadata: metadata as KubeObject['metadata'] };
}

/** How long a watch is kept open by the server before it is opened again. */
const WATCH_SERVER_TIMEOUT_S = 290;
/** A watch silent for this long (no event, no bookmark) is taken as broken: listed again. */
const WATCH_SILENCE_MS = 330_000;

/**
 * A shared list+watch cache: one reflector per kind in use, across all
 * namespaces, objects kept without managedFields. Reads are served from memory,
 * so a quiet reconcile sweep makes no API calls; subscribers hear every change
 * within the watch latency.
 */
export class WatchCache {
  private readonly kc: KubeConfig;
  private readonly client: ObjectApi;
  private readonly reflectors = new Map<string, Reflector>();
  /** Kinds being started: concurrent ensure() calls share one reflector. */
  private readonly starting = new Map<string, Promise<Reflector>>();
  private readonly listeners = new Set<(e: CacheEvent) => void>();
  private readonly labelSelector?: string;
  private readonly selectorFor?: (apiVersion: string, kind: string) => string | undefined;
  private readonly transform: (o: KubeObject) => KubeObject;
  private stopped = false;
  /** API requests made: list pages, watch starts and discovery. */
  requests = 0;

  /**
   * `labelSelector` applies to every kind; `selectorFor` may give one kind its
   * own (e.g. Secrets without Helm's release storage, which another cache holds).
   * `transform` turns each object into what is kept (after `stripForCache`), e.g.
   * a Helm release Secret into its decoded summary without the payload.
   */
  constructor(
    kc: KubeConfig,
    opts: {
      labelSelector?: string;
      selectorFor?: (apiVersion: string, kind: string) => string | undefined;
      transform?: (o: KubeObject) => KubeObject;
    } = {},
  ) {
    this.kc = kc;
    this.client = new ObjectApi(kc);
    this.labelSelector = opts.labelSelector;
    this.selectorFor = opts.selectorFor;
    const t = opts.transform;
    this.transform = t ? (o) => t(stripForCache(o)) : stripForCache;
  }

  /** Starts watching a kind (once) and resolves when its first list is in. */
  async ensure(apiVersion: string, kind: string): Promise<void> {
    const k = `${apiVersion}/${kind}`;
    let r = this.reflectors.get(k);
    if (!r) {
      let p = this.starting.get(k);
      if (!p) {
        p = this.start(apiVersion, kind).then((started) => {
          this.reflectors.set(k, started);
          // a failed first list is not cached: the next ensure() tries again
          started.ready.catch(() => {
            if (this.reflectors.get(k) === started) this.reflectors.delete(k);
          });
          return started;
        });
        this.starting.set(k, p);
        p.catch(() => undefined).finally(() => this.starting.delete(k));
      }
      r = await p;
    }
    await r.ready;
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const r = this.reflectors.get(`${apiVersion}/${kind}`);
    return r?.objects.get(keyOf(r.namespaced ? namespace : undefined, name));
  }

  list(apiVersion: string, kind: string): KubeObject[] {
    return [...(this.reflectors.get(`${apiVersion}/${kind}`)?.objects.values() ?? [])];
  }

  /** True when the kind is synced and its watch is running: safe to act on absence (prune). */
  isHealthy(apiVersion: string, kind: string): boolean {
    const r = this.reflectors.get(`${apiVersion}/${kind}`);
    return !!r && r.synced && r.healthy;
  }

  /** Whether a kind is namespaced (known once ensured). */
  isNamespaced(apiVersion: string, kind: string): boolean | undefined {
    return this.reflectors.get(`${apiVersion}/${kind}`)?.namespaced;
  }

  kinds(): { apiVersion: string; kind: string; count: number; healthy: boolean }[] {
    return [...this.reflectors.values()].map((r) => ({
      apiVersion: r.apiVersion,
      kind: r.kind,
      count: r.objects.size,
      healthy: r.synced && r.healthy,
    }));
  }

  subscribe(fn: (e: CacheEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  stop(): void {
    this.stopped = true;
    for (const r of this.reflectors.values()) r.abort?.abort();
  }

  private async start(apiVersion: string, kind: string): Promise<Reflector> {
    this.requests++;
    const res = await this.client.resource(apiVersion, kind);
    if (!res) throw new Error(`the cluster does not serve ${apiVersion} ${kind}`);
    const path = `${apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`}/${res.name}`;
    const r: Reflector = {
      apiVersion,
      kind,
      path,
      namespaced: res.namespaced,
      objects: new Map(),
      resourceVersion: '',
      synced: false,
      healthy: false,
      ready: Promise.resolve(),
    };
    r.ready = this.relist(r).then(() => this.watch(r));
    return r;
  }

  private async relist(r: Reflector): Promise<void> {
    r.healthy = false;
    const fresh = new Map<string, KubeObject>();
    let cont: string | undefined;
    let rv = '';
    do {
      this.requests++;
      const page = await this.client.list<KubeObject>(r.apiVersion, r.kind, {
        labelSelector: this.selectorOf(r),
        limit: 500,
        continue: cont,
      });
      for (const item of page.items) {
        const o = this.transform({ ...item, apiVersion: r.apiVersion, kind: r.kind });
        fresh.set(keyOf(o.metadata.namespace, o.metadata.name), o);
      }
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont);
    const old = r.objects;
    r.objects = fresh;
    r.resourceVersion = rv;
    r.synced = true;
    r.healthy = true;
    // tell subscribers what changed while the watch was down
    if (old.size > 0) {
      for (const [k, o] of fresh) {
        const before = old.get(k);
        if (!before) this.emit({ type: 'ADDED', object: o });
        else if (before.metadata.resourceVersion !== o.metadata.resourceVersion)
          this.emit({ type: 'MODIFIED', object: o });
      }
      for (const [k, o] of old) if (!fresh.has(k)) this.emit({ type: 'DELETED', object: o });
    }
  }

  private async watch(r: Reflector): Promise<void> {
    if (this.stopped) return;
    this.requests++;
    const w = new Watch(this.kc);
    // the server ends each watch after timeoutSeconds (then it is opened again from the last
    // version, without a list); bookmarks (about one a minute) keep a quiet one under the
    // client's silence limit, so a quiet kind is not listed again every 30 s
    w.requestTimeoutMs = WATCH_SILENCE_MS;
    const query: Record<string, string | number | boolean> = {
      resourceVersion: r.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: WATCH_SERVER_TIMEOUT_S,
    };
    const selector = this.selectorOf(r);
    if (selector) query.labelSelector = selector;
    try {
      r.abort = await w.watch(
        r.path,
        query,
        (phase, obj: KubeObject) => {
          if (phase === 'BOOKMARK') {
            r.resourceVersion = obj.metadata?.resourceVersion ?? r.resourceVersion;
            return;
          }
          if (phase === 'ERROR') {
            r.healthy = false;
            r.lastError = JSON.stringify(obj);
            return;
          }
          const o = this.transform({ ...obj, apiVersion: r.apiVersion, kind: r.kind });
          r.resourceVersion = o.metadata.resourceVersion ?? r.resourceVersion;
          const k = keyOf(o.metadata.namespace, o.metadata.name);
          if (phase === 'DELETED') r.objects.delete(k);
          else r.objects.set(k, o);
          this.emit({ type: phase as WatchEventType, object: o });
        },
        (err: unknown) => {
          if (this.stopped) return;
          void this.restart(r, err);
        },
      );
      // stopped while the watch was being opened: close it, or it keeps the process alive
      if (this.stopped) r.abort.abort();
    } catch (err) {
      void this.restart(r, err);
    }
  }

  private async restart(r: Reflector, err: unknown): Promise<void> {
    if (this.stopped) return;
    const gone =
      r.lastError?.includes('"code":410') ||
      String((err as Error | undefined)?.message ?? '').includes('410');
    r.lastError = undefined;
    // a watch that ended in an error may have missed events: stale until re-listed
    if (err) r.healthy = false;
    await new Promise((res) => setTimeout(res, err ? 500 : 0));
    if (this.stopped) return;
    try {
      if (gone || !r.healthy) await this.relist(r);
      await this.watch(r);
    } catch (e) {
      r.healthy = false;
      r.lastError = (e as Error).message;
      setTimeout(() => void this.restart(r, e), 1000);
    }
  }

  private selectorOf(r: Reflector): string | undefined {
    return this.selectorFor?.(r.apiVersion, r.kind) ?? this.labelSelector;
  }

  private emit(e: CacheEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        /* a listener's failure is its own */
      }
    }
  }
}
