import { type ClusterState, clusterState } from '../clusters/state.ts';

/** A cluster as the scheduler sees it. */
export interface ScheduleCandidate {
  id: string;
  lastCheckIn: Date | null;
  /** When the newest sweep operation of the cluster was created. */
  lastSweepCreatedAt: Date | null;
  /** A sweep operation of the cluster is pending or running. */
  sweepActive: boolean;
}

export type ScheduleReason = 'due' | 'offline' | 'sweep_active' | 'not_due';

/** Whether `c` gets a sweep now (pure): online, no sweep under way, the last one at least an interval ago. */
export function sweepDecision(c: ScheduleCandidate, now: Date, intervalSeconds: number): ScheduleReason {
  const state: ClusterState = clusterState(c.lastCheckIn, now);
  if (state !== 'online') return 'offline';
  if (c.sweepActive) return 'sweep_active';
  if (c.lastSweepCreatedAt && now.getTime() - c.lastSweepCreatedAt.getTime() < intervalSeconds * 1000) {
    return 'not_due';
  }
  return 'due';
}

/** The clusters due a sweep now. */
export function sweepsDue(cs: readonly ScheduleCandidate[], now: Date, intervalSeconds: number): string[] {
  return cs.filter((c) => sweepDecision(c, now, intervalSeconds) === 'due').map((c) => c.id);
}

/** How often the scheduler looks (and a follower tries to lead): often enough to take over quickly. */
export function tickMs(intervalSeconds: number): number {
  return Math.max(200, Math.min(5_000, (intervalSeconds * 1000) / 4));
}

/**
 * When each of `n` due sweeps starts, in ms from the look (pure): evenly over `windowMs`, so a
 * look that finds many clusters due does not start them all at once (2,000 clusters every 60 s
 * is ~150 per 5 s look: at once, their operations, commands and the agents' answers arrive in one
 * burst that every other request waits behind).
 */
export function spreadOffsets(n: number, windowMs: number): number[] {
  if (n <= 0) return [];
  const step = Math.max(0, windowMs) / n;
  return Array.from({ length: n }, (_, i) => Math.floor(i * step));
}
