// plain HTTP(S) requests without loading undici (the agent's check-in and public IP lookup)
export { type HttpAnswer, type HttpRequestInit, httpFetch } from '@mooring/helm';
export { AddonDeployError, type AddonResult, deployAddon, isUnchanged, valuesFor } from './addon.ts';
export { type ApplyOptions, type ApplyResult, applyPlan, type MemberOutcome, planDag } from './apply.ts';
export * from './argocd/index.ts';
export {
  type EngineContext,
  hashLabel,
  LABEL_CLUSTER,
  LABEL_HASH,
  LABEL_MEMBER,
  LABEL_STACK,
} from './context.ts';
export { createEngineContext, type EngineContextOptions } from './create.ts';
export { type DagNode, type DagResult, type NodeOutcome, runDag } from './dag.ts';
export { type EnginePolicy, engineOf, withEngine } from './engines.ts';
export {
  type EngineEvent,
  type EventSink,
  type MemberEvent,
  type MemberPhase,
  stateOfPhase,
  type WaveEvent,
} from './events.ts';
export {
  type HealthSource,
  type HealthWait,
  liveHealth,
  PROGRESS_NOT_AWAITED,
  waitHealthy,
} from './health.ts';
export { applyManifest, ManifestApplyError, type ManifestResult, manifestOwner } from './manifest.ts';
export { CLUSTER_SCOPED, parseManifest } from './manifestText.ts';
export { type MemberPreview, type ObjectPreview, previewPlan } from './preview.ts';
export { type Removal, removeLeftovers } from './remove.ts';
export * from './sweep/index.ts';
