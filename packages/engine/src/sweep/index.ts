export { checkAddon } from './checkAddon.ts';
export { checkManifest } from './checkManifest.ts';
export { applyDriftedObjects, correctDrift, type HealOutcome, TargetedHealError } from './correctDrift.ts';
export {
  type ConflictDecision,
  decideConflict,
  type FieldConflict,
  fieldConflicts,
  HELM_FIELD_MANAGER,
  type HealPlan,
  type HealPlanInput,
  helmApplyObject,
  mayForce,
  planHeal,
  yamlAmbiguous,
} from './healPlan.ts';
export { createLiveState, LiveState, objectCache } from './liveState.ts';
export { prunable, pruneOrphans, SYNC_OPTIONS_ANNOTATION } from './prune.ts';
export { Reconciler, type ReconcilerOptions } from './reconciler.ts';
export { recoverStuck } from './recover.ts';
export { addonKey, runSweep } from './sweep.ts';
export { manifestSweepTargets, sweepTargets } from './targets.ts';
export type {
  AddonMemory,
  AddonReport,
  Heartbeat,
  HeartbeatPublisher,
  ManifestReport,
  ManifestSweepTarget,
  ObjectDrift,
  SweepAction,
  SweepOptions,
  SweepReport,
  SweepTarget,
} from './types.ts';
