export {
  accountConfig,
  ensureAccount,
  issueToken,
  MOORING_ACCOUNT,
  policyLine,
  revokeToken,
  rotateToken,
  tokenId,
} from './account.ts';
export {
  type ApplicationInput,
  applicationFor,
  comparedWithSpec,
  finalizersFor,
  IN_CLUSTER,
  MANAGED_BY,
  RESOURCES_FINALIZER,
  repositoryFor,
  repoUrlOf,
  windowProjectFor,
  windowProjectName,
} from './application.ts';
export { checkArgoAddon } from './check.ts';
export { ArgoCdApiError, ArgoCdClient, type ArgoCdClientOptions, type DeletionMode } from './client.ts';
export {
  deployArgoAddon,
  forgetHelmRelease,
  mooringApplication,
  waitGone,
} from './deploy.ts';
export {
  type KindCoverage,
  type MigrationEligibility,
  migrationEligibility,
  syncInFlight,
} from './eligibility.ts';
export type { ArgoCdEngine } from './engine.ts';
export {
  MigrationBlockedError,
  type MigrationReport,
  migrateAddonToNative,
  returnAddonToArgo,
} from './migrate.ts';
export { removeArgoLeftovers } from './remove.ts';
export { type ArgoStateInput, type ArgoStateResult, argoAddonState, STUCK_AFTER_MS } from './state.ts';
export type { Application, ApplicationSpec, ApplicationStatus, ResourceNode, ResourceTree } from './types.ts';
