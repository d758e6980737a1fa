import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AppsV1Api } from '@kubernetes/client-node';
import { kitClients } from '@mooring/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { applyPlan } from '../src/apply.ts';
import { LABEL_CLUSTER } from '../src/context.ts';
import { addon, definition, engineFor, testNamespaces } from './support.ts';

// A Helm release someone installed by hand, then declared as an add-on of the
// same name: Mooring adopts it as the next revision, history and objects kept.
const run = promisify(execFile);
const kit = inject('kit');
const { core, kc } = kitClients(kit);
const apps = kc.makeApiClient(AppsV1Api);
const repo = kit.chartRepoUrl!;
const namespaces = testNamespaces(core);
afterAll(() => namespaces.removeAll());

describe('adopting a Helm release Mooring did not make', () => {
  it('becomes the add-on’s next revision: history kept, the same Deployment and Pods, Mooring’s labels on the new revision', async () => {
    const n = await namespaces.create('adopt-bare');
    const name = `c-${n}`;
    const ctx = engineFor(kit, name);
    const chart = await ctx.charts.resolve({ chart: 'podinfo', version: '6.14.1', repoUrl: repo });
    // a person's `helm install`, without Mooring
    await run(kit.helm, ['install', 'bare', chart.path, '--namespace', n, '--set', 'replicaCount=1'], {
      env: { ...process.env, ...kit.env },
    });
    const before = await apps.readNamespacedDeployment({ name: 'bare-podinfo', namespace: n });
    const podsBefore = (await core.listNamespacedPod({ namespace: n })).items
      .map((p) => p.metadata!.uid)
      .sort();
    expect(podsBefore.length).toBeGreaterThan(0);
    expect((await ctx.releases.latest('bare', n))?.labels?.[LABEL_CLUSTER]).toBeUndefined();

    const text = `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  stacks:
    - name: adopted
      addons:
${addon({ name: 'bare', chart: 'podinfo', version: '6.14.1', namespace: n, repo, values: 'replicaCount: 1' })}
`;
    const { def, plan } = definition(text);
    const r = await applyPlan(ctx, def, plan);
    expect(r.ok, JSON.stringify(r.members)).toBe(true);
    expect(r.members[0]).toMatchObject({ name: 'bare', phase: 'synced', revision: 2 });
    const history = await ctx.helm.history('bare', n);
    expect(history.map((h) => [h.revision, h.status])).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);
    const after = await apps.readNamespacedDeployment({ name: 'bare-podinfo', namespace: n });
    expect(after.metadata?.uid).toBe(before.metadata?.uid);
    expect(after.metadata?.generation).toBe(before.metadata?.generation);
    expect((await core.listNamespacedPod({ namespace: n })).items.map((p) => p.metadata!.uid).sort()).toEqual(
      podsBefore,
    );
    expect((await ctx.releases.latest('bare', n))?.labels?.[LABEL_CLUSTER]).toBe(name);
    // from now on it is Mooring's: the next apply changes nothing
    const again = await applyPlan(ctx, def, plan);
    expect(again.members[0]?.phase).toBe('unchanged');
    expect(again.helmCalls).toBe(0);
  });
});
