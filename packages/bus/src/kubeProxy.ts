import { z } from 'zod';
import { BusSubjectError } from './errors.ts';
import { assertClusterId } from './subjects.ts';

/**
 * The kubectl proxy between the platform and one cluster's agent, on the cluster's own
 * subjects:
 *
 * - `agent.kube.{cluster_id}.req`: the platform's request (request/reply). The one reply
 *   is the API server's status and headers, with the whole body when it is small.
 * - `agent.kube.{cluster_id}.data.{stream_id}`: the rest of the body (a watch, `logs -f`,
 *   a large list) in numbered chunks, published by the agent, ending with `end`.
 * - `agent.kube.{cluster_id}.ctl.{stream_id}`: the platform's controls of a running
 *   request (`cancel` when the client went away).
 */
export const KUBE_PREFIX = 'agent.kube';
/** Every cluster's proxied requests (what the platform may publish). */
export const KUBE_REQUEST_SUBJECTS = `${KUBE_PREFIX}.*.req`;
/** Every cluster's streamed bodies (what the platform may subscribe to). */
export const KUBE_DATA_SUBJECTS = `${KUBE_PREFIX}.*.data.*`;
/** Every cluster's stream controls (what the platform may publish). */
export const KUBE_CONTROL_SUBJECTS = `${KUBE_PREFIX}.*.ctl.*`;

/** A stream id: one subject token of 8 to 64 letters, digits, `_` or `-`. */
export const STREAM_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

function assertStreamId(id: string): string {
  if (!STREAM_ID_PATTERN.test(id))
    throw new BusSubjectError(id, `stream id ${JSON.stringify(id)} is not one safe subject token`);
  return id;
}

/** `agent.kube.{cluster_id}.req`. */
export function kubeRequestSubject(clusterId: string): string {
  return `${KUBE_PREFIX}.${assertClusterId(clusterId)}.req`;
}

/** `agent.kube.{cluster_id}.data.{stream_id}`. */
export function kubeDataSubject(clusterId: string, streamId: string): string {
  return `${KUBE_PREFIX}.${assertClusterId(clusterId)}.data.${assertStreamId(streamId)}`;
}

/** `agent.kube.{cluster_id}.ctl.{stream_id}`. */
export function kubeControlSubject(clusterId: string, streamId: string): string {
  return `${KUBE_PREFIX}.${assertClusterId(clusterId)}.ctl.${assertStreamId(streamId)}`;
}

/** The data subjects of one cluster (what its agent may publish). */
export function kubeDataSubjects(clusterId: string): string {
  return `${KUBE_PREFIX}.${assertClusterId(clusterId)}.data.*`;
}

/** The control subjects of one cluster (what its agent may subscribe to). */
export function kubeControlSubjects(clusterId: string): string {
  return `${KUBE_PREFIX}.${assertClusterId(clusterId)}.ctl.*`;
}

/** Bodies travel as base64; a reply or chunk carries at most this many body bytes. */
export const KUBE_CHUNK_BYTES = 256 * 1024;

export const kubeProxyRequestSchema = z.strictObject({
  stream_id: z.string().regex(STREAM_ID_PATTERN),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  /** The API server path with its query, e.g. `/api/v1/namespaces/a/pods?watch=true`. */
  path: z.string().startsWith('/').max(8192),
  /** Request headers to pass on (content type, accept); never credentials. */
  headers: z.record(z.string(), z.string()),
  body: z.string().optional(),
  /** Who the agent acts as (`Impersonate-User`, `Impersonate-Group`). */
  impersonate: z.strictObject({
    user: z.string().min(1).max(320),
    groups: z.array(z.string().min(1).max(320)).max(16),
  }),
  /** A long-lived answer (watch, follow): counted against the stream limit. */
  stream: z.boolean(),
  /**
   * An upgrade (`exec`, `attach`, `portforward` over WebSocket or SPDY): the handshake
   * headers to pass (`connection`, `upgrade`, `sec-websocket-*`, `x-stream-protocol-version`).
   * After a `101` the connection is a byte tunnel: the API server's bytes come as chunks on
   * the data subject, the client's go as `tunnelChunk`s on the control subject.
   */
  upgrade: z.record(z.string(), z.string()).optional(),
});
export type KubeProxyRequest = z.infer<typeof kubeProxyRequestSchema>;

export const kubeProxyReplySchema = z.strictObject({
  status: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.string()),
  /** The whole body (base64) when `more` is false. */
  body: z.string().optional(),
  /** The body follows as chunks on the data subject. */
  more: z.boolean(),
});
export type KubeProxyReply = z.infer<typeof kubeProxyReplySchema>;

export const kubeProxyChunkSchema = z.strictObject({
  seq: z.number().int().min(0),
  data: z.string().optional(),
  /** The last chunk. */
  end: z.boolean().optional(),
  /** Why the body ended early (the connection to the API server broke). */
  error: z.string().optional(),
});
export type KubeProxyChunk = z.infer<typeof kubeProxyChunkSchema>;

/** The client's bytes of an upgraded connection, numbered; `end` when the client closed its side. */
export const kubeTunnelChunkSchema = z.strictObject({
  seq: z.number().int().min(0),
  data: z.string().optional(),
  end: z.boolean().optional(),
});
export type KubeTunnelChunk = z.infer<typeof kubeTunnelChunkSchema>;

export const kubeProxyControlSchema = z.union([
  z.strictObject({ cancel: z.literal(true) }),
  z.strictObject({ tunnel: kubeTunnelChunkSchema }),
]);
export type KubeProxyControl = z.infer<typeof kubeProxyControlSchema>;

/** Puts numbered chunks back in order (pure): `accept` returns the chunks now ready, in order. */
export class ChunkSequencer<C extends { seq: number } = KubeProxyChunk> {
  #next = 0;
  readonly #held = new Map<number, C>();

  accept(chunk: C): C[] {
    if (chunk.seq < this.#next) return [];
    this.#held.set(chunk.seq, chunk);
    const ready: C[] = [];
    for (let c = this.#held.get(this.#next); c; c = this.#held.get(this.#next)) {
      this.#held.delete(this.#next++);
      ready.push(c);
    }
    return ready;
  }
}
