import { createHash } from 'node:crypto';
import type { CoreApi } from './lean/coreApi.ts';
import { type KubeObject, objectKey } from './objects.ts';

export const INVENTORY_NAMESPACE = 'mooring-system';

/** One object Mooring applied. */
export interface InventoryEntry {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

export function inventoryEntry(o: KubeObject): InventoryEntry {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    namespace: o.metadata.namespace,
    name: o.metadata.name,
    uid: o.metadata.uid,
  };
}

export function entryObject(e: InventoryEntry): KubeObject {
  return {
    apiVersion: e.apiVersion,
    kind: e.kind,
    metadata: { name: e.name, ...(e.namespace ? { namespace: e.namespace } : {}) },
  };
}

/** What an inventory holds: the objects, the content hash they were applied from, and whether the apply finished. */
export interface InventoryRecord {
  hash: string;
  complete: boolean;
  entries: InventoryEntry[];
}

/** Entries of `previous` that are not in `current` (by group/kind/namespace/name): what a prune may delete. */
export function orphaned(previous: InventoryEntry[], current: InventoryEntry[]): InventoryEntry[] {
  const keep = new Set(current.map((e) => objectKey(entryObject(e))));
  return previous.filter((e) => !keep.has(objectKey(entryObject(e))));
}

/**
 * The set of objects Mooring applied for one owner (a manifest member), kept in a
 * ConfigMap in mooring-system so that a later prune deletes only what Mooring created.
 */
export class Inventory {
  private readonly core: CoreApi;
  constructor(core: CoreApi) {
    this.core = core;
  }

  static nameFor(owner: string): string {
    return `inv-${createHash('sha256').update(owner).digest('hex').slice(0, 20)}`;
  }

  async ensureNamespace(): Promise<void> {
    try {
      await this.core.readNamespace({ name: INVENTORY_NAMESPACE });
    } catch {
      await this.core
        .createNamespace({ body: { metadata: { name: INVENTORY_NAMESPACE } } })
        .catch((e: { code?: number }) => {
          if (e.code !== 409) throw e;
        });
    }
  }

  async read(owner: string): Promise<InventoryRecord | undefined> {
    try {
      const cm = await this.core.readNamespacedConfigMap({
        name: Inventory.nameFor(owner),
        namespace: INVENTORY_NAMESPACE,
      });
      return {
        hash: cm.data?.hash ?? '',
        complete: cm.data?.complete === 'true',
        entries: JSON.parse(cm.data?.objects ?? '[]') as InventoryEntry[],
      };
    } catch (e) {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    }
  }

  async write(owner: string, record: InventoryRecord, labels: Record<string, string> = {}): Promise<void> {
    await this.ensureNamespace();
    const name = Inventory.nameFor(owner);
    const body = {
      metadata: {
        name,
        namespace: INVENTORY_NAMESPACE,
        labels: { ...labels, 'app.kubernetes.io/managed-by': 'mooring', 'mooring.dev/inventory': 'true' },
        annotations: { 'mooring.dev/owner': owner },
      },
      data: { objects: JSON.stringify(record.entries), hash: record.hash, complete: String(record.complete) },
    };
    try {
      await this.core.replaceNamespacedConfigMap({ name, namespace: INVENTORY_NAMESPACE, body });
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
      await this.core.createNamespacedConfigMap({ namespace: INVENTORY_NAMESPACE, body });
    }
  }

  /** Owners of every inventory whose labels match `labelSelector`. */
  async owners(labelSelector: string): Promise<string[]> {
    const list = await this.core
      .listNamespacedConfigMap({
        namespace: INVENTORY_NAMESPACE,
        labelSelector: `mooring.dev/inventory=true,${labelSelector}`,
      })
      .catch((e: { code?: number }) => {
        if (e.code === 404) return { items: [] };
        throw e;
      });
    return list.items
      .map((c) => c.metadata?.annotations?.['mooring.dev/owner'])
      .filter((o): o is string => !!o);
  }

  async remove(owner: string): Promise<void> {
    await this.core
      .deleteNamespacedConfigMap({ name: Inventory.nameFor(owner), namespace: INVENTORY_NAMESPACE })
      .catch(() => undefined);
  }
}
