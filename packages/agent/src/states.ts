import {
  type DriftedObject,
  type MemberState,
  type MemberStatesMessage,
  memberStatesSchema,
  parseWith,
  STATE_LIMITS,
  stateSubject,
} from '@mooring/bus';
import type { AddonReport, ManifestReport, ObjectDrift } from '@mooring/engine';

export { stateSubject };

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers.0.image` (pure). */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters)`;
}

/**
 * Drift as a small message carries it (pure): object refs, the changed field paths, and the
 * diff text cut short; a Secret's text is left out (its values must not leave the cluster).
 */
export function driftSummary(drift: readonly ObjectDrift[]): DriftedObject[] {
  return drift.slice(0, STATE_LIMITS.objects).map((d) => {
    const fields = [...new Set(d.patch.map((p) => fieldPath(p.path)))];
    const secret = d.ref.startsWith('Secret/');
    return {
      ref: d.ref,
      missing: d.missing,
      fields: fields.slice(0, STATE_LIMITS.fields),
      ...(!secret && d.text ? { text: cut(d.text, STATE_LIMITS.textChars) } : {}),
    };
  });
}

/** An add-on's state from a sweep's report (pure). A healed drift is gone: Git was re-applied. */
export function addonState(a: AddonReport): MemberState {
  const drift = a.actions.includes('healed') ? [] : a.drift;
  return {
    kind: 'addon',
    name: a.name,
    namespace: a.namespace,
    stack: a.stack,
    state: a.state,
    reason: a.reason,
    message: a.message,
    actions: a.actions,
    ...(a.revision !== undefined ? { revision: a.revision } : {}),
    ...(a.behindGit !== undefined ? { behind_git: a.behindGit } : {}),
    drifted_objects: drift.length,
    drift: driftSummary(drift),
  };
}

/** A manifest member's state from a sweep's report (pure). */
export function manifestState(m: ManifestReport): MemberState {
  const drift = m.actions.includes('healed') ? [] : m.drift;
  return {
    kind: 'manifest',
    name: m.name,
    stack: m.stack,
    state: m.state,
    message: m.message,
    actions: m.actions,
    drifted_objects: drift.length,
    drift: driftSummary(drift),
  };
}

/** The message published on `agent.states.{cluster_id}` (validated: a bad one throws). */
export function statesMessage(
  clusterId: string,
  scope: 'sweep' | 'check',
  members: MemberState[],
  at: Date,
): MemberStatesMessage {
  const message = { cluster_id: clusterId, observed_at: at.toISOString(), scope, members };
  return parseWith(stateSubject(clusterId), message, memberStatesSchema);
}
