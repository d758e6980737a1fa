import {
  driftedObjectSchema,
  heartbeatSchema,
  parseWith,
  RESULT_PREFIX,
  RESULT_SUBJECTS,
  resultSubject,
} from '@mooring/bus';
import { z } from 'zod';

/** Results of durable commands, agent → platform: `agent.results.{cluster_id}` (subjects from `@mooring/bus`). */
export { RESULT_PREFIX, RESULT_SUBJECTS, resultSubject };

const isoTime = z.iso.datetime({ offset: true });

/** A definition diagnostic (core's `Diagnostic`), as sent to the platform. */
export const diagnosticSchema = z.object({
  severity: z.enum(['error', 'warning']),
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  path: z.string(),
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
});

/** One member's outcome of an `apply` (the engine's `MemberOutcome`). */
export const memberResultSchema = z.object({
  id: z.string(),
  stack: z.string(),
  kind: z.enum(['addon', 'manifest']),
  name: z.string(),
  phase: z.string(),
  state: z.string(),
  message: z.string(),
  duration_ms: z.number().nonnegative(),
  revision: z.number().int().optional(),
});

export const removalResultSchema = z.object({
  kind: z.enum(['addon', 'manifest']),
  name: z.string(),
  namespace: z.string().optional(),
  stack: z.string().optional(),
  detail: z.string(),
  error: z.string().optional(),
  retained_pvcs: z.array(z.string()).optional(),
  deleted_pvcs: z.array(z.string()).optional(),
});

export const applyResultSchema = z.object({
  definition: z.string(),
  members: z.array(memberResultSchema),
  removed: z.array(removalResultSchema),
  removal_skipped: z.string().optional(),
  helm_calls: z.number().int().nonnegative(),
});

/** One member's state after a sweep. */
export const checkResultSchema = z.object({
  kind: z.enum(['addon', 'manifest']),
  name: z.string(),
  namespace: z.string().optional(),
  stack: z.string(),
  state: z.string(),
  reason: z.string().optional(),
  actions: z.array(z.string()),
  drifted_objects: z.number().int().nonnegative(),
  /** The drifted objects: refs, changed field paths, a short diff (as on `agent.states.*`). */
  drift: z.array(driftedObjectSchema).optional(),
  behind_git: z.boolean().optional(),
  message: z.string(),
});

export const sweepResultSchema = z.object({
  heartbeat: heartbeatSchema,
  members: z.array(checkResultSchema),
  helm_calls: z.number().int().nonnegative(),
  api_requests: z.number().int().nonnegative(),
});

/** What moving an add-on between engines did (`argocd.migrate`, `argocd.return`). */
export const migrationResultSchema = z.object({
  addon: z.string(),
  namespace: z.string(),
  to: z.enum(['native', 'argocd']),
  revision: z.number().int().nonnegative(),
  already: z.boolean(),
  objects: z.number().int().nonnegative(),
  replaced: z.array(z.string()),
  pods_before: z.array(z.string()),
  pods_after: z.array(z.string()),
  metadata_changed: z.array(z.string()),
});

/**
 * What the agent publishes when it settles a command. `outcome`: `ok`; `failed`
 * (ran and failed, e.g. an add-on did not deploy); `invalid` (bad payload or
 * definition: nothing was done, see `diagnostics`); `unknown_kind`.
 */
export const commandResultSchema = z.strictObject({
  command_id: z.string().min(1),
  cluster_id: z.string(),
  /** The command's `idempotency_key`, when it had one (a repeat answered from the agent's record carries it too). */
  idempotency_key: z.string().min(1).optional(),
  kind: z.string(),
  ok: z.boolean(),
  outcome: z.enum(['ok', 'failed', 'invalid', 'unknown_kind']),
  message: z.string(),
  finished_at: isoTime,
  duration_seconds: z.number().nonnegative(),
  diagnostics: z.array(diagnosticSchema).optional(),
  apply: applyResultSchema.optional(),
  sweep: sweepResultSchema.optional(),
  migration: migrationResultSchema.optional(),
});
export type CommandResult = z.infer<typeof commandResultSchema>;

/** Validates a result for its subject (the payload's cluster must be the subject's); `BusMessageError` otherwise. */
export function checkResult(subject: string, result: CommandResult): CommandResult {
  const r = parseWith(subject, result, commandResultSchema);
  if (subject !== resultSubject(r.cluster_id)) {
    throw new Error(`result for cluster ${r.cluster_id} cannot be published on ${subject}`);
  }
  return r;
}
