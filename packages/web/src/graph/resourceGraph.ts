/** An add-on's resource tree as a graph (pure): objects as nodes, ownership as edges. */
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import type { ResourceNode } from '../api/types.ts';
import type { GraphEdge, GraphNode } from './stacksGraph.ts';

export const RESOURCE_WIDTH = 230;
export const RESOURCE_HEIGHT = 60;

export interface ResourceNodeData {
  resource: ResourceNode;
  /** Kind/namespace/name of the object that owns it; null at the top. */
  owner: string | null;
}

/** The reference shown for an object: `Kind/namespace/name` or `Kind/name`. */
export function resourceRef(r: Pick<ResourceNode, 'kind' | 'namespace' | 'name'>): string {
  return r.namespace ? `${r.kind}/${r.namespace}/${r.name}` : `${r.kind}/${r.name}`;
}

/** How a health reads at a glance: the badge class of the UI. */
export function healthClass(health: string): 'good' | 'warn' | 'bad' | 'neutral' {
  switch (health) {
    case 'Healthy':
      return 'good';
    case 'Progressing':
    case 'Suspended':
      return 'warn';
    case 'Degraded':
    case 'Missing':
      return 'bad';
    default:
      return 'neutral';
  }
}

/** Every object of the forest once (depth first, owners before what they own) with its owner. */
export function flattenTree(tree: readonly ResourceNode[]): { id: string; data: ResourceNodeData }[] {
  const out: { id: string; data: ResourceNodeData }[] = [];
  const seen = new Map<string, number>();
  const visit = (r: ResourceNode, owner: string | null) => {
    const ref = resourceRef(r);
    const n = seen.get(ref) ?? 0;
    seen.set(ref, n + 1);
    // an object owned twice appears twice; its ids stay distinct
    const id = n === 0 ? ref : `${ref}#${n}`;
    out.push({ id, data: { resource: r, owner } });
    for (const c of r.children) visit(c, id);
  };
  for (const r of tree) visit(r, null);
  return out;
}

/** Counts of objects by health, for the summary above the map. */
export function healthCounts(tree: readonly ResourceNode[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { data } of flattenTree(tree))
    counts[data.resource.health] = (counts[data.resource.health] ?? 0) + 1;
  return counts;
}

/** The ELK graph of the tree, owners on the left of what they own. */
export function resourceElkGraph(tree: readonly ResourceNode[]): ElkNode {
  const flat = flattenTree(tree);
  return {
    id: 'resources',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '16',
      'elk.layered.spacing.nodeNodeBetweenLayers': '56',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
    },
    children: flat.map((f) => ({ id: f.id, width: RESOURCE_WIDTH, height: RESOURCE_HEIGHT })),
    edges: flat
      .filter((f) => f.data.owner !== null)
      .map((f) => ({ id: `${f.data.owner}->${f.id}`, sources: [f.data.owner!], targets: [f.id] })),
  };
}

/** Nodes and edges placed where ELK put them. */
export function resourceGraph(
  tree: readonly ResourceNode[],
  laid: ElkNode,
): { nodes: GraphNode<ResourceNodeData>[]; edges: GraphEdge[] } {
  const at = new Map((laid.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
  const flat = flattenTree(tree);
  return {
    nodes: flat.map((f) => ({
      id: f.id,
      type: 'resource',
      position: at.get(f.id) ?? { x: 0, y: 0 },
      data: f.data,
      width: RESOURCE_WIDTH,
      height: RESOURCE_HEIGHT,
      draggable: false,
      selectable: false,
      focusable: false,
    })),
    edges: flat
      .filter((f) => f.data.owner !== null)
      .map((f) => ({
        id: `${f.data.owner}->${f.id}`,
        source: f.data.owner!,
        target: f.id,
        crossStack: false,
      })),
  };
}
