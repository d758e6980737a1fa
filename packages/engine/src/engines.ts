import type { AddonMember, Engine } from '@mooring/core';

/**
 * Which engine runs each add-on of a cluster, beyond what its file says: the
 * cluster's default engine (for add-ons whose `settings.engine` is not written)
 * and per-add-on choices made by a migration to native or a rollback to Argo CD.
 * The platform keeps it and sends it with every apply; without one, the files decide.
 */
export interface EnginePolicy {
  /** The engine of add-ons that do not name one (new clusters: `native`). */
  default: Engine;
  /** Per add-on name: the engine a migration (or a rollback of one) chose; wins over the file. */
  overrides: Record<string, Engine>;
}

/** The engine that runs an add-on: a per-add-on choice, else the file's `settings.engine`, else the cluster default. */
export function engineOf(
  policy: EnginePolicy | undefined,
  a: Pick<AddonMember, 'name' | 'settings'>,
): Engine {
  const chosen = policy?.overrides[a.name];
  if (chosen) return chosen;
  if (a.settings.engineSet || !policy) return a.settings.engine;
  return policy.default;
}

/** A policy with one add-on's engine chosen. */
export function withEngine(policy: EnginePolicy | undefined, name: string, engine: Engine): EnginePolicy {
  return {
    default: policy?.default ?? 'native',
    overrides: { ...(policy?.overrides ?? {}), [name]: engine },
  };
}
