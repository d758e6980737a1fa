import {
  buildPlan,
  type ClusterDefinition,
  type Diagnostic,
  loadDefinition,
  MemoryFileSource,
  type Plan,
} from '@mooring/core';
import type { ApplyResult, SweepReport } from '@mooring/engine';
import { z } from 'zod';
import type { CommandResult } from './results.ts';
import { driftSummary } from './states.ts';

/** Which worker pool a command kind runs in: `write` changes the cluster, `read` only looks. */
export type Pool = 'read' | 'write';

/** The command kinds this agent understands, with their pools. */
export const COMMAND_POOLS: Readonly<Record<string, Pool>> = {
  apply: 'write',
  sweep: 'read',
  rollback: 'write',
  uninstall: 'write',
  'argocd.migrate': 'write',
  'argocd.return': 'write',
};

const engineName = z.enum(['native', 'argocd']);

/** The cluster's engine choices, sent by the platform with each apply: default engine and per-add-on choices. */
export const enginePolicySchema = z.strictObject({
  default: engineName,
  overrides: z.record(z.string(), engineName),
});

/** What a handler returns; the dispatcher adds the command's id, kind, cluster and timing. */
export type HandlerOutput = Pick<CommandResult, 'ok' | 'outcome' | 'message'> &
  Partial<Pick<CommandResult, 'diagnostics' | 'apply' | 'sweep' | 'migration'>>;

/** `apply`'s payload: the repository files the definition needs and the ImportCluster's path among them. */
export const applyPayloadSchema = z.strictObject({
  files: z.record(z.string(), z.string()),
  path: z.string().min(1),
  options: z
    .strictObject({
      concurrency: z.number().int().min(1).max(64).optional(),
      deletePvcs: z.boolean().optional(),
      takeOwnership: z.boolean().optional(),
    })
    .optional(),
  engines: enginePolicySchema.optional(),
});
export type ApplyPayload = z.infer<typeof applyPayloadSchema>;

/** `sweep`'s payload: nothing yet (unknown fields are refused so a typo is seen). */
export const sweepPayloadSchema = z.strictObject({});

/** Field problems of a payload as one line each (`path: message`). */
export function payloadIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(payload)'}: ${i.message}`);
}

/** `argocd.migrate` / `argocd.return`'s payload: the cluster's definition and the add-on to move. */
export const movePayloadSchema = z.strictObject({
  files: z.record(z.string(), z.string()),
  path: z.string().min(1),
  addon: z.string().min(1).max(253),
  engines: enginePolicySchema.optional(),
});
export type MovePayload = z.infer<typeof movePayloadSchema>;

export type LoadedDefinition =
  | { ok: true; def: ClusterDefinition; plan: Plan; warnings: Diagnostic[] }
  | { ok: false; message: string; diagnostics: Diagnostic[] };

/** Loads and plans the definition of an `apply` payload (pure: the files are in memory). */
export function loadApplyDefinition(p: Pick<ApplyPayload, 'files' | 'path'>): LoadedDefinition {
  let source: MemoryFileSource;
  try {
    source = new MemoryFileSource(p.files);
  } catch (e) {
    return { ok: false, message: `invalid file path in payload: ${(e as Error).message}`, diagnostics: [] };
  }
  const r = loadDefinition(source, p.path);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (!r.definition || errors.length > 0) {
    return {
      ok: false,
      message: `definition ${p.path} is invalid (${errors.length} ${errors.length === 1 ? 'error' : 'errors'}): nothing applied`,
      diagnostics: r.diagnostics,
    };
  }
  try {
    return { ok: true, def: r.definition, plan: buildPlan(r.definition), warnings: r.diagnostics };
  } catch (e) {
    // a cycle the validation did not catch: still nothing applied
    return {
      ok: false,
      message: `cannot plan ${p.path}: ${(e as Error).message}`,
      diagnostics: r.diagnostics,
    };
  }
}

/** Diagnostics as the result schema carries them. */
export function diagnosticsOut(ds: Diagnostic[]): NonNullable<CommandResult['diagnostics']> {
  return ds.map((d) => ({
    severity: d.severity,
    file: d.file,
    line: d.line,
    column: d.column,
    path: d.path,
    code: d.code,
    message: d.message,
    ...(d.hint !== undefined ? { hint: d.hint } : {}),
  }));
}

/** The result of an `apply` from the engine's `ApplyResult`. */
export function applyOutput(definition: string, r: ApplyResult, warnings: Diagnostic[]): HandlerOutput {
  const failed = r.members.filter((m) => m.phase === 'failed' || m.phase === 'blocked');
  return {
    ok: r.ok,
    outcome: r.ok ? 'ok' : 'failed',
    message: r.ok
      ? `applied ${definition}: ${r.members.length} ${r.members.length === 1 ? 'member' : 'members'}`
      : `apply of ${definition} failed: ${failed.map((m) => `${m.id} ${m.phase}: ${m.message}`).join('; ')}`,
    ...(warnings.length ? { diagnostics: diagnosticsOut(warnings) } : {}),
    apply: {
      definition,
      members: r.members.map((m) => ({
        id: m.id,
        stack: m.stack,
        kind: m.kind,
        name: m.name,
        phase: m.phase,
        state: m.state,
        message: m.message,
        duration_ms: m.durationMs,
        ...(m.revision !== undefined ? { revision: m.revision } : {}),
      })),
      removed: r.removed.map((x) => ({
        kind: x.kind,
        name: x.name,
        ...(x.namespace !== undefined ? { namespace: x.namespace } : {}),
        ...(x.stack !== undefined ? { stack: x.stack } : {}),
        detail: x.detail,
        ...(x.error !== undefined ? { error: x.error } : {}),
        ...(x.retainedPvcs ? { retained_pvcs: x.retainedPvcs } : {}),
        ...(x.deletedPvcs ? { deleted_pvcs: x.deletedPvcs } : {}),
      })),
      ...(r.removalSkipped !== undefined ? { removal_skipped: r.removalSkipped } : {}),
      helm_calls: r.helmCalls,
    },
  };
}

/** The result of a `sweep` from the engine's `SweepReport`. */
export function sweepOutput(r: SweepReport): HandlerOutput {
  const members = [
    ...r.addons.map((a) => ({
      kind: 'addon' as const,
      name: a.name,
      namespace: a.namespace,
      stack: a.stack,
      state: a.state,
      reason: a.reason,
      actions: a.actions,
      drifted_objects: a.drift.length,
      drift: driftSummary(a.drift),
      ...(a.behindGit !== undefined ? { behind_git: a.behindGit } : {}),
      message: a.message,
    })),
    ...r.manifests.map((m) => ({
      kind: 'manifest' as const,
      name: m.name,
      stack: m.stack,
      state: m.state,
      actions: m.actions,
      drifted_objects: m.drift.length,
      drift: driftSummary(m.drift),
      message: m.message,
    })),
  ];
  const hb = r.heartbeat;
  return {
    ok: true,
    outcome: 'ok',
    message: `swept ${hb.addons_inspected} ${hb.addons_inspected === 1 ? 'add-on' : 'add-ons'} in ${hb.sweep_duration_seconds.toFixed(3)} s`,
    sweep: { heartbeat: hb, members, helm_calls: r.helmCalls, api_requests: r.apiRequests },
  };
}
