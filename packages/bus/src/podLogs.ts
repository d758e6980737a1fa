import { z } from 'zod';
import { BusSubjectError } from './errors.ts';
import { STREAM_ID_PATTERN } from './kubeProxy.ts';
import { assertClusterId } from './subjects.ts';

/**
 * Pod logs between the platform and one cluster's agent, on the cluster's own subjects:
 *
 * - `agent.logs.{cluster_id}.req`: the platform asks for a pod's log (request/reply: the
 *   reply says whether it starts, or why not).
 * - `agent.logs.{cluster_id}.data.{stream_id}`: the log in numbered chunks (agent →
 *   platform), ending with `end`.
 * - `agent.logs.{cluster_id}.ctl.{stream_id}`: the platform's credit (`ack`: the highest
 *   chunk written to the client) or `cancel`. The agent never has more than the window
 *   of chunks unacknowledged: past it, it stops reading from the API server.
 */
export const LOGS_PREFIX = 'agent.logs';
export const LOGS_REQUEST_SUBJECTS = `${LOGS_PREFIX}.*.req`;
export const LOGS_DATA_SUBJECTS = `${LOGS_PREFIX}.*.data.*`;
export const LOGS_CONTROL_SUBJECTS = `${LOGS_PREFIX}.*.ctl.*`;

function assertStreamId(id: string): string {
  if (!STREAM_ID_PATTERN.test(id))
    throw new BusSubjectError(id, `stream id ${JSON.stringify(id)} is not one safe subject token`);
  return id;
}

export function logsRequestSubject(clusterId: string): string {
  return `${LOGS_PREFIX}.${assertClusterId(clusterId)}.req`;
}
export function logsDataSubject(clusterId: string, streamId: string): string {
  return `${LOGS_PREFIX}.${assertClusterId(clusterId)}.data.${assertStreamId(streamId)}`;
}
export function logsControlSubject(clusterId: string, streamId: string): string {
  return `${LOGS_PREFIX}.${assertClusterId(clusterId)}.ctl.${assertStreamId(streamId)}`;
}
/** What one cluster's agent may publish. */
export function logsDataSubjects(clusterId: string): string {
  return `${LOGS_PREFIX}.${assertClusterId(clusterId)}.data.*`;
}
/** What one cluster's agent may subscribe to for controls. */
export function logsControlSubjects(clusterId: string): string {
  return `${LOGS_PREFIX}.${assertClusterId(clusterId)}.ctl.*`;
}

/** Chunks in flight (sent, not acknowledged) before the agent pauses its read. */
export const LOGS_WINDOW = 32;
/** The most log bytes in one chunk. */
export const LOGS_CHUNK_BYTES = 64 * 1024;

const dns1123 = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export const podLogsRequestSchema = z.strictObject({
  stream_id: z.string().regex(STREAM_ID_PATTERN),
  namespace: z.string().max(63).regex(dns1123),
  pod: z.string().max(253).regex(dns1123),
  /** One container; absent: the pod's only container (or its default-container annotation). */
  container: z.string().max(253).regex(dns1123).optional(),
  /** Every container, each line prefixed with `[container] `. */
  all_containers: z.boolean(),
  follow: z.boolean(),
  previous: z.boolean(),
  tail_lines: z.number().int().min(0).optional(),
  since_seconds: z.number().int().min(1).optional(),
  timestamps: z.boolean(),
  /** Chunks the platform allows in flight (at most `LOGS_WINDOW`). */
  window: z.number().int().min(1).max(1024),
});
export type PodLogsRequest = z.infer<typeof podLogsRequestSchema>;

/** The agent's answer before the log: 200 and the log follows, or the API server's refusal. */
export const podLogsReplySchema = z.strictObject({
  status: z.number().int().min(100).max(599),
  /** Why not (with a status other than 200). */
  message: z.string().optional(),
  /** The containers whose logs follow. */
  containers: z.array(z.string()).optional(),
});
export type PodLogsReply = z.infer<typeof podLogsReplySchema>;

export const podLogsChunkSchema = z.strictObject({
  seq: z.number().int().min(0),
  /** Log text (UTF-8, whole lines when the log has them). */
  data: z.string().optional(),
  end: z.boolean().optional(),
  error: z.string().optional(),
});
export type PodLogsChunk = z.infer<typeof podLogsChunkSchema>;

export const podLogsControlSchema = z.union([
  z.strictObject({ ack: z.number().int().min(-1) }),
  z.strictObject({ cancel: z.literal(true) }),
]);
export type PodLogsControl = z.infer<typeof podLogsControlSchema>;
