import { execFileSync } from 'node:child_process';
import { AppsV1Api, CoreV1Api, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { clientNodeConfig, eventually, kitClients } from '@mooring/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { applyPlan } from '../src/apply.ts';
import { createLiveState, type LiveState, runSweep, sweepTargets } from '../src/sweep/index.ts';
import { definition, engineFor, testNamespaces } from './support.ts';

const kit = inject('kit');
const { core } = kitClients(kit);
const repo = kit.chartRepoUrl!;
const namespaces = testNamespaces(core);
const stops: (() => void)[] = [];
afterAll(async () => {
  for (const s of stops) s();
  await namespaces.removeAll();
});

/** `helm history` from the real helm binary: the revisions it lists. */
function helmHistory(release: string, namespace: string): { revision: number; status: string }[] {
  const out = execFileSync(kit.helm, ['history', release, '-n', namespace, '-o', 'json'], {
    env: { ...process.env, ...kit.env },
  }).toString();
  return (JSON.parse(out) as { revision: number; status: string }[]).map((r) => ({
    revision: r.revision,
    status: r.status,
  }));
}

async function deployed(hint: string) {
  const n = await namespaces.create(hint);
  const name = `c-${n}`;
  const ctx = engineFor(kit, name);
  const text = `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  stacks:
    - name: apps
      addons:
        - name: web
          chart_name: podinfo
          chart_version: "6.14.1"
          repository_url: ${repo}
          namespace: ${n}
          settings:
            sync_policy:
              automated: true
              self_heal: true
              sync_options: [CreateNamespace=true]
          configuration:
            values: |
              replicaCount: 1
`;
  const { def, plan } = definition(text);
  const r = await applyPlan(ctx, def, plan);
  expect(r.ok, JSON.stringify(r.members)).toBe(true);
  const live: LiveState = createLiveState(ctx.kc);
  stops.push(() => {
    live.objects.stop();
    live.releases.stop();
  });
  await live.start();
  await live.ensureKinds(live.history('web', n).flatMap((h) => h.objects));
  return { n, ctx, live, targets: sweepTargets(def, plan) };
}

describe('targeted heal: the drifted objects, applied as Helm', () => {
  it('restores a scaled Deployment and re-creates a deleted Service without a new Helm revision', async () => {
    const env = await deployed('heal-apply');
    const apps = clientNodeConfig(env.ctx.kc).makeApiClient(AppsV1Api);
    const c = clientNodeConfig(env.ctx.kc).makeApiClient(CoreV1Api);
    expect(env.live.latest('web', env.n)?.release.applyMethod).toBe('ssa');

    await apps.patchNamespacedDeploymentScale({
      name: 'web-podinfo',
      namespace: env.n,
      body: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
    });
    const svc = await c.readNamespacedService({ name: 'web-podinfo', namespace: env.n });
    await c.deleteNamespacedService({ name: 'web-podinfo', namespace: env.n });
    await eventually(
      'the cache sees both changes',
      async () =>
        (
          env.live.live({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'web-podinfo', namespace: env.n },
          }) as {
            spec?: { replicas?: number };
          }
        )?.spec?.replicas === 3 &&
        !env.live.live({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'web-podinfo', namespace: env.n },
        }),
    );

    const r = await runSweep(env.ctx, env.live, env.targets, new Map());
    const a = r.addons[0]!;
    expect(a.drift.map((d) => [d.ref, d.missing]).sort()).toEqual([
      [`Deployment/${env.n}/web-podinfo`, false],
      [`Service/${env.n}/web-podinfo`, true],
    ]);
    expect(a.actions).toEqual(['healed']);
    expect(a.healedBy).toBe('apply');
    expect(a.healFallback).toBeUndefined();
    expect(r.helmCalls).toBe(0);
    expect(a.message).toMatch(/server-side apply as helm \(revision 1 kept\)/);

    const d = await apps.readNamespacedDeployment({ name: 'web-podinfo', namespace: env.n });
    expect(d.spec?.replicas).toBe(1);
    // Helm still owns replicas; the scale's manager no longer does
    const owners = (d.metadata?.managedFields ?? []).filter(
      (m) =>
        !!(m.fieldsV1 as { 'f:spec'?: { 'f:replicas'?: unknown } } | undefined)?.['f:spec']?.['f:replicas'],
    );
    expect(owners.map((m) => [m.manager, m.operation])).toEqual([['helm', 'Apply']]);
    const again = await c.readNamespacedService({ name: 'web-podinfo', namespace: env.n });
    expect(again.metadata?.uid).not.toBe(svc.metadata?.uid);
    expect(again.metadata?.annotations?.['meta.helm.sh/release-name']).toBe('web');
    expect(again.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
    expect(again.metadata?.managedFields?.map((m) => [m.manager, m.operation])).toContainEqual([
      'helm',
      'Apply',
    ]);

    expect(helmHistory('web', env.n)).toEqual([{ revision: 1, status: 'deployed' }]);

    // Helm itself finds nothing foreign: an upgrade of the same chart succeeds without forcing conflicts
    await eventually('the cache sees the heal', async () => {
      const q = await runSweep(env.ctx, env.live, env.targets, new Map());
      return q.addons[0]!.drift.length === 0 && q.addons[0]!.actions.join() === 'none';
    });
    const chart = await env.ctx.charts.resolve({ chart: 'podinfo', version: '6.14.1', repoUrl: repo });
    execFileSync(
      kit.helm,
      ['upgrade', 'web', chart.path, '-n', env.n, '--reuse-values', '--server-side=true', '--wait=hookOnly'],
      { env: { ...process.env, ...kit.env } },
    );
    expect(helmHistory('web', env.n).map((h) => h.revision)).toEqual([1, 2]);
  });

  it('falls back to helm upgrade when another manager server-side applies the drifted field', async () => {
    const env = await deployed('heal-conflict');
    const apps = clientNodeConfig(env.ctx.kc).makeApiClient(AppsV1Api);
    const client = KubernetesObjectApi.makeApiClient(clientNodeConfig(env.ctx.kc));
    // another declarative owner takes replicas with its own server-side apply
    await client.patch(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web-podinfo', namespace: env.n },
        spec: { replicas: 3 },
      } as never,
      undefined,
      undefined,
      'other-tool',
      true,
      PatchStrategy.ServerSideApply,
    );
    await eventually(
      'the cache sees the change',
      async () =>
        (
          env.live.live({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'web-podinfo', namespace: env.n },
          }) as {
            spec?: { replicas?: number };
          }
        )?.spec?.replicas === 3,
    );

    const r = await runSweep(env.ctx, env.live, env.targets, new Map());
    const a = r.addons[0]!;
    expect(a.actions).toEqual(['healed']);
    expect(a.healedBy).toBe('upgrade');
    expect(a.healFallback).toMatch(/spec.replicas is declared by field manager "other-tool"/);
    expect(r.helmCalls).toBe(1);
    expect(
      (await apps.readNamespacedDeployment({ name: 'web-podinfo', namespace: env.n })).spec?.replicas,
    ).toBe(1);
    expect(helmHistory('web', env.n)).toEqual([
      { revision: 1, status: 'superseded' },
      { revision: 2, status: 'deployed' },
    ]);
  });
});
