import type { ResourceKind, ResourcesMessage, StreamedObject } from '@mooring/bus';
import { matchesLabels, type Requirement } from './labelSelector.ts';

/** A change pushed to clients: an object added, changed or deleted, or a kind listed anew. */
export type ResourceChange =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; kind: string; object: StreamedObject }
  | { type: 'SYNCED'; kind: string; count: number };

interface KindState {
  info?: ResourceKind;
  objects: Map<string, StreamedObject>;
  syncedAt?: Date;
  error?: string;
  pending?: { syncId: string; next: number; objects: Map<string, StreamedObject> };
}

interface ClusterState {
  lastHeard: Date;
  kinds: Map<string, KindState>;
  order: string[];
}

/** How long without a message from an agent before its copy counts as stale (agents send `alive` every 30 s). */
export const STALE_AFTER_MS = 90_000;

export interface KindSummary extends ResourceKind {
  count: number;
  synced_at: string | null;
  error: string | null;
}

export interface ResourceQuery {
  kind: string;
  namespace?: string;
  selector?: readonly Requirement[];
}

function objectKey(o: StreamedObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

const changed = (a: StreamedObject | undefined, b: StreamedObject) =>
  !a || a.metadata.resourceVersion !== b.metadata.resourceVersion || !b.metadata.resourceVersion;

/**
 * The platform's live copy of each cluster's resources, fed by the agents' messages
 * (pure: no I/O, time passed in). `apply` returns the changes to push to clients and
 * whether the cluster's agent must send everything again (the copy missed part of a
 * list, or the platform has just started).
 */
export class ResourceCache {
  readonly #clusters = new Map<string, ClusterState>();
  readonly #listeners = new Map<string, Set<(c: ResourceChange) => void>>();

  apply(clusterId: string, m: ResourcesMessage, now: Date): { needsResync: boolean } {
    let c = this.#clusters.get(clusterId);
    // a cluster first heard from mid-stream: ask for everything (unless this is the start)
    let needsResync = !c && m.op !== 'kinds';
    if (!c) {
      c = { lastHeard: now, kinds: new Map(), order: [] };
      this.#clusters.set(clusterId, c);
    }
    c.lastHeard = now;
    const stateOf = (key: string): KindState => {
      let k = c.kinds.get(key);
      if (!k) {
        k = { objects: new Map() };
        c.kinds.set(key, k);
      }
      return k;
    };
    switch (m.op) {
      case 'alive':
        break;
      case 'kinds': {
        const keys = new Set(m.kinds.map((k) => k.key));
        for (const key of c.kinds.keys()) if (!keys.has(key)) c.kinds.delete(key);
        for (const k of m.kinds) stateOf(k.key).info = k;
        c.order = m.kinds.map((k) => k.key);
        break;
      }
      case 'error':
        stateOf(m.kind).error = m.message;
        break;
      case 'event': {
        const k = stateOf(m.kind);
        const key = objectKey(m.object);
        if (m.type === 'DELETED') {
          if (k.objects.delete(key))
            this.#emit(clusterId, { type: 'DELETED', kind: m.kind, object: m.object });
        } else {
          const before = k.objects.get(key);
          k.objects.set(key, m.object);
          if (changed(before, m.object))
            this.#emit(clusterId, { type: before ? 'MODIFIED' : 'ADDED', kind: m.kind, object: m.object });
        }
        if (!k.syncedAt) needsResync = true;
        break;
      }
      case 'sync': {
        const k = stateOf(m.kind.key);
        k.info = m.kind;
        if (!c.order.includes(m.kind.key)) c.order.push(m.kind.key);
        if (m.part === 0) k.pending = { syncId: m.sync_id, next: 0, objects: new Map() };
        const p = k.pending;
        if (!p || p.syncId !== m.sync_id || p.next !== m.part) {
          // a part is missing: this list cannot be trusted
          k.pending = undefined;
          needsResync = true;
          break;
        }
        for (const o of m.items) p.objects.set(objectKey(o), o);
        p.next++;
        if (!m.last) break;
        const before = k.objects;
        k.objects = p.objects;
        k.pending = undefined;
        k.syncedAt = now;
        k.error = undefined;
        for (const [key, o] of p.objects)
          if (changed(before.get(key), o))
            this.#emit(clusterId, {
              type: before.has(key) ? 'MODIFIED' : 'ADDED',
              kind: m.kind.key,
              object: o,
            });
        for (const [key, o] of before)
          if (!p.objects.has(key)) this.#emit(clusterId, { type: 'DELETED', kind: m.kind.key, object: o });
        this.#emit(clusterId, { type: 'SYNCED', kind: m.kind.key, count: k.objects.size });
        break;
      }
    }
    return { needsResync };
  }

  /** The key of the kind a client names: its key (`deployments.apps`), plural (`deployments`) or kind (`Deployment`, any case). */
  resolveKind(clusterId: string, name: string): string | undefined {
    const c = this.#clusters.get(clusterId);
    if (!c) return undefined;
    if (c.kinds.has(name)) return name;
    const lower = name.toLowerCase();
    for (const key of c.order) {
      const info = c.kinds.get(key)?.info;
      if (!info) continue;
      if (key.split('.')[0] === lower || info.kind.toLowerCase() === lower) return key;
    }
    return undefined;
  }

  /** The objects of one kind, filtered, sorted by namespace then name. */
  query(clusterId: string, q: ResourceQuery): StreamedObject[] {
    const k = this.#clusters.get(clusterId)?.kinds.get(q.kind);
    if (!k) return [];
    const out: StreamedObject[] = [];
    for (const o of k.objects.values()) {
      if (q.namespace !== undefined && o.metadata.namespace !== q.namespace) continue;
      if (q.selector && !matchesLabels(q.selector, o.metadata.labels)) continue;
      out.push(o);
    }
    return out.sort(
      (a, b) =>
        (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
        a.metadata.name.localeCompare(b.metadata.name),
    );
  }

  /** When the cluster's agent was last heard, and whether that is too long ago. */
  freshness(clusterId: string, now: Date): { lastHeard: Date | null; stale: boolean } {
    const c = this.#clusters.get(clusterId);
    if (!c) return { lastHeard: null, stale: true };
    return { lastHeard: c.lastHeard, stale: now.getTime() - c.lastHeard.getTime() > STALE_AFTER_MS };
  }

  kind(clusterId: string, key: string): KindSummary | undefined {
    const k = this.#clusters.get(clusterId)?.kinds.get(key);
    if (!k?.info) return undefined;
    return {
      ...k.info,
      count: k.objects.size,
      synced_at: k.syncedAt?.toISOString() ?? null,
      error: k.error ?? null,
    };
  }

  kinds(clusterId: string): KindSummary[] {
    const c = this.#clusters.get(clusterId);
    if (!c) return [];
    return c.order.map((key) => this.kind(clusterId, key)).filter((k): k is KindSummary => k !== undefined);
  }

  /** Forgets a cluster (deleted). */
  forget(clusterId: string): void {
    this.#clusters.delete(clusterId);
  }

  /** Calls `listener` with each change of the cluster's resources until the returned function is called. */
  subscribe(clusterId: string, listener: (c: ResourceChange) => void): () => void {
    let set = this.#listeners.get(clusterId);
    if (!set) {
      set = new Set();
      this.#listeners.set(clusterId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(clusterId);
    };
  }

  #emit(clusterId: string, change: ResourceChange) {
    const set = this.#listeners.get(clusterId);
    if (!set) return;
    for (const l of set) l(change);
  }
}
