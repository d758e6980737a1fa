import type { HealthStatus } from '../health/status.ts';
import { describeRetry, type RetryDecision } from '../retry/nextRetry.ts';
import {
  type AddonState,
  isHelmReleaseStatus,
  isPendingReleaseStatus,
  type OperationState,
} from './states.ts';

/** The rule that decided an add-on's state (stable codes for the API and UI). */
export type AddonStateReason =
  | 'operation_in_progress'
  | 'release_pending'
  | 'release_uninstalling'
  | 'not_deployed'
  | 'install_failed'
  | 'release_unknown'
  | 'release_failed'
  | 'operation_failed'
  | 'unhealthy'
  | 'health_unknown'
  | 'drift_self_heal_off'
  | 'drift_waiting_for_window'
  | 'drift_retrying'
  | 'drift_retries_exhausted'
  | 'drift_healing'
  | 'progressing'
  | 'synced';

export type AddonStateInput = {
  /** `helm status` of the latest release revision; absent when there is no release. */
  releaseStatus?: string;
  /** Aggregated health of the release's resources. */
  health: HealthStatus;
  healthMessage?: string;
  /** Whether the live resources differ from the rendered manifest (after ignore rules). */
  drifted: boolean;
  /** `sync_policy.self_heal`. */
  selfHeal: boolean;
  /** The latest operation on this add-on, if any. */
  operation?: { state: OperationState; kind?: string; message?: string };
  /** The retry decision for the failing operation or heal, if one was made. */
  retry?: RetryDecision;
  /** `strict_health_check`: Progressing resources keep the add-on Deploying. */
  strictHealth?: boolean;
};

export type AddonStateResult = { state: AddonState; reason: AddonStateReason; message: string };

function retrySuffix(retry: RetryDecision | undefined): string {
  return retry ? `; ${describeRetry(retry)}` : '';
}

/**
 * The add-on state, from the first rule that applies:
 *
 * 1. an operation pending/running → Deploying;
 * 2. release pending-install/-upgrade/-rollback → Deploying; uninstalling → Deploying;
 * 3. no release: a failed/timed-out operation → Degraded (with retry), else Pending;
 *    `uninstalled` → Pending;
 * 4. an unrecognised status, `unknown` or `superseded` as the latest revision → Unknown;
 * 5. release `failed`, or the last operation failed/timed out → Degraded, "retry n of m, next at …";
 * 6. resources Degraded/Missing → Degraded; health Unknown → Unknown;
 * 7. drifted: self-heal off → OutOfSync; heal cancelled outside the sync window → OutOfSync;
 *    heal retries waiting or exhausted → OutOfSync (with the retry); otherwise → Deploying (healing);
 * 8. resources Progressing → Deploying when strict, else Synced ("still progressing");
 * 9. otherwise Synced.
 */
export function deriveAddonState(input: AddonStateInput): AddonStateResult {
  const { releaseStatus: release, operation: op, retry } = input;
  const opName = op?.kind ?? 'operation';
  const opDetail = op?.message ? `: ${op.message}` : '';

  if (op && (op.state === 'pending' || op.state === 'running')) {
    return {
      state: 'Deploying',
      reason: 'operation_in_progress',
      message: `${opName} ${op.state}${opDetail}`,
    };
  }
  if (isPendingReleaseStatus(release)) {
    return { state: 'Deploying', reason: 'release_pending', message: `release is ${release}` };
  }
  if (release === 'uninstalling') {
    return { state: 'Deploying', reason: 'release_uninstalling', message: 'release is uninstalling' };
  }
  const opFailed = op?.state === 'failed' || op?.state === 'timeout';
  if (release === undefined || release === 'uninstalled') {
    if (opFailed) {
      return {
        state: 'Degraded',
        reason: 'install_failed',
        message: `${opName} ${op?.state === 'timeout' ? 'timed out' : 'failed'}${opDetail}${retrySuffix(retry)}`,
      };
    }
    return {
      state: 'Pending',
      reason: 'not_deployed',
      message: release === 'uninstalled' ? 'release is uninstalled' : 'not deployed yet',
    };
  }
  if (!isHelmReleaseStatus(release) || release === 'unknown' || release === 'superseded') {
    return {
      state: 'Unknown',
      reason: 'release_unknown',
      message: `release status "${release}" gives no current state`,
    };
  }
  if (release === 'failed') {
    return {
      state: 'Degraded',
      reason: 'release_failed',
      message: `release failed${opDetail}${retrySuffix(retry)}`,
    };
  }
  if (opFailed) {
    return {
      state: 'Degraded',
      reason: 'operation_failed',
      message: `last ${opName} ${op?.state === 'timeout' ? 'timed out' : 'failed'}${opDetail}${retrySuffix(retry)}`,
    };
  }
  const healthDetail = input.healthMessage ? `: ${input.healthMessage}` : '';
  if (input.health === 'Degraded' || input.health === 'Missing') {
    return {
      state: 'Degraded',
      reason: 'unhealthy',
      message: `resources ${input.health === 'Missing' ? 'missing' : 'degraded'}${healthDetail}${input.drifted ? '; drift detected' : ''}`,
    };
  }
  if (input.health === 'Unknown') {
    return { state: 'Unknown', reason: 'health_unknown', message: `resource health unknown${healthDetail}` };
  }
  if (input.drifted) {
    if (!input.selfHeal) {
      return {
        state: 'OutOfSync',
        reason: 'drift_self_heal_off',
        message: 'drift detected; self-heal is off',
      };
    }
    if (op?.state === 'cancelled') {
      return {
        state: 'OutOfSync',
        reason: 'drift_waiting_for_window',
        message: `drift detected; self-heal cancelled${opDetail}`,
      };
    }
    if (retry?.exhausted) {
      return {
        state: 'OutOfSync',
        reason: 'drift_retries_exhausted',
        message: `drift detected; self-heal ${describeRetry(retry)}`,
      };
    }
    if (retry) {
      return {
        state: 'OutOfSync',
        reason: 'drift_retrying',
        message: `drift detected; self-heal ${describeRetry(retry)}`,
      };
    }
    return { state: 'Deploying', reason: 'drift_healing', message: 'drift detected; self-healing' };
  }
  if (input.health === 'Progressing') {
    if (input.strictHealth) {
      return {
        state: 'Deploying',
        reason: 'progressing',
        message: `waiting for resources to become healthy${healthDetail}`,
      };
    }
    return {
      state: 'Synced',
      reason: 'progressing',
      message: `deployed; resources still progressing${healthDetail}`,
    };
  }
  if (input.health === 'Suspended') {
    return { state: 'Synced', reason: 'synced', message: `deployed; resources suspended${healthDetail}` };
  }
  return { state: 'Synced', reason: 'synced', message: 'deployed, in sync and healthy' };
}
