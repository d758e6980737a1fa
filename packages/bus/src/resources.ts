import { z } from 'zod';
import { assertClusterId } from './subjects.ts';

/**
 * Live resources: one cluster's agent lists then watches the cluster's objects and
 * streams them, trimmed, on `agent.resources.{cluster_id}` (agent → platform). The
 * platform asks for a full resync with the request `resources.resync` on the cluster's
 * request subjects (`agent.requests.{cluster_id}.resources.resync`).
 */
export const RESOURCES_PREFIX = 'agent.resources';
/** Every cluster's live resources (what the platform subscribes to). */
export const RESOURCES_SUBJECTS = `${RESOURCES_PREFIX}.*`;
/** The request name that makes an agent send every kind again (`agent.requests.{id}.resources.resync`). */
export const RESOURCES_RESYNC_REQUEST = 'resources.resync';

/** `agent.resources.{cluster_id}`. */
export function resourcesSubject(clusterId: string): string {
  return `${RESOURCES_PREFIX}.${assertClusterId(clusterId)}`;
}

/** The largest message the agent sends (NATS' default max payload is 1 MiB). */
export const RESOURCES_MESSAGE_BYTES = 512 * 1024;

/** One kind the agent streams; `key` is `plural` for the core group, else `plural.group`. */
export const resourceKindSchema = z.strictObject({
  key: z.string().min(1).max(320),
  kind: z.string().min(1).max(200),
  api_version: z.string().min(1).max(320),
  namespaced: z.boolean(),
});
export type ResourceKind = z.infer<typeof resourceKindSchema>;

/** An object as streamed: trimmed by the agent (no managedFields, no Secret data). */
export const streamedObjectSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
});
export type StreamedObject = z.infer<typeof streamedObjectSchema>;

export const resourcesMessageSchema = z.discriminatedUnion('op', [
  /** The kinds the agent streams now (after a start, a discovery or a resync). */
  z.strictObject({ op: z.literal('kinds'), at: z.string(), kinds: z.array(resourceKindSchema) }),
  /**
   * One part of a full list of a kind: parts `0..n` of one `sync_id`, the last with
   * `last: true`. Once the last part arrives the kind is exactly these objects.
   */
  z.strictObject({
    op: z.literal('sync'),
    kind: resourceKindSchema,
    sync_id: z.string().min(1).max(64),
    part: z.number().int().min(0),
    last: z.boolean(),
    items: z.array(streamedObjectSchema),
  }),
  /** A change seen by the watch. */
  z.strictObject({
    op: z.literal('event'),
    kind: z.string().min(1).max(320),
    type: z.enum(['ADDED', 'MODIFIED', 'DELETED']),
    object: streamedObjectSchema,
  }),
  /** A kind could not be listed or watched (for example Forbidden). */
  z.strictObject({ op: z.literal('error'), kind: z.string().min(1).max(320), message: z.string().max(2000) }),
  /** Sent every 30 s: the agent streams and the platform's copy is current. */
  z.strictObject({ op: z.literal('alive'), at: z.string() }),
]);
export type ResourcesMessage = z.infer<typeof resourcesMessageSchema>;
