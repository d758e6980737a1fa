/** The phase progress of a sync (pure): Fetching → Validating → Applying → Completed. */
export const SYNC_PHASES = ['Fetching', 'Validating', 'Applying', 'Completed'] as const;

export type SyncStatus = 'Synced' | 'Syncing' | 'Error' | 'NotConfigured';
export type StepState = 'done' | 'current' | 'failed' | 'todo';

export function phaseSteps(status: SyncStatus, phase: string | null): { phase: string; state: StepState }[] {
  const at = phase ? SYNC_PHASES.indexOf(phase as (typeof SYNC_PHASES)[number]) : -1;
  return SYNC_PHASES.map((p, i) => {
    if (status === 'NotConfigured' || at < 0)
      return { phase: p, state: status === 'Synced' ? 'done' : 'todo' };
    if (status === 'Synced') return { phase: p, state: 'done' };
    if (i < at) return { phase: p, state: 'done' };
    if (i === at)
      return { phase: p, state: status === 'Error' ? 'failed' : p === 'Completed' ? 'done' : 'current' };
    return { phase: p, state: 'todo' };
  });
}

export const STATUS_LABELS: Record<SyncStatus, string> = {
  Synced: 'Synced',
  Syncing: 'Syncing',
  Error: 'Error',
  NotConfigured: 'Not Configured',
};
