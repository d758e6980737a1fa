export { loadKubeConfig, type KubeTarget } from './client.ts';
export { type KubeObject, objectRef, objectKey, groupOf } from './objects.ts';
export {
  decodeReleaseSecret,
  encodeReleasePayload,
  latestOf,
  ReleaseStore,
  ReleaseDecodeError,
  setStoredStatus,
  type StoredRelease,
} from './releaseStorage.ts';
export { applyObjects, deleteObjects, applyOrder, ApplyError, FIELD_MANAGER, type AppliedObject, type ChangeAction } from './apply.ts';
export { Inventory, INVENTORY_NAMESPACE, inventoryEntry, entryObject, orphaned, type InventoryEntry, type InventoryRecord } from './inventory.ts';
export { WatchCache, stripForCache, type CacheEvent, type WatchEventType } from './watchCache.ts';
