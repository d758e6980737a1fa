export {
  type AppliedObject,
  ApplyError,
  applyObjects,
  applyOrder,
  type ChangeAction,
  deleteObjects,
  FIELD_MANAGER,
} from './apply.ts';
export {
  ApiServerUnreachableError,
  checkApiServer,
  KubeConfigError,
  type KubeTarget,
  loadKubeConfig,
} from './client.ts';
export { type ClusterFacts, mostCommonRegion, REGION_LABEL, readClusterFacts } from './clusterFacts.ts';
export {
  entryObject,
  INVENTORY_NAMESPACE,
  Inventory,
  type InventoryEntry,
  type InventoryRecord,
  inventoryEntry,
  orphaned,
} from './inventory.ts';
export * from './lean/index.ts';
export { groupOf, type KubeObject, objectKey, objectRef } from './objects.ts';
export {
  decodeReleaseSecret,
  encodeReleasePayload,
  latestOf,
  ReleaseDecodeError,
  ReleaseStore,
  type StoredRelease,
  setStoredStatus,
} from './releaseStorage.ts';
export { type CacheEvent, stripForCache, WatchCache, type WatchEventType } from './watchCache.ts';
