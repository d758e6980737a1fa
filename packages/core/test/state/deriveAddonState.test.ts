import { describe, expect, it } from 'vitest';
import { nextRetry } from '../../src/retry/index.ts';
import {
  type AddonState,
  type AddonStateInput,
  type AddonStateReason,
  canTransitionOperation,
  deriveAddonState,
  deriveGitopsSync,
  isTerminalOperation,
  nextGitopsPhase,
  worstAddonState,
} from '../../src/state/index.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const POLICY = { limit: 5, backoff_duration: '5s', backoff_factor: 2, backoff_max: '1m' };
const BASE: AddonStateInput = {
  releaseStatus: 'deployed',
  health: 'Healthy',
  drifted: false,
  selfHeal: true,
};

const CASES: [string, Partial<AddonStateInput>, AddonState, AddonStateReason, string][] = [
  ['deployed, healthy, in sync', {}, 'Synced', 'synced', 'deployed, in sync and healthy'],
  [
    'an upgrade is running',
    { operation: { state: 'running', kind: 'upgrade' } },
    'Deploying',
    'operation_in_progress',
    'upgrade running',
  ],
  [
    'a queued operation',
    { operation: { state: 'pending' } },
    'Deploying',
    'operation_in_progress',
    'operation pending',
  ],
  [
    'pending-install',
    { releaseStatus: 'pending-install' },
    'Deploying',
    'release_pending',
    'release is pending-install',
  ],
  [
    'pending-upgrade',
    { releaseStatus: 'pending-upgrade' },
    'Deploying',
    'release_pending',
    'pending-upgrade',
  ],
  [
    'pending-rollback',
    { releaseStatus: 'pending-rollback' },
    'Deploying',
    'release_pending',
    'pending-rollback',
  ],
  ['uninstalling', { releaseStatus: 'uninstalling' }, 'Deploying', 'release_uninstalling', 'uninstalling'],
  [
    'no release yet',
    { releaseStatus: undefined, health: 'Missing' },
    'Pending',
    'not_deployed',
    'not deployed yet',
  ],
  [
    'uninstalled',
    { releaseStatus: 'uninstalled', health: 'Missing' },
    'Pending',
    'not_deployed',
    'uninstalled',
  ],
  [
    'first install failed, retry scheduled',
    {
      releaseStatus: undefined,
      health: 'Missing',
      operation: { state: 'failed', kind: 'install', message: 'chart not found' },
      retry: nextRetry(POLICY, 2, T0),
    },
    'Degraded',
    'install_failed',
    'install failed: chart not found; retry 2 of 5, next at 2026-01-01T00:00:10.000Z',
  ],
  ['unknown release status', { releaseStatus: 'unknown' }, 'Unknown', 'release_unknown', '"unknown"'],
  ['unrecognised release status', { releaseStatus: 'exploded' }, 'Unknown', 'release_unknown', '"exploded"'],
  [
    'superseded as the latest revision',
    { releaseStatus: 'superseded' },
    'Unknown',
    'release_unknown',
    'superseded',
  ],
  [
    'release failed, retry n of m',
    { releaseStatus: 'failed', retry: nextRetry(POLICY, 3, T0) },
    'Degraded',
    'release_failed',
    'release failed; retry 3 of 5, next at 2026-01-01T00:00:20.000Z',
  ],
  [
    'release failed, retries exhausted',
    { releaseStatus: 'failed', retry: nextRetry(POLICY, 6, T0) },
    'Degraded',
    'release_failed',
    'retries exhausted (5 of 5)',
  ],
  [
    'the last upgrade timed out (release still deployed)',
    { operation: { state: 'timeout', kind: 'upgrade' } },
    'Degraded',
    'operation_failed',
    'last upgrade timed out',
  ],
  [
    'unhealthy resources',
    { health: 'Degraded', healthMessage: 'Deployment/shop/web exceeded its progress deadline' },
    'Degraded',
    'unhealthy',
    'resources degraded: Deployment/shop/web exceeded its progress deadline',
  ],
  [
    'unhealthy and drifted says both',
    { health: 'Degraded', drifted: true },
    'Degraded',
    'unhealthy',
    'drift detected',
  ],
  ['missing resources', { health: 'Missing' }, 'Degraded', 'unhealthy', 'resources missing'],
  ['health unknown', { health: 'Unknown' }, 'Unknown', 'health_unknown', 'unknown'],
  [
    'drifted, self-heal off',
    { drifted: true, selfHeal: false },
    'OutOfSync',
    'drift_self_heal_off',
    'self-heal is off',
  ],
  ['drifted, healing now', { drifted: true }, 'Deploying', 'drift_healing', 'self-healing'],
  [
    'drifted, heal waiting for its retry',
    { drifted: true, retry: nextRetry(POLICY, 1, T0) },
    'OutOfSync',
    'drift_retrying',
    'self-heal retry 1 of 5, next at 2026-01-01T00:00:05.000Z',
  ],
  [
    'drifted, heal retries exhausted',
    { drifted: true, retry: nextRetry(POLICY, 6, T0) },
    'OutOfSync',
    'drift_retries_exhausted',
    'retries exhausted',
  ],
  [
    'drifted, heal cancelled outside the sync window',
    { drifted: true, operation: { state: 'cancelled', kind: 'self-heal', message: 'outside_sync_window' } },
    'OutOfSync',
    'drift_waiting_for_window',
    'outside_sync_window',
  ],
  [
    'progressing, strict',
    { health: 'Progressing', strictHealth: true },
    'Deploying',
    'progressing',
    'waiting for resources',
  ],
  ['progressing, lenient', { health: 'Progressing' }, 'Synced', 'progressing', 'still progressing'],
  ['suspended resources', { health: 'Suspended' }, 'Synced', 'synced', 'suspended'],
];

