import { BusSubjectError } from './errors.ts';

/**
 * A cluster id is one subject token that is also a valid JetStream consumer name:
 * letters, digits, `_` and `-`, at most 128 characters. No `.`, `*`, `>`, whitespace
 * or slashes, so an id can never widen a subscription or escape its subject.
 */
export const CLUSTER_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export function isClusterId(id: unknown): id is string {
  return typeof id === 'string' && CLUSTER_ID_PATTERN.test(id);
}

export function assertClusterId(id: string): string {
  if (!isClusterId(id)) {
    throw new BusSubjectError(
      String(id),
      `cluster id ${JSON.stringify(id)} is not a single safe subject token (letters, digits, "_", "-"; no ".", "*", ">", whitespace)`,
    );
  }
  return id;
}

/** Prefix of the native engine's reconcile heartbeats. */
export const HEARTBEAT_PREFIX = 'agent.heartbeat.native_reconcile';
/** Every cluster's heartbeat (what the platform subscribes to). */
export const HEARTBEAT_SUBJECTS = `${HEARTBEAT_PREFIX}.*`;

/** `agent.heartbeat.native_reconcile.{cluster_id}`: published by the agent after every sweep. */
export function heartbeatSubject(clusterId: string): string {
  return `${HEARTBEAT_PREFIX}.${assertClusterId(clusterId)}`;
}

/** Prefix of durable commands from the platform to one cluster's agent. */
export const COMMAND_PREFIX = 'agent.commands';
/** Every cluster's command subject: the subjects of the JetStream stream. */
export const COMMAND_SUBJECTS = `${COMMAND_PREFIX}.*`;
/** The JetStream stream (work-queue retention) holding commands until an agent acks them. */
export const COMMANDS_STREAM = 'MOORING_COMMANDS';

/** `agent.commands.{cluster_id}`: the durable work queue of one cluster. */
export function commandSubject(clusterId: string): string {
  return `${COMMAND_PREFIX}.${assertClusterId(clusterId)}`;
}

/** Durable consumer name of one cluster's command queue. */
export function commandConsumerName(clusterId: string): string {
  return `agent-${assertClusterId(clusterId)}`;
}

/** Prefix of the results the agent publishes when it settles a command. */
export const RESULT_PREFIX = 'agent.results';
/** Every cluster's results (what the platform subscribes to). */
export const RESULT_SUBJECTS = `${RESULT_PREFIX}.*`;

/** `agent.results.{cluster_id}`: published by the agent for every command it settles. */
export function resultSubject(clusterId: string): string {
  return `${RESULT_PREFIX}.${assertClusterId(clusterId)}`;
}

/** Prefix of the member states the agent publishes after its sweeps and re-checks (state, drift). */
export const STATE_PREFIX = 'agent.states';
/** Every cluster's member states (what the platform subscribes to). */
export const STATE_SUBJECTS = `${STATE_PREFIX}.*`;

/** `agent.states.{cluster_id}`: each add-on's and manifest's state and drift, after a sweep or a re-check. */
export function stateSubject(clusterId: string): string {
  return `${STATE_PREFIX}.${assertClusterId(clusterId)}`;
}

/** Prefix of the platform's requests to one cluster's agent (request/reply, not durable). */
export const REQUEST_PREFIX = 'agent.requests';
/** Every request to every cluster's agent (what the platform may publish). */
export const REQUEST_SUBJECTS = `${REQUEST_PREFIX}.*.>`;

/** `agent.requests.{cluster_id}.{name}`: a request (e.g. `addon.tree`) to one cluster's agent. */
export function requestSubject(clusterId: string, name: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,3}$/.test(name)) {
    throw new BusSubjectError(
      name,
      `request name ${JSON.stringify(name)} is not made of safe subject tokens`,
    );
  }
  return `${REQUEST_PREFIX}.${assertClusterId(clusterId)}.${name}`;
}

/** What one cluster's agent subscribes to for requests: `agent.requests.{cluster_id}.>`. */
export function requestSubjects(clusterId: string): string {
  return `${REQUEST_PREFIX}.${assertClusterId(clusterId)}.>`;
}

/** The cluster id in a heartbeat, command, result or state subject; undefined for other subjects. */
export function clusterIdOfSubject(subject: string): string | undefined {
  for (const prefix of [HEARTBEAT_PREFIX, COMMAND_PREFIX, RESULT_PREFIX, STATE_PREFIX]) {
    if (subject.startsWith(`${prefix}.`)) {
      const rest = subject.slice(prefix.length + 1);
      return isClusterId(rest) ? rest : undefined;
    }
  }
  return undefined;
}

const TOKEN = /^[^\s.*>]+$/;

/** Throws unless `subject` is a concrete subject: dot-separated non-empty tokens, no wildcards, no whitespace. */
export function assertSubject(subject: string): string {
  if (typeof subject !== 'string' || subject === '' || !subject.split('.').every((t) => TOKEN.test(t))) {
    throw new BusSubjectError(String(subject), `invalid subject ${JSON.stringify(subject)}`);
  }
  return subject;
}

/** Throws unless `pattern` is a valid subscription: tokens, `*` for one token, `>` as the last token. */
export function assertPattern(pattern: string): string {
  const tokens = typeof pattern === 'string' && pattern !== '' ? pattern.split('.') : [];
  const ok =
    tokens.length > 0 &&
    tokens.every((t, i) => t === '*' || (t === '>' && i === tokens.length - 1) || TOKEN.test(t));
  if (!ok)
    throw new BusSubjectError(String(pattern), `invalid subscription subject ${JSON.stringify(pattern)}`);
  return pattern;
}

/** NATS subject matching: `*` matches exactly one token, a final `>` one or more. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const t = p[i];
    if (t === '>') return s.length > i;
    if (i >= s.length) return false;
    if (t !== '*' && t !== s[i]) return false;
  }
  return p.length === s.length;
}
