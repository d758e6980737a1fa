/**
 * The GitOps sync of a cluster definition repository:
 * - `NotConfigured` no repository is connected;
 * - `Syncing`       a sync is under way (see the phase);
 * - `Synced`        the last sync completed;
 * - `Error`         the last sync failed (fetch, validation or apply).
 */
export type GitopsSyncStatus = 'Synced' | 'Syncing' | 'Error' | 'NotConfigured';

/** Phases of one sync, in order. */
export type GitopsSyncPhase = 'Fetching' | 'Validating' | 'Applying' | 'Completed';

export const GITOPS_SYNC_PHASES: readonly GitopsSyncPhase[] = [
  'Fetching',
  'Validating',
  'Applying',
  'Completed',
];

/** The phase after `p`, or undefined after Completed. */
export function nextGitopsPhase(p: GitopsSyncPhase): GitopsSyncPhase | undefined {
  return GITOPS_SYNC_PHASES[GITOPS_SYNC_PHASES.indexOf(p) + 1];
}

/**
 * The sync status from what is known: no repository → NotConfigured; an error → Error (naming the
 * phase it failed in); a phase before Completed → Syncing; Completed (or nothing started) → Synced.
 */
export function deriveGitopsSync(input: {
  configured: boolean;
  phase?: GitopsSyncPhase;
  error?: string;
  commit?: string;
}): { status: GitopsSyncStatus; phase?: GitopsSyncPhase; message: string } {
  const at = input.commit ? ` at ${input.commit.slice(0, 12)}` : '';
  if (!input.configured) return { status: 'NotConfigured', message: 'no Git repository configured' };
  if (input.error !== undefined) {
    return {
      status: 'Error',
      phase: input.phase,
      message: `sync failed${input.phase ? ` while ${input.phase.toLowerCase()}` : ''}${at}: ${input.error}`,
    };
  }
  if (input.phase && input.phase !== 'Completed') {
    return { status: 'Syncing', phase: input.phase, message: `${input.phase}${at}` };
  }
  return { status: 'Synced', phase: input.phase, message: `synced${at}` };
}
