import { backoffMs, RETRY_DEFAULTS, type RetryPolicyMs } from '@mooring/core';

/**
 * A cluster's GitOps sync as a pure state machine: `reduce(state, event)` returns the next
 * state and the effects the runner performs (start a sync, wait and retry an apply, record
 * the end of a sync). No I/O here; see runner.ts for the edge.
 *
 * - One sync per cluster at a time: a trigger that arrives while one runs becomes the pending
 *   sync; a newer trigger replaces the pending one (they coalesce into one sync of the newest).
 * - A trigger for the commit being synced, or (automatic triggers only) the commit last synced
 *   while idle, changes nothing. Sync Now always runs.
 * - A failed apply is retried with backoff up to the policy's limit; a newer commit waiting
 *   supersedes the retries.
 */

/** `Synced`: the last sync succeeded; `Syncing`: one runs; `Error`: the last one failed; `NotConfigured`: no repository. */
export const SYNC_STATUSES = ['Synced', 'Syncing', 'Error', 'NotConfigured'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/** The phases of one sync, in order. */
export const SYNC_PHASES = ['Fetching', 'Validating', 'Applying', 'Completed'] as const;
export type SyncPhase = (typeof SYNC_PHASES)[number];

export const SYNC_SOURCES = ['webhook', 'poll', 'manual'] as const;
export type SyncSource = (typeof SYNC_SOURCES)[number];

/** Who started a sync: a person (`user`), an API token (`token`), or the Git provider / poller (`provider`). */
export type TriggeredByKind = 'user' | 'token' | 'provider';

export interface Trigger {
  source: SyncSource;
  /** The commit announced (webhook, poll); absent: the branch's head (Sync Now). */
  commit?: string;
  triggeredBy: string;
  triggeredByKind: TriggeredByKind;
  /** When the trigger arrived (epoch ms): a fetch that began since may serve it. */
  at?: number;
}

export interface RunningSync {
  trigger: Trigger;
  /** The commit being synced: the trigger's until the fetch says which it is. */
  commit?: string;
  /** Retries made of the apply. */
  retryCount: number;
}

export interface SyncState {
  status: SyncStatus;
  phase: SyncPhase | null;
  message: string;
  running?: RunningSync;
  pending?: Trigger;
  /** The commit of the last sync that succeeded. */
  syncedCommit?: string;
  /** The commit of the last sync that finished, whatever its outcome. */
  lastCommit?: string;
}

export type SyncEvent =
  | { type: 'requested'; trigger: Trigger }
  | { type: 'fetched'; commit: string }
  | { type: 'fetchFailed'; message: string }
  | { type: 'invalid'; errorCount: number }
  | { type: 'validated'; changed: number }
  | { type: 'applyFailed'; message: string }
  | { type: 'applied' }
  /** The running sync stops without finishing (the platform is stopping). */
  | { type: 'aborted'; message: string };

export type SyncEffect =
  /** Start a sync (create its history entry, fetch). */
  | { kind: 'start'; trigger: Trigger }
  /** Wait `delayMs`, then apply again (retry number `attempt`). */
  | { kind: 'retry'; attempt: number; delayMs: number }
  /** The running sync ended: record it. */
  | { kind: 'finish'; outcome: 'success' | 'failed'; commit?: string; retryCount: number; message: string };

export interface Transition {
  state: SyncState;
  effects: SyncEffect[];
}

export const IDLE: SyncState = { status: 'Synced', phase: null, message: 'not synced yet' };
export const NOT_CONFIGURED = (reason: string): SyncState => ({
  status: 'NotConfigured',
  phase: null,
  message: reason,
});

export const short = (sha: string | undefined) => (sha ? sha.slice(0, 7) : 'the branch head');

const same = (a: string | undefined, b: string | undefined) => a !== undefined && a === b;

function startRun(s: SyncState, trigger: Trigger): Transition {
  return {
    state: {
      ...s,
      status: 'Syncing',
      phase: 'Fetching',
      message: `fetching ${short(trigger.commit)}`,
      running: { trigger, ...(trigger.commit ? { commit: trigger.commit } : {}), retryCount: 0 },
    },
    effects: [{ kind: 'start', trigger }],
  };
}

/** Ends the running sync and starts the pending one, if any. */
function finish(s: SyncState, outcome: 'success' | 'failed', phase: SyncPhase, message: string): Transition {
  const run = s.running;
  const commit = run?.commit;
  const ended: SyncState = {
    ...s,
    status: outcome === 'success' ? 'Synced' : 'Error',
    phase,
    message,
    running: undefined,
    pending: undefined,
    lastCommit: commit ?? s.lastCommit,
    ...(outcome === 'success' && commit ? { syncedCommit: commit } : {}),
  };
  const effects: SyncEffect[] = [
    { kind: 'finish', outcome, ...(commit ? { commit } : {}), retryCount: run?.retryCount ?? 0, message },
  ];
  const next = s.pending;
  if (!next) return { state: ended, effects };
  if (next.source !== 'manual' && same(next.commit, commit)) return { state: ended, effects }; // the waiting trigger named the commit just synced
  const started = startRun(ended, next);
  return { state: started.state, effects: [...effects, ...started.effects] };
}

/** The next state and effects for one event (pure). */
export function reduce(s: SyncState, e: SyncEvent, policy: RetryPolicyMs = RETRY_DEFAULTS): Transition {
  const none = { state: s, effects: [] };
  if (s.status === 'NotConfigured') return none;
  const run = s.running;
  switch (e.type) {
    case 'requested': {
      const t = e.trigger;
      if (!run) {
        if (t.source !== 'manual' && same(t.commit, s.lastCommit)) return none;
        return startRun(s, t);
      }
      if (t.source !== 'manual' && same(t.commit, run.commit)) return none;
      // the newest trigger replaces the waiting one: they coalesce into one sync
      return { state: { ...s, pending: t }, effects: [] };
    }
    case 'fetched': {
      if (!run) return none;
      const pending =
        s.pending && s.pending.source !== 'manual' && s.pending.commit === e.commit ? undefined : s.pending;
      return {
        state: {
          ...s,
          phase: 'Validating',
          message: `validating ${short(e.commit)}`,
          running: { ...run, commit: e.commit },
          pending,
        },
        effects: [],
      };
    }
    case 'fetchFailed':
      return run ? finish(s, 'failed', 'Fetching', `fetch failed: ${e.message}`) : none;
    case 'invalid':
      return run
        ? finish(
            s,
            'failed',
            'Validating',
            `commit ${short(run.commit)} does not validate (${e.errorCount} ${e.errorCount === 1 ? 'error' : 'errors'}): nothing applied`,
          )
        : none;
    case 'validated':
      if (!run) return none;
      return {
        state: {
          ...s,
          phase: 'Applying',
          message:
            e.changed === 0
              ? `nothing changed in ${short(run.commit)}`
              : `applying ${e.changed} changed ${e.changed === 1 ? 'member' : 'members'} of ${short(run.commit)}`,
        },
        effects: [],
      };
    case 'applyFailed': {
      if (!run) return none;
      if (s.pending)
        return finish(s, 'failed', 'Applying', `apply failed: ${e.message} (a newer sync is waiting)`);
      const attempt = run.retryCount + 1;
      if (attempt > policy.limit)
        return finish(
          s,
          'failed',
          'Applying',
          `apply failed: ${e.message} (${policy.limit === 0 ? 'no retries' : `retries exhausted: ${policy.limit} of ${policy.limit}`})`,
        );
      const delayMs = backoffMs(policy, attempt);
      return {
        state: {
          ...s,
          message: `apply failed: ${e.message}; retry ${attempt} of ${policy.limit} in ${Math.ceil(delayMs / 1000)} s`,
          running: { ...run, retryCount: attempt },
        },
        effects: [{ kind: 'retry', attempt, delayMs }],
      };
    }
    case 'applied':
      return run ? finish(s, 'success', 'Completed', `synced ${short(run.commit)}`) : none;
    case 'aborted':
      return run ? finish(s, 'failed', s.phase ?? 'Fetching', e.message) : none;
  }
}
