export { type DeclaredMember, declaredMembers, storedMembers } from './catalog.ts';
export { ADDONS_QUEUE, applyChanges, startAddonsFeed } from './feed.ts';
export { MASK, maskValues } from './masking.ts';
export {
  applyObservation,
  changesFromHeartbeat,
  changesFromResult,
  healthOfState,
  type MemberObservation,
  type ReadModelChange,
} from './readModel.ts';
export { registerAddonRoutes } from './routes.ts';
export { AddonsService, addonView, type OperationStarter, sortAndPage } from './service.ts';
