import { type AddonMember, type ClusterDefinition, contentHashes, type Plan } from '@mooring/core';
import type { ManifestSweepTarget, SweepTarget } from './types.ts';

/**
 * The add-ons of a definition that a sweep checks, with their content hashes from the plan:
 * native ones are reconciled by the sweep, argocd ones read back from their Applications.
 */
export function sweepTargets(def: ClusterDefinition, plan: Plan): SweepTarget[] {
  const hashes = contentHashes(plan);
  const out: SweepTarget[] = [];
  for (const s of def.stacks) {
    for (const a of s.addons as AddonMember[]) {
      out.push({ addon: a, hash: hashes.get(`addon/${a.name}`) ?? '' });
    }
  }
  return out;
}

/** The manifest members of a definition, with their content hashes from the plan. */
export function manifestSweepTargets(def: ClusterDefinition, plan: Plan): ManifestSweepTarget[] {
  const hashes = contentHashes(plan);
  return def.stacks.flatMap((s) =>
    s.manifests.map((m) => ({ manifest: m, hash: hashes.get(`manifest/${m.name}`) ?? '' })),
  );
}
