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
import type { DeletionMode } from './argocd/client.ts';
import { deployArgoAddon } from './argocd/deploy.ts';
import { removeArgoLeftovers } from './argocd/remove.ts';
import { type EngineContext, LABEL_CLUSTER } from './context.ts';
import { type DagNode, runDag } from './dag.ts';
import { engineOf } from './engines.ts';
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
  /** How a removed add-on's Argo CD Application is deleted (default: the context's `argocd.deletion`). */
  argocdDeletion?: DeletionMode;
  onEvent?: EventSink;
}

type Node = { member?: Member; plan?: PlanMember; application?: { name: string; stack: string } };

/** The id of the barrier that closes numbered wave `i` (0-based among numbered waves). */
const barrierId = (i: number) => `wave:${i}`;

/**
 * The DAG of a plan: members by parents; a barrier after each numbered wave
 * makes the next numbered wave wait for all of it. Stacks without a wave are
 * outside the barrier chain: they start at once and no wave failure blocks
 * them. Catalogue applications are nodes that never succeed, so a member
 * whose parent is one is blocked with that reason.
 */
export function planDag(def: ClusterDefinition, plan: Plan): DagNode<Node>[] {
  const byId = new Map<string, Member>();
  for (const s of def.stacks)
    for (const m of [...s.manifests, ...s.addons]) byId.set(`${m.kind}/${m.name}`, m);
  const apps = new Map<string, { name: string; stack: string }>();
  for (const s of def.stacks)
    for (const a of s.applications) apps.set(`application/${a.name}`, { name: a.name, stack: s.name });
  const nodes: DagNode<Node>[] = [];
  const wanted = new Set<string>();
  let previous: string[] = [];
  let numbered = 0;
  for (const wave of plan.waves) {
    const waved = wave.wave !== null;
    const i = numbered;
    const barrier = waved && i > 0 ? barrierId(i) : undefined;
    if (barrier) nodes.push({ id: barrier, deps: previous, value: {} });
    const inWave: string[] = [];
    for (const st of wave.stacks) {
      for (const layer of st.layers) {
        for (const pm of layer.members) {
          const deps = pm.parents.filter((p) => byId.has(p) || apps.has(p));
          for (const p of deps) if (apps.has(p)) wanted.add(p);
          if (barrier) deps.push(barrier);
          nodes.push({ id: pm.id, deps, value: { member: byId.get(pm.id), plan: pm } });
          inWave.push(pm.id);
        }
      }
    }
    if (waved) {
      previous = inWave.length > 0 ? inWave : barrier ? [barrier] : [];
      numbered++;
    }
  }
  for (const id of wanted) nodes.push({ id, deps: [], value: { application: apps.get(id)! } });
  return nodes;
}

/** A catalogue application: Mooring cannot deploy it, so members below it are blocked. */
export class ApplicationNotDeployedError extends Error {
  override readonly name = 'ApplicationNotDeployedError';
  readonly application: string;
  constructor(application: string, stack: string) {
    super(
      `application "${application}" (stack "${stack}") is not deployed: Mooring has no application catalogue`,
    );
    this.application = application;
  }
}

function blockCause(by: string): string {
  if (by.startsWith('wave:')) return 'an earlier wave failed';
  if (by.startsWith('application/'))
    return `its parent application "${by.slice('application/'.length)}" is not deployed (Mooring has no application catalogue)`;
  return `${by} failed`;
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
      const app = n.value.application;
      if (app) throw new ApplicationNotDeployedError(app.name, app.stack);
      const m = n.value.member;
      const pm = n.value.plan;
      if (!m || !pm) return undefined;
      const o = outcomes.get(n.id)!;
      const started = Date.now();
      emitMember(n.id, m, { phase: 'deploying', elapsedMs: 0 });
      try {
        const r: AddonResult | ManifestResult =
          m.kind === 'addon' && engineOf(ctx.engines, m as AddonMember) === 'argocd'
            ? await deployArgoAddon(ctx, m as AddonMember, pm.contentHash)
            : m.kind === 'addon'
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
      const cause = blockCause(by);
      o.phase = 'blocked';
      o.message = `not deployed: ${cause}`;
      emitMember(n.id, m, { phase: 'blocked', message: o.message });
    },
  });
  // a barrier blocked by a failure blocks its wave: name the failed member, not the barrier
  for (const [id, r] of results) {
    const o = outcomes.get(id);
    if (o && r.outcome === 'blocked' && r.blockedBy && !r.blockedBy.startsWith('wave:'))
      o.message = `not deployed: ${blockCause(r.blockedBy)}`;
  }
  const members = [...outcomes.values()];
  for (const m of members) m.state = stateOfPhase(m.phase);
  const ok = members.every((m) => m.phase === 'synced' || m.phase === 'unchanged');
  let removed: Removal[] = [];
  let removalSkipped: string | undefined;
  if (opts.removeLeftovers !== false) {
    if (ok) {
      removed = await removeLeftovers(ctx, def, stored, emit, { deletePvcs: opts.deletePvcs });
      removed.push(...(await removeArgoLeftovers(ctx, def, emit, opts.argocdDeletion)));
    } else removalSkipped = 'some members failed: nothing is removed until an apply succeeds';
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
