import type { AddonMember, ClusterDefinition, Plan } from '@mooring/core';
import type { ManifestSweepTarget, SweepTarget } from './types.ts';

/** The add-ons of a definition that the native engine reconciles, with their content hashes from the plan. */
export function sweepTargets(def: ClusterDefinition, plan: Plan): SweepTarget[] {
  const hashes = new Map<string, string>();
  for (const w of plan.waves)
    for (const s of w.stacks)
      for (const l of s.layers) for (const m of l.members) hashes.set(m.id, m.contentHash);
  const out: SweepTarget[] = [];
  for (const s of def.stacks) {
    for (const a of s.addons as AddonMember[]) {
      if (a.settings.engine !== 'native') continue;
      out.push({ addon: a, hash: hashes.get(`addon/${a.name}`) ?? '' });
    }
  }
  return out;
}

/** The manifest members of a definition, with their content hashes from the plan. */
export function manifestSweepTargets(def: ClusterDefinition, plan: Plan): ManifestSweepTarget[] {
  const hashes = new Map<string, string>();
  for (const w of plan.waves)
    for (const s of w.stacks)
      for (const l of s.layers) for (const m of l.members) hashes.set(m.id, m.contentHash);
  return def.stacks.flatMap((s) =>
    s.manifests.map((m) => ({ manifest: m, hash: hashes.get(`manifest/${m.name}`) ?? '' })),
  );
}
