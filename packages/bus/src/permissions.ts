import {
  KUBE_CONTROL_SUBJECTS,
  KUBE_DATA_SUBJECTS,
  KUBE_REQUEST_SUBJECTS,
  kubeControlSubjects,
  kubeDataSubjects,
  kubeRequestSubject,
} from './kubeProxy.ts';
import {
  LOGS_CONTROL_SUBJECTS,
  LOGS_DATA_SUBJECTS,
  LOGS_REQUEST_SUBJECTS,
  logsControlSubjects,
  logsDataSubjects,
  logsRequestSubject,
} from './podLogs.ts';
import { RESOURCES_SUBJECTS, resourcesSubject } from './resources.ts';
import {
  assertClusterId,
  COMMAND_SUBJECTS,
  COMMANDS_STREAM,
  commandConsumerName,
  HEARTBEAT_SUBJECTS,
  heartbeatSubject,
  REQUEST_SUBJECTS,
  RESULT_SUBJECTS,
  requestSubjects,
  resultSubject,
  STATE_SUBJECTS,
  stateSubject,
  subjectMatches,
} from './subjects.ts';

/** `pub`: publish (and send requests) on a subject; `sub`: subscribe to a subject or pattern. */
export type BusOperation = 'pub' | 'sub';

/**
 * What one connection may do on the bus: the subjects (NATS wildcards allowed) it may
 * publish to and subscribe to. Everything else is refused. The same lists become a NATS
 * user's permissions (`pub.allow`, `sub.allow`) and the rule of an `InProcessBus` view.
 */
export interface BusPermissions {
  publish: readonly string[];
  subscribe: readonly string[];
  /**
   * May answer requests it received (NATS `allow_responses`: one reply per request, to
   * the reply subject the requester chose, only within `ttlMs`), without any publish
   * permission on the requester's inbox. Absent: no replies.
   */
  responses?: { max: number; ttlMs: number };
}

/** How long an agent may take to answer a request it received. */
export const AGENT_RESPONSE_TTL_MS = 60_000;

/**
 * True when every subject `pattern` can match is also matched by `allow`: a concrete
 * subject is covered by a matching pattern; a subscription `a.*` only by `a.*`, `a.>` or
 * `*.*`-like patterns, never by a concrete `a.b`.
 */
export function patternCovers(allow: string, pattern: string): boolean {
  const a = allow.split('.');
  const p = pattern.split('.');
  for (let i = 0; i < a.length; i++) {
    const t = a[i];
    if (t === '>') return p.length > i;
    if (i >= p.length) return false;
    if (t === '*') {
      if (p[i] === '>') return false;
      continue;
    }
    if (t !== p[i]) return false;
  }
  return a.length === p.length;
}

/**
 * May a connection holding `permissions` publish to (`pub`, a concrete subject) or
 * subscribe to (`sub`, a subject or pattern) `subject`?
 */
export function allowed(permissions: BusPermissions, subject: string, op: BusOperation): boolean {
  if (op === 'pub') return permissions.publish.some((allow) => subjectMatches(allow, subject));
  return permissions.subscribe.some((allow) => patternCovers(allow, subject));
}

/** JetStream API prefix of the account (`$JS.API`). */
export const JS_API_PREFIX = '$JS.API';

/** The request that pulls the next command of a cluster from its durable consumer. */
export function commandNextSubject(clusterId: string): string {
  return `${JS_API_PREFIX}.CONSUMER.MSG.NEXT.${COMMANDS_STREAM}.${commandConsumerName(clusterId)}`;
}

/** The request that reads the state of a cluster's durable consumer. */
export function commandConsumerInfoSubject(clusterId: string): string {
  return `${JS_API_PREFIX}.CONSUMER.INFO.${COMMANDS_STREAM}.${commandConsumerName(clusterId)}`;
}

/** Acknowledgements (ack, nak, working) of the commands delivered by a cluster's consumer. */
export function commandAckSubjects(clusterId: string): string {
  return `$JS.ACK.${COMMANDS_STREAM}.${commandConsumerName(clusterId)}.>`;
}

/**
 * Inbox prefix of one cluster's agent connection (`_INBOX.agent.{cluster_id}`): replies to
 * its requests (JetStream API answers, pulled commands) arrive below it, and it may
 * subscribe to nothing else.
 */
export function agentInboxPrefix(clusterId: string): string {
  return `_INBOX.agent.${assertClusterId(clusterId)}`;
}

/** Inbox prefix of the platform's connections. */
export const PLATFORM_INBOX_PREFIX = '_INBOX.platform';

/**
 * The permissions of one cluster's agent: its own heartbeat, results and member states, its own durable
 * command consumer (read its state, pull, acknowledge), its own inbox, and the
 * platform's requests to it (`agent.requests.{cluster_id}.*`), which it answers once
 * each through the reply subject of the request (never a publish permission on another
 * inbox), and the kubectl proxy of its own cluster: requests on `agent.kube.{cluster_id}.req`
 * (answered once each), controls on `agent.kube.{cluster_id}.ctl.*`, streamed bodies published on
 * `agent.kube.{cluster_id}.data.*`; its live resources on `agent.resources.{cluster_id}`; pod logs
 * (requests on `agent.logs.{cluster_id}.req`, credit on `.ctl.*`, chunks published on `.data.*`). It cannot create or change streams or consumers: the platform creates
 * `agent-{cluster_id}` (`NatsBus.prepareCommands`) before the agent connects.
 */
export function agentPermissions(clusterId: string): BusPermissions {
  return {
    publish: [
      heartbeatSubject(clusterId),
      resultSubject(clusterId),
      stateSubject(clusterId),
      commandConsumerInfoSubject(clusterId),
      commandNextSubject(clusterId),
      commandAckSubjects(clusterId),
      kubeDataSubjects(clusterId),
      resourcesSubject(clusterId),
      logsDataSubjects(clusterId),
    ],
    subscribe: [
      `${agentInboxPrefix(clusterId)}.>`,
      requestSubjects(clusterId),
      kubeRequestSubject(clusterId),
      kubeControlSubjects(clusterId),
      logsRequestSubject(clusterId),
      logsControlSubjects(clusterId),
    ],
    responses: { max: 1, ttlMs: AGENT_RESPONSE_TTL_MS },
  };
}

/**
 * The permissions of the platform: send commands and requests to every cluster (and
 * manage the commands stream and its consumers through the JetStream API), receive every
 * cluster's heartbeats and results, and its own inbox.
 */
export function platformPermissions(): BusPermissions {
  return {
    publish: [
      COMMAND_SUBJECTS,
      REQUEST_SUBJECTS,
      `${JS_API_PREFIX}.>`,
      KUBE_REQUEST_SUBJECTS,
      KUBE_CONTROL_SUBJECTS,
      LOGS_REQUEST_SUBJECTS,
      LOGS_CONTROL_SUBJECTS,
    ],
    subscribe: [
      HEARTBEAT_SUBJECTS,
      RESULT_SUBJECTS,
      STATE_SUBJECTS,
      `${PLATFORM_INBOX_PREFIX}.>`,
      KUBE_DATA_SUBJECTS,
      RESOURCES_SUBJECTS,
      LOGS_DATA_SUBJECTS,
    ],
  };
}