describe('deriveAddonState', () => {
  it.each(CASES)('%s', (_name, patch, state, reason, message) => {
    const r = deriveAddonState({ ...BASE, ...patch });
    expect(r.state).toBe(state);
    expect(r.reason).toBe(reason);
    expect(r.message).toContain(message);
  });
});

describe('state helpers', () => {
  it('worstAddonState', () => {
    expect(worstAddonState()).toBe('Synced');
    expect(worstAddonState('Synced', 'OutOfSync', 'Deploying')).toBe('OutOfSync');
    expect(worstAddonState('Degraded', 'Unknown')).toBe('Unknown');
  });

  it('operation transitions', () => {
    expect(canTransitionOperation('pending', 'running')).toBe(true);
    expect(canTransitionOperation('running', 'timeout')).toBe(true);
    expect(canTransitionOperation('success', 'running')).toBe(false);
    expect(canTransitionOperation('pending', 'success')).toBe(false);
    expect(isTerminalOperation('cancelled')).toBe(true);
    expect(isTerminalOperation('running')).toBe(false);
  });

  it.each([
    ['not configured', { configured: false }, 'NotConfigured', 'no Git repository'],
    [
      'fetching',
      { configured: true, phase: 'Fetching', commit: '0123456789abcdef' },
      'Syncing',
      'Fetching at 0123456789ab',
    ],
    ['completed', { configured: true, phase: 'Completed' }, 'Synced', 'synced'],
    [
      'validation failed',
      { configured: true, phase: 'Validating', error: '2 errors' },
      'Error',
      'sync failed while validating: 2 errors',
    ],
  ] as const)('gitops sync: %s', (_name, input, status, message) => {
    const r = deriveGitopsSync(input);
    expect(r.status).toBe(status);
    expect(r.message).toContain(message);
  });

  it('gitops phases advance in order', () => {
    expect(nextGitopsPhase('Fetching')).toBe('Validating');
    expect(nextGitopsPhase('Completed')).toBeUndefined();
  });
});
