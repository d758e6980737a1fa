import type {
  AddonMember,
  AddonState,
  ClusterDefinition,
  ManifestMember,
  Member,
  Plan,
  PlanMember,
} from '@mooring/core';
import type { StoredRelease } from '@mooring/kube';
import { type AddonResult, deployAddon } from './addon.ts';
import { type EngineContext, LABEL_CLUSTER } from './context.ts';
import { type DagNode, runDag } from './dag.ts';
import { type EventSink, type MemberPhase, stateOfPhase } from './events.ts';
import { applyManifest, type ManifestResult } from './manifest.ts';
import { type Removal, removeLeftovers } from './remove.ts';
import { objectCache } from './sweep/liveState.ts';

export interface MemberOutcome {
  id: string;
  stack: string;
  kind: 'addon' | 'manifest';
  name: string;
  phase: MemberPhase;
  /** Pending | Deploying | Synced | Degraded | OutOfSync | Unknown, with `message` saying why. */
  state: AddonState;
  message: string;
  durationMs: number;
  /** For add-ons: the Helm revision now deployed. */
  revision?: number;
}

export interface ApplyResult {
  ok: boolean;
  members: MemberOutcome[];
  removed: Removal[];
  /** Why leftovers were not removed, if they were not. */
  removalSkipped?: string;
  durationMs: number;
  helmCalls: number;
}

export interface ApplyOptions {
  /** How many members deploy at once (default 8). */
  concurrency?: number;
  /** Remove add-ons and manifests that left the definition (default true). */
  removeLeftovers?: boolean;
  /** Delete the PersistentVolumeClaims of removed or moved add-ons too (default: keep and report them). */
  deletePvcs?: boolean;
  /** Adopt existing objects (`--take-ownership`). */
  takeOwnership?: boolean;
  onEvent?: EventSink;
}

type Node = { member?: Member; plan?: PlanMember };

/** The DAG of a plan: members by parents, and a barrier between consecutive waves. */
export function planDag(def: ClusterDefinition, plan: Plan): DagNode<Node>[] {
  const byId = new Map<string, Member>();
  for (const s of def.stacks)
    for (const m of [...s.manifests, ...s.addons]) byId.set(`${m.kind}/${m.name}`, m);
  const nodes: DagNode<Node>[] = [];
  let previous: string[] = [];
  plan.waves.forEach((wave, i) => {
    const barrier = `wave:${i}`;
    const inWave: string[] = [];
    if (i > 0) nodes.push({ id: barrier, deps: previous, value: {} });
    for (const st of wave.stacks) {
      for (const layer of st.layers) {
        for (const pm of layer.members) {
          const deps = [...pm.parents.filter((p) => byId.has(p)), ...(i > 0 ? [barrier] : [])];
          nodes.push({ id: pm.id, deps, value: { member: byId.get(pm.id), plan: pm } });
          inWave.push(pm.id);
        }
      }
    }
    previous = inWave.length > 0 ? inWave : i > 0 ? [barrier] : [];
  });
  return nodes;
}

/**
 * Applies a plan to a cluster: waves in order, members of a wave as a DAG in
 * parallel up to the concurrency limit, a failure blocking only its
 * descendants; unchanged members make no Helm call; then removes add-ons and
 * manifests that left the definition (only when everything else succeeded).
 */
export async function applyPlan(
  given: EngineContext,
  def: ClusterDefinition,
  plan: Plan,
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  const t0 = Date.now();
  // one shared watch cache for every health wait of this apply (unless the caller brought one)
  const ownCache = given.objects ? undefined : objectCache(given.kc);
  const ctx: EngineContext = ownCache ? { ...given, objects: ownCache } : given;
  try {
    return await applyWith(ctx, def, plan, opts, t0);
  } finally {
    ownCache?.stop();
  }
}

