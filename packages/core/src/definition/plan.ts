/**
 * The plan: in what order a definition deploys, and tears down.
 *
 * - Stacks with a `deploy_wave` deploy in ascending waves; a wave waits for
 *   every lower wave; stacks of one wave run in parallel.
 * - Stacks WITHOUT a wave are independent of the waves, as the format
 *   documents: they form one group (`wave: null`, listed first) that starts
 *   at once, beside the lowest wave; no wave waits for them and a failing
 *   wave never blocks them (ADR 0009).
 * - Inside a stack, members form a DAG by `parents`; layer 0 holds members
 *   without parents in that stack, layer N members whose parents are all in
 *   lower layers. Members of one layer run in parallel. (Parents in another
 *   stack are, by validation, in an earlier wave and so already deployed.)
 * - Teardown is the exact reverse: groups, then layers, in reverse order.
 * - Applications (`stacks[].applications[]`) are never deployed; a member
 *   whose parent is one keeps it in `parents`, so the engine reports it
 *   blocked. They are listed per stack in `applications`.
 */
import { memberContentHash } from './hash.ts';
import { type ClusterDefinition, type Member, type MemberKind, memberId, type Stack } from './model.ts';

export interface PlanMember {
  /** `manifest/NAME` or `addon/NAME`. */
  id: string;
  kind: MemberKind;
  name: string;
  stack: string;
  namespace?: string;
  /** Add-ons only. */
  chart?: { name: string; version: string; registry: string };
  /** Parent ids (all stacks). */
  parents: string[];
  /** Hex SHA-256 of what the deploy depends on (see hash.ts). */
  contentHash: string;
  file: string;
  line: number;
}

export interface PlanLayer {
  index: number;
  members: PlanMember[];
}

export interface PlanStack {
  name: string;
  deployWave: number | null;
  layers: PlanLayer[];
  /** Names of catalogue applications in this stack: planned, never deployed. */
  applications: string[];
}

/** One group of stacks that run in parallel. `wave: null` is the group of stacks without a wave. */
export interface PlanWave {
  wave: number | null;
  stacks: PlanStack[];
}

export interface Plan {
  cluster: string;
  /** Deploy order: groups one after another. */
  waves: PlanWave[];
  /** Teardown order: the reverse of `waves`, layers reversed too. */
  teardown: PlanWave[];
  memberCount: number;
}

/** Thrown when members cannot be ordered (a cycle that validation should have caught). */
export class PlanCycleError extends Error {
  override readonly name = 'PlanCycleError';
  readonly stackName: string;
  readonly members: string[];
  constructor(stack: string, members: string[]) {
    super(`cannot order stack "${stack}": dependency cycle among ${members.join(', ')}`);
    this.stackName = stack;
    this.members = members;
  }
}

function toPlanMember(m: Member): PlanMember {
  return {
    id: memberId(m),
    kind: m.kind,
    name: m.name,
    stack: m.stack,
    ...(m.namespace ? { namespace: m.namespace } : {}),
    ...(m.kind === 'addon'
      ? { chart: { name: m.chart.name, version: m.chart.version, registry: m.chart.registry.url } }
      : {}),
    parents: m.parents.map(memberId),
    contentHash: memberContentHash(m),
    file: m.source.file,
    line: m.source.line,
  };
}

/** Layers of a stack's member DAG (Kahn's algorithm, definition order inside a layer). */
export function stackLayers(stack: Stack): PlanLayer[] {
  const members: Member[] = [...stack.manifests, ...stack.addons];
  const ids = new Set(members.map(memberId));
  const layerOf = new Map<string, number>();
  const layers: PlanLayer[] = [];
  let remaining = members;
  while (remaining.length > 0) {
    const ready = remaining.filter((m) =>
      m.parents.every((p) => {
        const id = memberId(p);
        return !ids.has(id) || layerOf.has(id);
      }),
    );
    if (ready.length === 0) throw new PlanCycleError(stack.name, remaining.map(memberId));
    const index = layers.length;
    for (const m of ready) layerOf.set(memberId(m), index);
    layers.push({ index, members: ready.map(toPlanMember) });
    const readySet = new Set(ready);
    remaining = remaining.filter((m) => !readySet.has(m));
  }
  return layers;
}

/** Builds the deploy and teardown order of a valid definition. */
export function buildPlan(def: ClusterDefinition): Plan {
  const byWave = new Map<number | null, PlanStack[]>();
  let memberCount = 0;
  for (const s of def.stacks) {
    const wave = s.deployWave ?? null;
    const ps: PlanStack = {
      name: s.name,
      deployWave: wave,
      layers: stackLayers(s),
      applications: s.applications.map((a) => a.name),
    };
    memberCount += s.manifests.length + s.addons.length;
    const list = byWave.get(wave) ?? [];
    list.push(ps);
    byWave.set(wave, list);
  }
  const numbered = [...byWave.keys()].filter((w): w is number => w !== null).sort((a, b) => a - b);
  const order: (number | null)[] = byWave.has(null) ? [null, ...numbered] : numbered;
  const waves: PlanWave[] = order.map((wave) => ({ wave, stacks: byWave.get(wave)! }));
  const teardown: PlanWave[] = [...waves].reverse().map((w) => ({
    wave: w.wave,
    stacks: w.stacks.map((s) => ({
      ...s,
      layers: [...s.layers].reverse().map((l, i) => ({ index: i, members: l.members })),
    })),
  }));
  return { cluster: def.name, waves, teardown, memberCount };
}

/** Every member's content hash, by member id (`addon/NAME`, `manifest/NAME`). */
export function contentHashes(plan: Plan): Map<string, string> {
  const out = new Map<string, string>();
  for (const w of plan.waves)
    for (const s of w.stacks)
      for (const l of s.layers) for (const m of l.members) out.set(m.id, m.contentHash);
  return out;
}
