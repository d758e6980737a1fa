export { runSweep, addonKey } from './sweep.ts';
export { Reconciler, type ReconcilerOptions } from './reconciler.ts';
export { LiveState } from './liveState.ts';
export { checkAddon } from './checkAddon.ts';
export { recoverStuck } from './recover.ts';
export { pruneOrphans } from './prune.ts';
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
export { sweepTargets } from './targets.ts';
