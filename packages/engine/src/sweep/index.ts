export { checkAddon } from './checkAddon.ts';
export { LiveState } from './liveState.ts';
export { pruneOrphans } from './prune.ts';
export { Reconciler, type ReconcilerOptions } from './reconciler.ts';
export { recoverStuck } from './recover.ts';
export { addonKey, runSweep } from './sweep.ts';
export { sweepTargets } from './targets.ts';
export type {
  AddonMemory,
  AddonReport,
  Heartbeat,
  HeartbeatPublisher,
  ObjectDrift,
  SweepAction,
  SweepOptions,
  SweepReport,
  SweepTarget,
} from './types.ts';
