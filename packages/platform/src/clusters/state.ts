/** An agent that has not checked in for this long is offline. */
export const OFFLINE_AFTER_SECONDS = 30;

/** `online`: the agent checked in within the last 30 s; `offline`: it did not, or never did. */
export type ClusterState = 'online' | 'offline';

/** The state of a cluster at `now` (pure). */
export function clusterState(lastCheckIn: Date | null, now: Date): ClusterState {
  if (!lastCheckIn) return 'offline';
  const age = now.getTime() - lastCheckIn.getTime();
  return age <= OFFLINE_AFTER_SECONDS * 1000 ? 'online' : 'offline';
}
