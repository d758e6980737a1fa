export type { AddonStateInput, AddonStateReason, AddonStateResult } from './deriveAddonState.ts';
export { deriveAddonState } from './deriveAddonState.ts';
export type { GitopsSyncPhase, GitopsSyncStatus } from './gitopsSync.ts';
export { deriveGitopsSync, GITOPS_SYNC_PHASES, nextGitopsPhase } from './gitopsSync.ts';
export type { HeartbeatPublisher, NativeReconcileHeartbeat } from './heartbeat.ts';
export type { AddonState, HelmReleaseStatus, OperationState } from './states.ts';
export {
  ADDON_STATE_SEVERITY,
  ADDON_STATES,
  canTransitionOperation,
  HELM_RELEASE_STATUSES,
  isHelmReleaseStatus,
  isPendingReleaseStatus,
  isTerminalOperation,
  OPERATION_STATES,
  worstAddonState,
} from './states.ts';
