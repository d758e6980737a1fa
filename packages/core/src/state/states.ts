/**
 * State of an add-on as users see it:
 * - `Pending`   not deployed yet (no release);
 * - `Deploying` an install/upgrade/rollback/heal is under way, or resources are still becoming healthy;
 * - `Synced`    the release is deployed, matches Git and is healthy;
 * - `OutOfSync` the cluster differs from Git and nothing is correcting it right now;
 * - `Degraded`  the release failed or its resources are unhealthy;
 * - `Unknown`   the state cannot be determined (unrecognised release status, unknown health).
 */
export type AddonState = 'Pending' | 'Deploying' | 'Synced' | 'Degraded' | 'OutOfSync' | 'Unknown';

export const ADDON_STATES: readonly AddonState[] = [
  'Synced',
  'Pending',
  'Deploying',
  'OutOfSync',
  'Degraded',
  'Unknown',
];

/** Severity for roll-ups (a cluster shows its worst add-on): higher is worse. */
export const ADDON_STATE_SEVERITY: Readonly<Record<AddonState, number>> = {
  Synced: 0,
  Pending: 1,
  Deploying: 2,
  OutOfSync: 3,
  Degraded: 4,
  Unknown: 5,
};

/** The worst of some add-on states; `Synced` for none. */
export function worstAddonState(...states: AddonState[]): AddonState {
  let out: AddonState = 'Synced';
  for (const s of states) if (ADDON_STATE_SEVERITY[s] > ADDON_STATE_SEVERITY[out]) out = s;
  return out;
}

/**
 * State of one operation (install, upgrade, heal, delete...):
 * `pending` → `running` → `success` | `failed` | `cancelled` | `timeout`.
 * `cancelled` is also how a job outside its sync window ends.
 */
export type OperationState = 'pending' | 'running' | 'success' | 'failed' | 'cancelled' | 'timeout';

export const OPERATION_STATES: readonly OperationState[] = [
  'pending',
  'running',
  'success',
  'failed',
  'cancelled',
  'timeout',
];

const OPERATION_TRANSITIONS: Readonly<Record<OperationState, readonly OperationState[]>> = {
  pending: ['running', 'cancelled'],
  running: ['success', 'failed', 'cancelled', 'timeout'],
  success: [],
  failed: [],
  cancelled: [],
  timeout: [],
};

/** Whether an operation has finished. */
export function isTerminalOperation(s: OperationState): boolean {
  return OPERATION_TRANSITIONS[s].length === 0;
}

/** Whether an operation may move from one state to another. */
export function canTransitionOperation(from: OperationState, to: OperationState): boolean {
  return OPERATION_TRANSITIONS[from].includes(to);
}

/** Helm release status strings (`helm status`), plus `unknown`. */
export type HelmReleaseStatus =
  | 'unknown'
  | 'deployed'
  | 'uninstalled'
  | 'superseded'
  | 'failed'
  | 'uninstalling'
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback';

export const HELM_RELEASE_STATUSES: readonly HelmReleaseStatus[] = [
  'unknown',
  'deployed',
  'uninstalled',
  'superseded',
  'failed',
  'uninstalling',
  'pending-install',
  'pending-upgrade',
  'pending-rollback',
];

export function isHelmReleaseStatus(s: string): s is HelmReleaseStatus {
  return (HELM_RELEASE_STATUSES as readonly string[]).includes(s);
}

/** A pending-* status: a Helm operation started and (maybe) never finished. */
export function isPendingReleaseStatus(s: string | undefined): boolean {
  return s === 'pending-install' || s === 'pending-upgrade' || s === 'pending-rollback';
}
