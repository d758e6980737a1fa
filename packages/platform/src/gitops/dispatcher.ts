/**
 * The hand-off from a sync to the cluster: what the pipeline asks to apply, and what it
 * needs back. The operations service implements it (an `apply` operation whose command goes
 * to the cluster's agent over the bus); tests pass their own.
 */
export interface ApplyRequest {
  organizationId: string;
  clusterId: string;
  /** The sync this apply belongs to (also a stable de-duplication key with `attempt`). */
  syncId: string;
  /** 0 for the first attempt, then the retry number. */
  attempt: number;
  commit: string;
  /** The ImportCluster's repository path and every file it read at `commit` (the agent's `apply` payload). */
  path: string;
  files: Record<string, string>;
  /** Member ids (`addon/NAME`, `manifest/NAME`) whose content hash changed or that are new. */
  changed: string[];
  /** Member ids applied before that the commit no longer has (to be removed). */
  removed: string[];
  /** Every member's content hash at `commit`. */
  hashes: Record<string, string>;
}

export interface ApplyOutcome {
  ok: boolean;
  /** The operation the apply produced, when one was made. */
  operationId?: string;
  /** One line: what was done or why it failed. */
  message: string;
}

export interface ApplyDispatcher {
  /** Applies and resolves when the cluster reports the outcome (or the hand-off fails: ok false). */
  apply(request: ApplyRequest): Promise<ApplyOutcome>;
  /** Ends waits at once when the platform stops (optional). */
  close?(): void;
}

/** Used when nothing is wired: every apply fails and says why. */
export const unwiredDispatcher: ApplyDispatcher = {
  apply: async () => ({ ok: false, message: 'no apply dispatcher is configured on this platform' }),
};
