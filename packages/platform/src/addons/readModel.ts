import type { HealthStatus } from '@mooring/core';

/** One drifted object as the agent reports it: ref, changed field paths, a short diff. */
export interface DriftView {
  ref: string;
  missing: boolean;
  fields: string[];
  text?: string;
}

/** One member's observed state as stored (`addon_states`). */
export interface MemberObservation {
  kind: 'addon' | 'manifest';
  name: string;
  stack?: string;
  namespace?: string;
  state?: string;
  phase?: string;
  message?: string;
  revision?: number;
  drifted_objects?: number;
  drift?: DriftView[];
  behind_git?: boolean;
  /** When the state changed (an apply or a sweep result). */
  updated_at?: Date;
  /** When a sweep last looked at it. */
  inspected_at?: Date;
}

/** What one message changes in a cluster's read model. */
export type ReadModelChange =
  | { op: 'upsert'; member: MemberObservation }
  | { op: 'remove'; kind: 'addon' | 'manifest'; name: string }
  | { op: 'inspected'; at: Date };

/** The parts of an agent result the read model uses (the agent's `commandResultSchema`). */
export interface ResultForReadModel {
  kind: string;
  finished_at: string;
  apply?: {
    members: {
      kind: 'addon' | 'manifest';
      name: string;
      stack: string;
      phase: string;
      state: string;
      message: string;
      revision?: number;
    }[];
    removed: { kind: 'addon' | 'manifest'; name: string; error?: string }[];
  };
  sweep?: {
    heartbeat: { last_sweep_at: string };
    members: {
      kind: 'addon' | 'manifest';
      name: string;
      namespace?: string;
      stack: string;
      state: string;
      drifted_objects: number;
      drift?: DriftView[];
      behind_git?: boolean;
      message: string;
    }[];
  };
}

/** The parts of a member-states message (`agent.states.*`) the read model uses. */
export interface StatesForReadModel {
  observed_at: string;
  members: {
    kind: 'addon' | 'manifest';
    name: string;
    namespace?: string;
    stack: string;
    state: string;
    message: string;
    revision?: number;
    drifted_objects: number;
    drift: DriftView[];
    behind_git?: boolean;
  }[];
}

/**
 * The read-model changes of an agent result (pure): an apply's per-member outcomes
 * (state, phase, revision, message; members it removed go), a sweep's per-member
 * states (and drift); other results change nothing.
 */
export function changesFromResult(r: ResultForReadModel): ReadModelChange[] {
  const at = new Date(r.finished_at);
  const out: ReadModelChange[] = [];
  for (const m of r.apply?.members ?? []) {
    // a member the apply skipped because a parent failed keeps what it had, with the reason
    out.push({
      op: 'upsert',
      member: {
        kind: m.kind,
        name: m.name,
        stack: m.stack,
        state: m.state,
        phase: m.phase,
        message: m.message,
        ...(m.revision !== undefined ? { revision: m.revision } : {}),
        ...(m.state === 'Synced' ? { drifted_objects: 0, drift: [] } : {}),
        updated_at: at,
      },
    });
  }
  for (const x of r.apply?.removed ?? [])
    if (!x.error) out.push({ op: 'remove', kind: x.kind, name: x.name });
  if (r.sweep) {
    const swept = new Date(r.sweep.heartbeat.last_sweep_at);
    for (const m of r.sweep.members) {
      out.push({
        op: 'upsert',
        member: {
          kind: m.kind,
          name: m.name,
          stack: m.stack,
          ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
          state: m.state,
          message: m.message,
          drifted_objects: m.drifted_objects,
          ...(m.drift !== undefined ? { drift: m.drift } : m.drifted_objects === 0 ? { drift: [] } : {}),
          ...(m.behind_git !== undefined ? { behind_git: m.behind_git } : {}),
          inspected_at: swept,
        },
      });
    }
  }
  return out;
}

/**
 * The read-model changes of a member-states message (pure): each member's state, drift
 * (objects and field paths) and revision as a sweep or a re-check found them.
 */
export function changesFromStates(s: StatesForReadModel): ReadModelChange[] {
  const at = new Date(s.observed_at);
  return s.members.map((m) => ({
    op: 'upsert' as const,
    member: {
      kind: m.kind,
      name: m.name,
      stack: m.stack,
      ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
      state: m.state,
      message: m.message,
      ...(m.revision !== undefined ? { revision: m.revision } : {}),
      drifted_objects: m.drifted_objects,
      drift: m.drift,
      ...(m.behind_git !== undefined ? { behind_git: m.behind_git } : {}),
      inspected_at: at,
    },
  }));
}

/** A heartbeat says every member was just inspected (pure). */
export function changesFromHeartbeat(hb: { last_sweep_at: string }): ReadModelChange[] {
  return [{ op: 'inspected', at: new Date(hb.last_sweep_at) }];
}

/**
 * A stored row after one change (pure): fields present in the observation replace the
 * row's; `updated_at` moves only when the state or the revision changed (or an apply
 * touched it), so "last updated" means the add-on changed, not that it was looked at.
 */
export function applyObservation(
  row: MemberObservation | undefined,
  o: MemberObservation,
): MemberObservation {
  const next: MemberObservation = { ...row, ...o };
  const changed =
    !row ||
    (o.state !== undefined && o.state !== row.state) ||
    (o.revision !== undefined && o.revision !== row.revision) ||
    o.phase !== undefined;
  next.updated_at = changed ? (o.updated_at ?? o.inspected_at ?? row?.updated_at) : row?.updated_at;
  return next;
}

/** The health shown next to a state (pure). */
export function healthOfState(state: string | undefined): HealthStatus {
  switch (state) {
    case 'Synced':
    case 'OutOfSync':
      return 'Healthy';
    case 'Degraded':
      return 'Degraded';
    case 'Deploying':
    case 'Pending':
      return 'Progressing';
    default:
      return 'Unknown';
  }
}
