/** The stacks of a cluster as a graph (pure): members as nodes, parents as edges, waves as lanes. */
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import type { StackMember, StacksAnswer } from '../api/types.ts';

export const MEMBER_WIDTH = 220;
export const MEMBER_HEIGHT = 68;
/** Room on the left of a lane for its name. */
export const LANE_LABEL_WIDTH = 150;
const LANE_GAP = 24;
const LANE_PADDING = 20;
const STACK_GAP = 32;
const STACK_HEADER = 32;

export interface GraphNode<D> {
  id: string;
  type: string;
  position: { x: number; y: number };
  data: D;
  parentId?: string;
  width: number;
  height: number;
  draggable: false;
  selectable: boolean;
  focusable?: boolean;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  /** A parent in another stack (an earlier wave). */
  crossStack: boolean;
}

export type StacksNodeData =
  | { kind: 'lane'; label: string; detail: string }
  | { kind: 'stack'; name: string; applications: string[] }
  | { kind: 'member'; member: StackMember };

/** How a wave is named: a number (and the wave it waits for), or the stacks that start at once. */
export function waveLabel(
  wave: number | null,
  previous: number | null = null,
): { label: string; detail: string } {
  if (wave === null) return { label: 'No wave', detail: 'starts at once' };
  return { label: `Wave ${wave}`, detail: previous === null ? 'starts first' : `after wave ${previous}` };
}

/** The ELK graph of one stack: its members and the parent edges inside it, laid out left to right. */
export function stackElkGraph(stack: StacksAnswer['waves'][number]['stacks'][number]): ElkNode {
  const ids = new Set(stack.members.map((m) => m.id));
  return {
    id: `stack:${stack.name}`,
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '20',
      'elk.layered.spacing.nodeNodeBetweenLayers': '48',
      'elk.padding': `[top=${STACK_HEADER + 8},left=16,bottom=16,right=16]`,
    },
    children: stack.members.map((m) => ({ id: m.id, width: MEMBER_WIDTH, height: MEMBER_HEIGHT })),
    edges: stack.members.flatMap((m) =>
      m.parents
        .filter((p) => ids.has(p))
        .map((p) => ({ id: `${p}->${m.id}`, sources: [p], targets: [m.id] })),
    ),
  };
}

/** Each stack's laid-out size and its members' positions inside it. */
export interface StackLayout {
  width: number;
  height: number;
  positions: Map<string, { x: number; y: number }>;
}

/** What ELK gives back for one stack, as a StackLayout. */
export function stackLayoutOf(laid: ElkNode): StackLayout {
  const positions = new Map<string, { x: number; y: number }>();
  for (const c of laid.children ?? []) positions.set(c.id, { x: c.x ?? 0, y: c.y ?? 0 });
  return {
    width: Math.max(laid.width ?? 0, MEMBER_WIDTH + 32, 200),
    height: Math.max(laid.height ?? 0, STACK_HEADER + 24),
    positions,
  };
}

/**
 * The whole picture: one lane per wave in deploy order (top to bottom), the wave's stacks side
 * by side in it, each stack's members where its layout put them; an edge per parent.
 */
export function placeLanes(
  view: StacksAnswer,
  layouts: ReadonlyMap<string, StackLayout>,
): { nodes: GraphNode<StacksNodeData>[]; edges: GraphEdge[] } {
  const nodes: GraphNode<StacksNodeData>[] = [];
  const stackOf = new Map<string, string>();
  const lanes: {
    id: string;
    y: number;
    height: number;
    wave: number | null;
    previous: number | null;
    contentWidth: number;
  }[] = [];
  let previous: number | null = null;
  const stackNodes: GraphNode<StacksNodeData>[] = [];
  const memberNodes: GraphNode<StacksNodeData>[] = [];
  let y = 0;
  view.waves.forEach((w, i) => {
    const laneId = `lane:${i}`;
    let x = LANE_LABEL_WIDTH;
    let height = 0;
    for (const s of w.stacks) {
      const l = layouts.get(s.name) ?? { width: 200, height: STACK_HEADER + 24, positions: new Map() };
      const stackId = `stack:${s.name}`;
      stackNodes.push({
        id: stackId,
        type: 'stack',
        position: { x, y: LANE_PADDING },
        parentId: laneId,
        data: { kind: 'stack', name: s.name, applications: s.applications },
        width: l.width,
        height: l.height,
        draggable: false,
        selectable: false,
        focusable: false,
      });
      for (const m of s.members) {
        stackOf.set(m.id, s.name);
        memberNodes.push({
          id: m.id,
          type: 'member',
          position: l.positions.get(m.id) ?? { x: 16, y: STACK_HEADER + 8 },
          parentId: stackId,
          data: { kind: 'member', member: m },
          width: MEMBER_WIDTH,
          height: MEMBER_HEIGHT,
          draggable: false,
          selectable: false,
          focusable: false,
        });
      }
      x += l.width + STACK_GAP;
      height = Math.max(height, l.height);
    }
    const laneHeight = height + 2 * LANE_PADDING;
    lanes.push({ id: laneId, y, height: laneHeight, wave: w.wave, previous, contentWidth: x });
    if (w.wave !== null) previous = w.wave;
    y += laneHeight + LANE_GAP;
  });
  const width = Math.max(0, ...lanes.map((l) => l.contentWidth));
  for (const l of lanes)
    nodes.push({
      id: l.id,
      type: 'lane',
      position: { x: 0, y: l.y },
      data: { kind: 'lane', ...waveLabel(l.wave, l.previous) },
      width,
      height: l.height,
      draggable: false,
      selectable: false,
      focusable: false,
    });
  nodes.push(...stackNodes, ...memberNodes);
  const edges: GraphEdge[] = [];
  for (const w of view.waves)
    for (const s of w.stacks)
      for (const m of s.members)
        for (const p of m.parents)
          if (stackOf.has(p))
            edges.push({
              id: `${p}->${m.id}`,
              source: p,
              target: m.id,
              crossStack: stackOf.get(p) !== s.name,
            });
  return { nodes, edges };
}
