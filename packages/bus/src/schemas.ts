import type { NativeReconcileHeartbeat as Heartbeat } from '@mooring/core';
import { type ZodType, z } from 'zod';
import { type BusIssue, BusMessageError } from './errors.ts';
import {
  CLUSTER_ID_PATTERN,
  COMMAND_SUBJECTS,
  clusterIdOfSubject,
  HEARTBEAT_SUBJECTS,
  STATE_SUBJECTS,
  subjectMatches,
} from './subjects.ts';

const clusterId = z
  .string()
  .regex(CLUSTER_ID_PATTERN, 'must be a single safe subject token (letters, digits, "_", "-")');
const isoTime = z.iso.datetime({ offset: true });

/** The native engine's reconcile heartbeat, published after every sweep. */
export const heartbeatSchema = z.strictObject({
  cluster_id: clusterId,
  /** ISO 8601 time the sweep finished. */
  last_sweep_at: isoTime,
  sweep_duration_seconds: z.number().nonnegative(),
  addons_inspected: z.number().int().nonnegative(),
});
export type HeartbeatMessage = z.infer<typeof heartbeatSchema>;

// The schema and the engine's `Heartbeat` must describe the same object: a change to
// either side that makes them differ fails `tsc` here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const HEARTBEAT_MATCHES_ENGINE: Same<HeartbeatMessage, Heartbeat> = true;

/** Bounds of a member-states message: drift is summarised (object refs, field paths, a truncated diff). */
export const STATE_LIMITS = { objects: 20, fields: 50, textChars: 2000 } as const;

/** One drifted object of a member: its ref, the changed field paths (`spec.replicas`), a short diff. */
export const driftedObjectSchema = z.object({
  ref: z.string().max(512),
  missing: z.boolean(),
  fields: z.array(z.string().max(512)).max(STATE_LIMITS.fields),
  /** The human-readable diff, cut at `STATE_LIMITS.textChars`; absent for Secrets. */
  text: z
    .string()
    .max(STATE_LIMITS.textChars + 64)
    .optional(),
});
export type DriftedObject = z.infer<typeof driftedObjectSchema>;

/** One add-on's or manifest member's state as a sweep or a re-check found it. */
export const memberStateSchema = z.object({
  kind: z.enum(['addon', 'manifest']),
  name: z.string(),
  namespace: z.string().optional(),
  stack: z.string(),
  state: z.string(),
  reason: z.string().optional(),
  message: z.string(),
  actions: z.array(z.string()),
  revision: z.number().int().optional(),
  behind_git: z.boolean().optional(),
  drifted_objects: z.number().int().nonnegative(),
  drift: z.array(driftedObjectSchema).max(STATE_LIMITS.objects),
});
export type MemberState = z.infer<typeof memberStateSchema>;

/**
 * `agent.states.{cluster_id}`: after every full sweep (`scope: sweep`, every member) and every
 * targeted re-check (`scope: check`, one member), what the agent found.
 */
export const memberStatesSchema = z.strictObject({
  cluster_id: clusterId,
  observed_at: isoTime,
  scope: z.enum(['sweep', 'check']),
  members: z.array(memberStateSchema),
});
export type MemberStatesMessage = z.infer<typeof memberStatesSchema>;

/** A durable command from the platform to one cluster's agent. */
export const commandEnvelopeSchema = z.strictObject({
  /** Unique id (also the JetStream de-duplication id: sending the same id twice enqueues once). */
  id: z.string().min(1).max(256),
  /** What to do, e.g. `sync`, `sweep`, `rollback`: the agent dispatches on it. */
  kind: z.string().min(1).max(128),
  cluster_id: clusterId,
  issued_at: isoTime,
  payload: z.record(z.string(), z.unknown()),
  /**
   * The unit of work this command performs (the platform's operation id and step id). A command
   * re-sent with the same key (a new `id`) is the same work: the agent runs it at most once and
   * answers a repeat with the result it already has.
   */
  idempotency_key: z.string().min(1).max(512).optional(),
});
export type CommandEnvelope = z.infer<typeof commandEnvelopeSchema>;

/** Schemas known for subjects, by subscription pattern. */
const KNOWN: { pattern: string; schema: ZodType }[] = [
  { pattern: HEARTBEAT_SUBJECTS, schema: heartbeatSchema },
  { pattern: COMMAND_SUBJECTS, schema: commandEnvelopeSchema },
  { pattern: STATE_SUBJECTS, schema: memberStatesSchema },
];

/** The schema of a concrete subject's messages, when the bus knows one. */
export function schemaForSubject(subject: string): ZodType | undefined {
  return KNOWN.find((k) => subjectMatches(k.pattern, subject))?.schema;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

/** Parses `data` with `schema`; `BusMessageError` naming the subject and the fields when it does not match. */
export function parseWith<T>(subject: string, data: unknown, schema: ZodType<T>): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issues: BusIssue[] = r.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message }));
  throw new BusMessageError(subject, issues, { cause: r.error });
}

/**
 * Checks `data` against `schema` (or the schema known for `subject`) and returns the
 * parsed value. For heartbeat, command and result subjects the payload's `cluster_id` must be
 * the subject's. Throws `BusMessageError` naming the subject and the fields.
 */
export function validateMessage<T = unknown>(subject: string, data: unknown, schema?: ZodType<T>): T {
  const s = schema ?? schemaForSubject(subject);
  const value = s ? parseWith(subject, data, s) : data;
  const owner = clusterIdOfSubject(subject);
  if (owner !== undefined && value && typeof value === 'object' && 'cluster_id' in value) {
    const id = (value as { cluster_id: unknown }).cluster_id;
    if (id !== owner) {
      throw new BusMessageError(subject, [
        { path: 'cluster_id', message: `${JSON.stringify(id)} is not the subject's cluster "${owner}"` },
      ]);
    }
  }
  return value as T;
}
