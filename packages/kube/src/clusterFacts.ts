import { CoreApi } from './lean/coreApi.ts';
import type { KubeConfig } from './lean/kubeConfig.ts';

/** The node label naming a node's cloud region. */
export const REGION_LABEL = 'topology.kubernetes.io/region';

/** What an agent reports about its cluster. */
export interface ClusterFacts {
  /** The API server's `gitVersion` (`v1.35.4`). */
  kubernetesVersion: string;
  nodeCount: number;
  /** The most common `topology.kubernetes.io/region` of the nodes; null when none has one. */
  region: string | null;
}

/**
 * The most common value of the region label among the nodes (pure); ties go to the name
 * that sorts first, so the answer is stable; null when no node has the label.
 */
export function mostCommonRegion(
  nodes: readonly { labels?: Record<string, string> | undefined }[],
): string | null {
  const counts = new Map<string, number>();
  for (const n of nodes) {
    const r = n.labels?.[REGION_LABEL]?.trim();
    if (r) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  let best: [string, number] | undefined;
  for (const [region, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!best || count > best[1]) best = [region, count];
  }
  return best?.[0] ?? null;
}

/** Reads the API server's version and the nodes (in pages of 500: only their labels are kept). */
export async function readClusterFacts(kc: KubeConfig): Promise<ClusterFacts> {
  const core = new CoreApi(kc);
  const version = await core.getCode();
  const nodes: { labels?: Record<string, string> }[] = [];
  let next: string | undefined;
  do {
    const page = await core.listNode({ limit: 500, ...(next ? { _continue: next } : {}) });
    for (const n of page.items) nodes.push({ labels: n.metadata?.labels ?? {} });
    next = page.metadata?.continue || undefined;
  } while (next);
  return { kubernetesVersion: version.gitVersion, nodeCount: nodes.length, region: mostCommonRegion(nodes) };
}
