export { checkAddon } from './checkAddon.ts';
export { checkManifest } from './checkManifest.ts';
export { createLiveState, LiveState, objectCache } from './liveState.ts';
export { pruneOrphans } from './prune.ts';
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
