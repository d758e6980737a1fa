import type { AddonMember } from '@mooring/core';
import { diffObject, type IgnoreRule, type K8sObject } from '@mooring/core';
import { type KubeObject, ObjectApi, objectRef, type StoredRelease } from '@mooring/kube';
import { deployAddon } from '../addon.ts';
import type { EngineContext } from '../context.ts';
import {
  decideConflict,
  fieldConflicts,
  HELM_FIELD_MANAGER,
  mayForce,
  planHeal,
  yamlAmbiguous,
} from './healPlan.ts';
import type { LiveState } from './liveState.ts';
import type { ObjectDrift } from './types.ts';

/** How a heal went: the path taken, and why the targeted path was not (or not fully) taken. */
export interface HealOutcome {
  by: 'apply' | 'upgrade';
  /** Why the heal ran `helm upgrade` instead of applying the drifted objects. */
  fallback?: string;
  /** Objects applied by the targeted path. */
  applied: string[];
}

/** The targeted apply could not heal; the caller runs `helm upgrade` instead. */
export class TargetedHealError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'TargetedHealError';
  }
}

const statusOf = (e: unknown) => (e as { code?: number }).code;

function bodyOf(e: unknown): unknown {
  const b = (e as { body?: unknown }).body;
  if (typeof b !== 'string') return b;
  try {
    return JSON.parse(b);
  } catch {
    return b;
  }
}

function messageOf(e: unknown): string {
  const b = bodyOf(e) as { message?: string } | string | undefined;
  if (b && typeof b === 'object' && b.message) return b.message;
  if (typeof b === 'string' && b) return b;
  return (e as Error).message;
}

/**
 * Server-side applies `objects` (already in Helm's shape) as Helm's field manager:
 * with force at once when no other manager server-side applies the object
 * (`mayForce`), else without; an apply refused for conflicting fields is repeated
 * with force only when every conflicting manager changed them imperatively
 * (`decideConflict`). Each answer is
 * compared with the desired object again: anything still drifted, and any error,
 * throws a `TargetedHealError` so the caller falls back to `helm upgrade`.
 */
export async function applyDriftedObjects(
  ctx: EngineContext,
  objects: KubeObject[],
  desired: Map<string, KubeObject>,
  rules: readonly IgnoreRule[],
  counter: { requests: number },
  /** The managers of the cached live object (`{manager, operation}`), when it is cached. */
  managersOf: (
    o: KubeObject,
  ) => { manager?: string; operation?: string; subresource?: string }[] | undefined = () => undefined,
): Promise<string[]> {
  const client = new ObjectApi(ctx.kc);
  const applied: string[] = [];
  for (const o of objects) {
    const ref = objectRef(o);
    const apply = (force: boolean) => {
      counter.requests++;
      return client.patch<K8sObject>(o, { fieldManager: HELM_FIELD_MANAGER, force, strategy: 'apply' });
    };
    let after: K8sObject;
    try {
      after = await apply(mayForce(managersOf(o)));
    } catch (e) {
      const conflicts = statusOf(e) === 409 ? fieldConflicts(bodyOf(e)) : [];
      if (conflicts.length === 0) throw new TargetedHealError(`${ref}: ${messageOf(e)}`, e);
      let live: K8sObject;
      try {
        counter.requests++;
        live = await client.read<K8sObject>(o);
      } catch (e2) {
        throw new TargetedHealError(`${ref}: ${messageOf(e2)}`, e2);
      }
      const decision = decideConflict(
        conflicts,
        (live.metadata?.managedFields ?? []) as { manager?: string; operation?: string }[],
      );
      if (!decision.force) throw new TargetedHealError(`${ref}: ${decision.reason}`, e);
      try {
        after = await apply(true);
      } catch (e3) {
        throw new TargetedHealError(`${ref}: ${messageOf(e3)}`, e3);
      }
    }
    const want = desired.get(ref);
    const still = want ? diffObject(want as unknown as K8sObject, after, rules) : undefined;
    if (still?.drifted)
      throw new TargetedHealError(
        `${ref}: still differs after the apply (${still.text.split('\n')[0] ?? ''})`,
      );
    applied.push(ref);
  }
  return applied;
}

/**
 * Heals one add-on's drift: the drifted objects of the release's stored manifest
 * are server-side applied as Helm's field manager (no new revision, no hooks, tens
 * of milliseconds) when `planHeal` allows it; otherwise, or when that apply fails,
 * `helm upgrade --install --force-conflicts` of the definition's chart and values.
 */
export async function correctDrift(
  ctx: EngineContext,
  live: LiveState,
  o: {
    addon: AddonMember;
    hash: string;
    release: StoredRelease | undefined;
    behindGit: boolean;
    drift: ObjectDrift[];
    desired: KubeObject[];
    rules: readonly IgnoreRule[];
    counter: { requests: number };
    /** false: skip the targeted path (`helm upgrade` only). */
    targeted?: boolean;
  },
): Promise<HealOutcome> {
  if (o.targeted === false) {
    await upgrade(ctx, o);
    return { by: 'upgrade', fallback: 'targeted heal disabled', applied: [] };
  }
  const plan = planHeal({
    release: o.release,
    behindGit: o.behindGit,
    drift: o.drift,
    desired: o.desired,
    namespaced: (v, k) => live.objects.isNamespaced(v, k),
  });
  let fallback = plan.path === 'upgrade' ? plan.reason : undefined;
  if (plan.path === 'apply') {
    const ambiguous = yamlAmbiguous(o.release?.manifest ?? '', new Set(o.drift.map((d) => d.ref)));
    if (ambiguous.length > 0) {
      fallback = `${ambiguous.join(', ')}: YAML 1.1 scalars Helm reads differently (e.g. 0644)`;
    } else {
      try {
        const desired = new Map(o.desired.map((x) => [objectRef(x), x]));
        const applied = await applyDriftedObjects(ctx, plan.objects, desired, o.rules, o.counter, (x) => {
          const cached = live.live(x);
          if (!cached) return undefined;
          return (cached.metadata.managedFields ?? []) as { manager?: string; operation?: string }[];
        });
        return { by: 'apply', applied };
      } catch (e) {
        if (!(e instanceof TargetedHealError)) throw e;
        fallback = e.message;
      }
    }
  }
  await upgrade(ctx, o);
  return { by: 'upgrade', fallback, applied: [] };
}

/** The whole-release heal: `helm upgrade --install --force-conflicts` of the definition's chart and values. */
async function upgrade(
  ctx: EngineContext,
  o: {
    addon: AddonMember;
    hash: string;
    release: StoredRelease | undefined;
    behindGit: boolean;
    drift: ObjectDrift[];
  },
): Promise<void> {
  await deployAddon(ctx, o.addon, o.hash, o.release, {
    force: true,
    description: o.behindGit
      ? `mooring sync: release behind Git${o.drift.length ? `, ${o.drift.length} drifted objects` : ''}`
      : `mooring self-heal: ${o.drift.length} drifted objects`,
  });
}
