// ImportCluster texts for the benchmarks.
import {
  buildPlan,
  type ClusterDefinition,
  loadDefinition,
  MemoryFileSource,
  type Plan,
} from '@mooring/core';

export interface BenchAddon {
  name: string;
  namespace: string;
  chart?: string;
  version?: string;
  values: string;
  selfHeal?: boolean;
}

function addonText(a: BenchAddon, repo: string): string {
  const lines = [
    `        - name: ${a.name}`,
    `          chart_name: ${a.chart ?? 'podinfo'}`,
    `          chart_version: "${a.version ?? '6.14.1'}"`,
    `          repository_url: ${repo}`,
    `          namespace: ${a.namespace}`,
    '          settings:',
    '            sync_policy:',
  ];
  if (a.selfHeal !== undefined)
    lines.push('              automated: true', `              self_heal: ${a.selfHeal}`);
  lines.push('              sync_options: [CreateNamespace=true]');
  lines.push(
    '          configuration:',
    '            values: |',
    ...a.values.split('\n').map((l) => `              ${l}`),
  );
  return lines.join('\n');
}

/** One stack per namespace, add-ons in it. */
export function clusterText(cluster: string, addons: BenchAddon[], repo: string): string {
  const byNs = new Map<string, BenchAddon[]>();
  for (const a of addons) byNs.set(a.namespace, [...(byNs.get(a.namespace) ?? []), a]);
  const stacks = [...byNs.entries()].map(
    ([ns, list]) => `    - name: ${ns}\n      addons:\n${list.map((a) => addonText(a, repo)).join('\n')}`,
  );
  return `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${cluster}\nspec:\n  stacks:\n${stacks.join('\n')}\n`;
}

export function load(text: string): { def: ClusterDefinition; plan: Plan } {
  const res = loadDefinition(new MemoryFileSource({ 'import-cluster.yaml': text }), 'import-cluster.yaml');
  if (!res.definition) {
    throw new Error(
      res.diagnostics
        .slice(0, 10)
        .map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`)
        .join('\n'),
    );
  }
  return { def: res.definition, plan: buildPlan(res.definition) };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `count` podinfo add-ons spread over `namespaces` namespaces named `${prefix}-NN`, each with small distinct values. */
export function podinfoAddons(
  prefix: string,
  count: number,
  namespaces: number,
  values: (i: number) => string,
): BenchAddon[] {
  const out: BenchAddon[] = [];
  for (let i = 0; i < count; i++) {
    const ns = `${prefix}-${pad(i % namespaces)}`;
    out.push({ name: `${prefix}-pi-${pad(i, 3)}`, namespace: ns, values: values(i) });
  }
  return out;
}

export const smallValues = (i: number) =>
  `replicaCount: 1\nui:\n  message: "bench add-on ${i}"\npodAnnotations:\n  bench.mooring.dev/index: "${i}"`;

/**
 * The memory benchmark's releases: podinfo `${prefix}-NNN` numbered from `from`, in 10 namespaces; a Service in one
 * release of four (the kit's Service range is a /24), redis (a ConfigMap more) in the others.
 */
export function memoryAddons(prefix: string, from: number, count: number): BenchAddon[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const v = [`ui:\n  message: "memory ${i}"`, 'serviceAccount:\n  enabled: true', 'replicaCount: 1'];
    if (i % 4 !== 1) v.push('service:\n  enabled: false', 'redis:\n  enabled: true');
    return { name: `${prefix}-${pad(i, 3)}`, namespace: `${prefix}-${pad(i % 10)}`, values: v.join('\n') };
  });
}
