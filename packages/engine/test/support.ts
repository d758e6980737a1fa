import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CoreV1Api } from '@kubernetes/client-node';
import {
  buildPlan,
  type ClusterDefinition,
  loadDefinition,
  MemoryFileSource,
  type Plan,
} from '@mooring/core';
import { type KitInfo, testNamespace } from '@mooring/testkit';
import type { EngineContext } from '../src/context.ts';
import { createEngineContext } from '../src/create.ts';

/** Loads an ImportCluster text (plus extra files) into a definition and its plan; throws with the diagnostics if invalid. */
export function definition(
  text: string,
  files: Record<string, string> = {},
): { def: ClusterDefinition; plan: Plan } {
  const res = loadDefinition(
    new MemoryFileSource({ 'import-cluster.yaml': text, ...files }),
    'import-cluster.yaml',
  );
  if (!res.definition)
    throw new Error(res.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'));
  return { def: res.definition, plan: buildPlan(res.definition) };
}

export function engineFor(kit: KitInfo, cluster: string): EngineContext {
  return createEngineContext({
    cluster,
    kubeconfig: kit.kubeconfig,
    helmBinary: kit.helm,
    helmEnv: kit.env,
    chartCacheDir: mkdtempSync(join(tmpdir(), 'engine-charts-')),
  });
}

/** An add-on entry for the kit's chart repository. */
export function addon(o: {
  name: string;
  chart: string;
  version: string;
  namespace: string;
  repo: string;
  values?: string;
  parents?: string[];
  extra?: string;
}): string {
  const lines = [
    `        - name: ${o.name}`,
    `          chart_name: ${o.chart}`,
    `          chart_version: "${o.version}"`,
    `          repository_url: ${o.repo}`,
    `          namespace: ${o.namespace}`,
  ];
  if (o.parents?.length) lines.push('          parents:', ...o.parents.map((p) => `            - ${p}`));
  lines.push(
    '          settings:',
    '            sync_policy:',
    '              sync_options: [CreateNamespace=true]',
  );
  if (o.values)
    lines.push(
      '          configuration:',
      '            values: |',
      ...o.values.split('\n').map((l) => `              ${l}`),
    );
  if (o.extra) lines.push(o.extra);
  return lines.join('\n');
}

/**
 * One namespace per test: `create(hint)` makes it in the kit cluster, `removeAll()`
 * (call it in afterAll) deletes every namespace it made.
 */
export function testNamespaces(core: CoreV1Api): {
  create(hint: string): Promise<string>;
  removeAll(): Promise<void>;
} {
  const created: string[] = [];
  return {
    async create(hint) {
      const n = testNamespace(hint);
      created.push(n);
      await core.createNamespace({ body: { metadata: { name: n } } });
      return n;
    },
    async removeAll() {
      for (const n of created) await core.deleteNamespace({ name: n }).catch(() => undefined);
    },
  };
}
