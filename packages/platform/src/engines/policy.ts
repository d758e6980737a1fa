import { loadDefinition, MemoryFileSource } from '@mooring/core';
import type { Database } from '../db/types.ts';
import { type Engine, enginesDb } from './tables.ts';

/** The cluster's engine choices as the agent takes them with each apply. */
export interface EnginePolicy {
  default: Engine;
  overrides: Record<string, Engine>;
}

/** Where an add-on's engine comes from: its file, the cluster default, or a migration (or rollback). */
export type EngineSource = 'file' | 'default' | 'migration';

export interface AddonEngine {
  name: string;
  namespace: string;
  stack: string;
  engine: Engine;
  source: EngineSource;
}

/** A cluster's policy: its default (native unless set) and the per-add-on choices. */
export async function readPolicy(db: Database, clusterId: string): Promise<EnginePolicy> {
  const e = enginesDb(db);
  const row = await e
    .selectFrom('cluster_engines')
    .select('default_engine')
    .where('cluster_id', '=', clusterId)
    .executeTakeFirst();
  const overrides: Record<string, Engine> = {};
  for (const o of await e
    .selectFrom('addon_engines')
    .select(['addon', 'engine'])
    .where('cluster_id', '=', clusterId)
    .execute())
    overrides[o.addon] = o.engine;
  return { default: row?.default_engine ?? 'native', overrides };
}

/**
 * Each add-on of a stored definition with the engine that runs it (pure): a
 * migration's choice, else the file's `settings.engine`, else the cluster default.
 * A definition that does not load has no add-ons here.
 */
export function addonEngines(
  files: Record<string, string>,
  path: string,
  policy: EnginePolicy,
): AddonEngine[] {
  let source: MemoryFileSource;
  try {
    source = new MemoryFileSource(files);
  } catch {
    return [];
  }
  const r = loadDefinition(source, path);
  if (!r.definition) return [];
  return r.definition.stacks.flatMap((s) =>
    s.addons.map((a) => {
      const chosen = policy.overrides[a.name];
      const engine = chosen ?? (a.settings.engineSet ? a.settings.engine : policy.default);
      const from: EngineSource = chosen ? 'migration' : a.settings.engineSet ? 'file' : 'default';
      return { name: a.name, namespace: a.namespace, stack: s.name, engine, source: from };
    }),
  );
}

/** The command kinds whose payload carries the cluster's engine policy. */
export const POLICY_KINDS: ReadonlySet<string> = new Set(['apply', 'argocd.migrate', 'argocd.return']);

/** Adds the cluster's engine policy to the payload of the commands that use it (the operations service calls this before sending). */
export function withEnginePolicy(db: Database) {
  return async (clusterId: string, kind: string, payload: Record<string, unknown>) =>
    POLICY_KINDS.has(kind) ? { ...payload, engines: await readPolicy(db, clusterId) } : payload;
}
