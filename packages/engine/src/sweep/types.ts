import type {
  AddonMember,
  AddonState,
  AddonStateReason,
  DiffResult,
  HealthStatus,
  HeartbeatPublisher,
  ManifestMember,
  NativeReconcileHeartbeat,
  SelfHealState,
} from '@mooring/core';

/** What the sweep checks: an add-on of the definition and the content hash it should run. */
export interface SweepTarget {
  addon: AddonMember;
  hash: string;
}

/** A manifest member the sweep checks, with its content hash. */
export interface ManifestSweepTarget {
  manifest: ManifestMember;
  hash: string;
}

/** What the sweep found and did for a manifest member. */
export interface ManifestReport {
  name: string;
  stack: string;
  drift: ObjectDrift[];
  /** `healed` re-applied it (auto_remediate), `reported` left the drift alone. */
  actions: ('none' | 'healed' | 'heal_failed' | 'reported')[];
  state: AddonState;
  message: string;
}

/** One drifted object of a release. */
export interface ObjectDrift {
  ref: string;
  missing: boolean;
  /** Human-readable diff. */
  text: string;
  patch: DiffResult['patch'];
}

/** What the sweep did about an add-on. */
export type SweepAction =
  | 'none'
  | 'healed'
  | 'heal_failed'
  | 'heal_waiting'
  | 'heal_given_up'
  | 'reported'
  | 'recovered'
  | 'recover_failed'
  | 'pruned'
  | 'cancelled'
  | 'missing_release';

export interface AddonReport {
  name: string;
  namespace: string;
  stack: string;
  releaseStatus?: string;
  revision?: number;
  drift: ObjectDrift[];
  /** The deployed release holds other content than the definition (content hash differs). */
  behindGit?: boolean;
  health: HealthStatus;
  healthMessage: string;
  actions: SweepAction[];
  pruned: string[];
  /** Why pruning was skipped, when it was. */
  pruneSkipped?: string;
  state: AddonState;
  reason: AddonStateReason;
  message: string;
  /** When a drift or a failed heal was first seen / last acted upon. */
  detectedAt?: string;
  healedAt?: string;
  /** How the last heal ran: `apply` (the drifted objects, as Helm's field manager, no new revision) or `upgrade`. */
  healedBy?: 'apply' | 'upgrade';
  /** Why that heal ran `helm upgrade` rather than the targeted apply. */
  healFallback?: string;
}

/** The heartbeat published after every sweep (see @mooring/core's NativeReconcileHeartbeat). */
export type Heartbeat = NativeReconcileHeartbeat;
export type { HeartbeatPublisher };

export interface SweepReport {
  heartbeat: Heartbeat;
  addons: AddonReport[];
  manifests: ManifestReport[];
  /** API requests the sweep made (cache fills and direct reads). */
  apiRequests: number;
  helmCalls: number;
}

/** Per-add-on memory between sweeps: heal retries. */
export interface AddonMemory {
  heal?: SelfHealState;
  detectedAt?: number;
}

export interface SweepOptions {
  /** A release pending-* for longer than this is stuck (default 10 minutes). */
  stuckAfterMs?: number;
  /** RECONCILE_AUTO_HEAL_ENABLED: recover stuck releases (default true). */
  autoHeal?: boolean;
  /** Admit create/update/self-heal outside sync windows (the audited manual override). */
  windowOverride?: boolean;
  /** Heal live drift by applying only the drifted objects as Helm (default true); false: always `helm upgrade`. */
  targetedHeal?: boolean;
  now?: () => Date;
}