async function applyWith(
  ctx: EngineContext,
  def: ClusterDefinition,
  plan: Plan,
  opts: ApplyOptions,
  t0: number,
): Promise<ApplyResult> {
  const helmCallsBefore = ctx.helm.runner.calls;
  const emit = opts.onEvent ?? (() => undefined);
  const stored = new Map<string, StoredRelease>();
  for (const r of await ctx.releases.latestAll(undefined, `${LABEL_CLUSTER}=${ctx.cluster}`))
    stored.set(`${r.namespace}/${r.name}`, r);
  const nodes = planDag(def, plan);
  const outcomes = new Map<string, MemberOutcome>();
  const emitMember = (
    id: string,
    m: Member,
    e: { phase: MemberPhase; message?: string; elapsedMs?: number },
  ) => emit({ type: 'member', key: id, stack: m.stack, kind: m.kind, name: m.name, ...e });
  for (const n of nodes) {
    const m = n.value.member;
    if (!m) continue;
    const o: MemberOutcome = {
      id: n.id,
      stack: m.stack,
      kind: m.kind,
      name: m.name,
      phase: 'waiting',
      state: 'Pending',
      message: '',
      durationMs: 0,
    };
    outcomes.set(n.id, o);
    emitMember(n.id, m, { phase: 'waiting' });
  }
  const results = await runDag(nodes, {
    concurrency: opts.concurrency ?? 8,
    run: async (n) => {
      const m = n.value.member;
      const pm = n.value.plan;
      if (!m || !pm) return undefined;
      const o = outcomes.get(n.id)!;
      const started = Date.now();
      emitMember(n.id, m, { phase: 'deploying', elapsedMs: 0 });
      try {
        const r: AddonResult | ManifestResult =
          m.kind === 'addon'
            ? await deployAddon(
                ctx,
                m as AddonMember,
                pm.contentHash,
                stored.get(`${m.namespace}/${m.name}`),
                { takeOwnership: opts.takeOwnership },
              )
            : await applyManifest(ctx, m as ManifestMember, pm.contentHash);
        o.phase = r.action === 'unchanged' ? 'unchanged' : 'synced';
        o.message = r.message;
        if ('revision' in r) o.revision = r.revision;
        return r;
      } catch (e) {
        o.phase = 'failed';
        o.message = (e as Error).message;
        throw e;
      } finally {
        o.durationMs = Date.now() - started;
        emitMember(n.id, m, { phase: o.phase, message: o.message, elapsedMs: o.durationMs });
      }
    },
    onBlocked: (n, by) => {
      const o = outcomes.get(n.id);
      const m = n.value.member;
      if (!o || !m) return;
      const cause = by.startsWith('wave:') ? 'an earlier wave failed' : `${by} failed`;
      o.phase = 'blocked';
      o.message = `not deployed: ${cause}`;
      emitMember(n.id, m, { phase: 'blocked', message: o.message });
    },
  });
  // a barrier blocked by a failure blocks its wave: name the failed member, not the barrier
  for (const [id, r] of results) {
    const o = outcomes.get(id);
    if (o && r.outcome === 'blocked' && r.blockedBy && outcomes.has(r.blockedBy))
      o.message = `not deployed: ${r.blockedBy} failed`;
  }
  const members = [...outcomes.values()];
  for (const m of members) m.state = stateOfPhase(m.phase);
  const ok = members.every((m) => m.phase === 'synced' || m.phase === 'unchanged');
  let removed: Removal[] = [];
  let removalSkipped: string | undefined;
  if (opts.removeLeftovers !== false) {
    if (ok) removed = await removeLeftovers(ctx, def, stored, emit, { deletePvcs: opts.deletePvcs });
    else removalSkipped = 'some members failed: nothing is removed until an apply succeeds';
  }
  return {
    ok: ok && removed.every((r) => !r.error),
    members,
    removed,
    removalSkipped,
    durationMs: Date.now() - t0,
    helmCalls: ctx.helm.runner.calls - helmCallsBefore,
  };
}
