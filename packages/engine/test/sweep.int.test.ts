import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { CoreApi, KubeConfig, setStoredStatus } from '@mooring/kube';
import { clientNodeConfig, eventually, kitClients, startFaultProxy } from '@mooring/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { applyPlan } from '../src/apply.ts';
import {
  type AddonMemory,
  createLiveState,
  type Heartbeat,
  type LiveState,
  type ManifestReport,
  manifestSweepTargets,
  Reconciler,
  runSweep,
  sweepTargets,
} from '../src/sweep/index.ts';
import { addon, definition, engineFor, testNamespaces } from './support.ts';

const kit = inject('kit');
const { core } = kitClients(kit);
const repo = kit.chartRepoUrl!;
const namespaces = testNamespaces(core);
const stops: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops) await s();
  await namespaces.removeAll();
});

/** Live state over the watch caches of `kc`, stopped when the suite ends. */
async function startLive(kc: KubeConfig): Promise<LiveState> {
  const live = createLiveState(kc);
  stops.push(() => {
    live.objects.stop();
    live.releases.stop();
  });
  await live.start();
  return live;
}

const ns = namespaces.create;

const settings = (o: { selfHeal: boolean; autoPrune?: boolean; extra?: string }) => `          settings:
            sync_policy:
              automated: true
              self_heal: ${o.selfHeal}
              auto_prune: ${o.autoPrune ?? false}
              sync_options: [CreateNamespace=true]
            retry_policy: { limit: 3, backoff_duration: 1s, backoff_factor: 2, backoff_max: 5s }${o.extra ? `\n${o.extra}` : ''}`;

function podinfo(
  name: string,
  namespace: string,
  o: { selfHeal: boolean; autoPrune?: boolean; values?: string; extra?: string },
): string {
  const lines = [
    `        - name: ${name}`,
    '          chart_name: podinfo',
    '          chart_version: "6.14.1"',
    `          repository_url: ${repo}`,
    `          namespace: ${namespace}`,
    settings(o),
  ];
  if (o.values)
    lines.push(
      '          configuration:',
      '            values: |',
      ...o.values.split('\n').map((l) => `              ${l}`),
    );
  return lines.join('\n');
}

function clusterText(name: string, addons: string): string {
  return `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${name}\nspec:\n  stacks:\n    - name: apps\n      addons:\n${addons}\n`;
}

async function deployed(hint: string, addons: (ns: string) => string) {
  const n = await ns(hint);
  const name = `c-${n}`;
  const ctx = engineFor(kit, name);
  const { def, plan } = definition(clusterText(name, addons(n)));
  const r = await applyPlan(ctx, def, plan);
  expect(r.ok, JSON.stringify(r.members)).toBe(true);
  return { n, ctx, def, plan, targets: sweepTargets(def, plan) };
}

describe('reconcile sweep', () => {
  it('detects a hand-scaled Deployment, an edited ConfigMap and a deleted Service; heals them with self_heal; reports them without', async () => {
    const env = await deployed('drift', (n) =>
      [
        podinfo('healed', n, { selfHeal: true, values: 'replicaCount: 1' }),
        podinfo('watched', n, { selfHeal: false, values: 'replicaCount: 1' }),
        addon({
          name: 'cfg',
          chart: 'failing-hook',
          version: '0.1.0',
          namespace: n,
          repo,
          values: 'message: desired',
        }).replace(
          '          settings:\n            sync_policy:\n',
          '          settings:\n            sync_policy:\n              self_heal: true\n',
        ),
      ].join('\n'),
    );
    const apps = clientNodeConfig(env.ctx.kc).makeApiClient(AppsV1Api);
    const c = clientNodeConfig(env.ctx.kc).makeApiClient(CoreV1Api);
    const beats: Heartbeat[] = [];
    const rec = new Reconciler(env.ctx, {
      intervalMs: 3_600_000,
      heartbeat: { publish: (h) => void beats.push(h) },
    });
    rec.setTargets(env.targets);
    stops.push(() => rec.stop());
    await rec.start();
    expect(beats[0]).toMatchObject({ cluster_id: env.ctx.cluster, addons_inspected: 3 });
    const quiet = await rec.sweepNow();
    expect(quiet.addons.map((a) => [a.name, a.drift.length, a.state])).toEqual([
      ['healed', 0, 'Synced'],
      ['watched', 0, 'Synced'],
      ['cfg', 0, 'Synced'],
    ]);
    expect(quiet.apiRequests).toBe(0);
    expect(quiet.helmCalls).toBe(0);

    await apps.patchNamespacedDeploymentScale({
      name: 'healed-podinfo',
      namespace: env.n,
      body: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
    });
    await apps.patchNamespacedDeploymentScale({
      name: 'watched-podinfo',
      namespace: env.n,
      body: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
    });
    await c.patchNamespacedConfigMap({
      name: 'cfg-message',
      namespace: env.n,
      body: [{ op: 'replace', path: '/data/message', value: 'edited' }],
    });
    await c.deleteNamespacedService({ name: 'healed-podinfo', namespace: env.n });

    await eventually(
      'the self-healing add-ons restored',
      async () => {
        const [d, cm, svc] = await Promise.all([
          apps.readNamespacedDeployment({ name: 'healed-podinfo', namespace: env.n }),
          c.readNamespacedConfigMap({ name: 'cfg-message', namespace: env.n }),
          c.readNamespacedService({ name: 'healed-podinfo', namespace: env.n }).catch(() => undefined),
        ]);
        return d.spec?.replicas === 1 && cm.data?.message === 'desired' && !!svc;
      },
      30_000,
    );
    const after = await rec.sweepNow();
    const watched = after.addons.find((a) => a.name === 'watched')!;
    expect(watched.state).toBe('OutOfSync');
    expect(watched.actions).toEqual(['reported']);
    expect(watched.drift.map((d) => d.ref)).toEqual([`Deployment/${env.n}/watched-podinfo`]);
    expect(watched.drift[0]?.text).toMatch(/replicas/);
    expect(
      (await apps.readNamespacedDeployment({ name: 'watched-podinfo', namespace: env.n })).spec?.replicas,
    ).toBe(3);
    expect(after.addons.find((a) => a.name === 'healed')?.state).toBe('Synced');
  });

  it('never reports an ignored field as drift (HPA-owned replicas)', async () => {
    const ignore = `            ignore_differences:
              - group: apps
                kind: Deployment
                json_pointers: [/spec/replicas]`;
    const env = await deployed('ignore', (n) => podinfo('hpa', n, { selfHeal: true, extra: ignore }));
    const apps = clientNodeConfig(env.ctx.kc).makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeploymentScale({
      name: 'hpa-podinfo',
      namespace: env.n,
      body: [{ op: 'replace', path: '/spec/replicas', value: 4 }],
    });
    const live = await startLive(env.ctx.kc);
    await live.ensureKinds([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }]);
    await eventually(
      'cache sees the scale',
      async () =>
        (live.objects.get('apps/v1', 'Deployment', env.n, 'hpa-podinfo') as { spec?: { replicas?: number } })
          ?.spec?.replicas === 4,
    );
    const r = await runSweep(env.ctx, live, env.targets, new Map());
    expect(r.addons[0]?.drift).toEqual([]);
    expect(r.addons[0]?.actions).toEqual(['none']);
    expect(
      (await apps.readNamespacedDeployment({ name: 'hpa-podinfo', namespace: env.n })).spec?.replicas,
    ).toBe(4);
  });

  it('prunes an object removed from the chart only with auto_prune, and never while a read fails', async () => {
    for (const autoPrune of [false, true]) {
      const n = await ns(`prune-${autoPrune}`);
      const name = `c-${n}`;
      const ctx = engineFor(kit, name);
      const text = (sa: boolean) =>
        clusterText(
          name,
          podinfo('app', n, {
            selfHeal: false,
            autoPrune,
            values: `serviceAccount:\n  enabled: ${sa}\n  name: app-sa`,
          }),
        );
      const v1 = definition(text(true));
      expect((await applyPlan(ctx, v1.def, v1.plan)).ok).toBe(true);
      const c = clientNodeConfig(ctx.kc).makeApiClient(CoreV1Api);
      const sa = await c.readNamespacedServiceAccount({ name: 'app-sa', namespace: n });
      const v2 = definition(text(false));
      expect((await applyPlan(ctx, v2.def, v2.plan)).ok).toBe(true);
      // a leftover: Helm's delete of the removed object did not happen
      await c
        .createNamespacedServiceAccount({
          namespace: n,
          body: {
            metadata: { name: 'app-sa', labels: sa.metadata?.labels, annotations: sa.metadata?.annotations },
          },
        })
        .catch(() => undefined);

      // through a proxy that can cut the API connection
      const url = new URL(kit.apiServer!);
      const proxy = await startFaultProxy(url.hostname, Number(url.port));
      stops.push(() => proxy.stop());
      const kc = new KubeConfig();
      kc.loadFromFile(kit.kubeconfig!);
      const cl = kc.getCurrentCluster()!;
      kc.clusters = kc.clusters.map((x) =>
        x.name === cl.name ? { ...x, server: `https://${proxy.address}` } : x,
      );
      const pctx = { ...ctx, kc };
      const live = await startLive(kc);
      const targets = sweepTargets(v2.def, v2.plan);
      const all = live.history('app', n).flatMap((h) => h.objects);
      await live.ensureKinds(all);
      await eventually(
        'cache sees the leftover',
        async () => !!live.objects.get('v1', 'ServiceAccount', n, 'app-sa'),
      );

      if (autoPrune) {
        proxy.cut();
        await eventually(
          'the caches notice the outage',
          async () => !live.complete([{ apiVersion: 'v1', kind: 'ServiceAccount' }]),
          20_000,
        );
        const during = await runSweep(pctx, live, targets, new Map());
        expect(during.addons[0]?.pruned).toEqual([]);
        expect(during.addons[0]?.pruneSkipped).toMatch(/partial data/);
        await c.readNamespacedServiceAccount({ name: 'app-sa', namespace: n });
        proxy.restore();
        await eventually(
          'the caches recover',
          async () => live.complete(all.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind }))),
          20_000,
        );
      }
      const r = await runSweep(pctx, live, targets, new Map());
      if (autoPrune) {
        expect(r.addons[0]?.pruned).toEqual([`ServiceAccount/${n}/app-sa`]);
        await expect(c.readNamespacedServiceAccount({ name: 'app-sa', namespace: n })).rejects.toMatchObject({
          code: 404,
        });
      } else {
        expect(r.addons[0]?.pruned).toEqual([]);
        expect((await c.readNamespacedServiceAccount({ name: 'app-sa', namespace: n })).metadata?.name).toBe(
          'app-sa',
        );
      }
    }
  });

  it('never prunes an object annotated argocd.argoproj.io/sync-options: Prune=false', async () => {
    const n = await ns('prune-false');
    const name = `c-${n}`;
    const ctx = engineFor(kit, name);
    const text = (sa: boolean) =>
      clusterText(
        name,
        podinfo('app', n, {
          selfHeal: false,
          autoPrune: true,
          values: `serviceAccount:\n  enabled: ${sa}\n  name: app-sa`,
        }),
      );
    const v1 = definition(text(true));
    expect((await applyPlan(ctx, v1.def, v1.plan)).ok).toBe(true);
    const c = clientNodeConfig(ctx.kc).makeApiClient(CoreV1Api);
    const sa = await c.readNamespacedServiceAccount({ name: 'app-sa', namespace: n });
    const v2 = definition(text(false));
    expect((await applyPlan(ctx, v2.def, v2.plan)).ok).toBe(true);
    // a leftover of revision 1 that someone marked as never to be pruned
    await c.createNamespacedServiceAccount({
      namespace: n,
      body: {
        metadata: {
          name: 'app-sa',
          labels: sa.metadata?.labels,
          annotations: { ...sa.metadata?.annotations, 'argocd.argoproj.io/sync-options': 'Prune=false' },
        },
      },
    });
    const live = await startLive(ctx.kc);
    const all = live.history('app', n).flatMap((h) => h.objects);
    await live.ensureKinds(all);
    await eventually(
      'cache sees the leftover',
      async () => !!live.objects.get('v1', 'ServiceAccount', n, 'app-sa'),
    );
    const kept = await runSweep(ctx, live, sweepTargets(v2.def, v2.plan), new Map());
    expect(kept.addons[0]?.pruned).toEqual([]);
    expect((await c.readNamespacedServiceAccount({ name: 'app-sa', namespace: n })).metadata?.name).toBe(
      'app-sa',
    );
    // without the annotation the same leftover is pruned: the test can fail
    await c.patchNamespacedServiceAccount({
      name: 'app-sa',
      namespace: n,
      body: [{ op: 'remove', path: '/metadata/annotations/argocd.argoproj.io~1sync-options' }],
    });
    await eventually('cache sees the annotation gone', async () => {
      const o = live.objects.get('v1', 'ServiceAccount', n, 'app-sa');
      return !!o && !o.metadata.annotations?.['argocd.argoproj.io/sync-options'];
    });
    const pruned = await runSweep(ctx, live, sweepTargets(v2.def, v2.plan), new Map());
    expect(pruned.addons[0]?.pruned).toEqual([`ServiceAccount/${n}/app-sa`]);
  });

  it('recovers a release stuck in pending-upgrade', async () => {
    const env = await deployed('stuck', (n) => podinfo('stuck', n, { selfHeal: true }));
    const c = new CoreApi(env.ctx.kc);
    await setStoredStatus(c, 'stuck', env.n, 1, 'pending-upgrade', {
      lastDeployed: new Date(Date.now() - 11 * 60_000),
    });
    const live = await startLive(env.ctx.kc);
    const r = await runSweep(env.ctx, live, env.targets, new Map());
    expect(r.addons[0]?.actions).toContain('recovered');
    const history = await env.ctx.helm.history('stuck', env.n);
    // the unlocked revision is superseded by the recovery upgrade, as Helm records it
    expect(history.map((h) => h.status)).toEqual(['superseded', 'deployed']);
    expect(history[0]?.description).toMatch(/unlocked after being pending-upgrade/);
    expect(history[1]?.description).toMatch(/recovered from pending-upgrade/);
    expect(r.addons[0]?.state).toBe('Synced');
  });

  it('rolls a stuck release back to the last deployed revision when the fresh upgrade fails too', async () => {
    const env = await deployed('stuck-rollback', (n) =>
      podinfo('app', n, { selfHeal: true, values: 'replicaCount: 1' }),
    );
    // a second revision, then stuck in pending-upgrade
    const v2 = definition(
      clusterText(env.ctx.cluster, podinfo('app', env.n, { selfHeal: true, values: 'replicaCount: 2' })),
    );
    expect((await applyPlan(env.ctx, v2.def, v2.plan)).ok).toBe(true);
    const c = new CoreApi(env.ctx.kc);
    await setStoredStatus(c, 'app', env.n, 2, 'pending-upgrade', {
      lastDeployed: new Date(Date.now() - 11 * 60_000),
    });
    await setStoredStatus(c, 'app', env.n, 1, 'deployed');
    // the chart source is gone: the fresh upgrade cannot even fetch the chart
    const broken = definition(
      clusterText(
        env.ctx.cluster,
        podinfo('app', env.n, { selfHeal: true, values: 'replicaCount: 2' }).replace(
          repo,
          'http://127.0.0.1:9',
        ),
      ),
    );
    const live = await startLive(env.ctx.kc);
    const r = await runSweep(
      { ...env.ctx, charts: engineFor(kit, env.ctx.cluster).charts },
      live,
      sweepTargets(broken.def, broken.plan),
      new Map(),
    );
    expect(r.addons[0]?.actions).toContain('recovered');
    expect(r.addons[0]?.message).toMatch(/rolled back to revision 1/);
    const history = await env.ctx.helm.history('app', env.n);
    expect(history.at(-1)?.status).toBe('deployed');
    expect(history.at(-1)?.description).toMatch(/Rollback to 1/);
  });

  it('brings a release that is behind Git up to date when automated, and only reports it when not', async () => {
    const env = await deployed('behind', (n) =>
      podinfo('app', n, { selfHeal: true, values: 'replicaCount: 1' }),
    );
    const live = await startLive(env.ctx.kc);
    const want = (automated: boolean) =>
      definition(
        clusterText(
          env.ctx.cluster,
          podinfo('app', env.n, { selfHeal: true, values: 'replicaCount: 2' }).replace(
            'automated: true',
            `automated: ${automated}`,
          ),
        ),
      );
    const manual = want(false);
    const r1 = await runSweep(env.ctx, live, sweepTargets(manual.def, manual.plan), new Map());
    expect(r1.addons[0]).toMatchObject({ behindGit: true, actions: ['reported'], state: 'OutOfSync' });
    const auto = want(true);
    const r2 = await runSweep(env.ctx, live, sweepTargets(auto.def, auto.plan), new Map());
    expect(r2.addons[0]?.actions).toEqual(['healed']);
    expect(r2.addons[0]?.message).toMatch(/synced the release to Git/);
    const apps = clientNodeConfig(env.ctx.kc).makeApiClient(AppsV1Api);
    expect(
      (await apps.readNamespacedDeployment({ name: 'app-podinfo', namespace: env.n })).spec?.replicas,
    ).toBe(2);
  });

  it('cancels a heal outside the sync window with outside_sync_window, and heals with the override', async () => {
    const window =
      '            sync_window: { enabled: true, schedule: "0 3 1 1 *", duration: 1m, timezone: Europe/Berlin }';
    const env = await deployed('window', (n) => podinfo('win', n, { selfHeal: true, extra: window }));
    const apps = clientNodeConfig(env.ctx.kc).makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeploymentScale({
      name: 'win-podinfo',
      namespace: env.n,
      body: [{ op: 'replace', path: '/spec/replicas', value: 2 }],
    });
    const live = await startLive(env.ctx.kc);
    await live.ensureKinds(live.history('win', env.n).flatMap((h) => h.objects));
    await eventually(
      'cache sees the scale',
      async () =>
        (live.objects.get('apps/v1', 'Deployment', env.n, 'win-podinfo') as { spec?: { replicas?: number } })
          ?.spec?.replicas === 2,
    );
    const memory = new Map<string, AddonMemory>();
    const r = await runSweep(env.ctx, live, env.targets, memory);
    expect(r.addons[0]?.actions).toEqual(['cancelled']);
    expect(r.addons[0]?.message).toBe('outside_sync_window');
    expect(
      (await apps.readNamespacedDeployment({ name: 'win-podinfo', namespace: env.n })).spec?.replicas,
    ).toBe(2);
    const o = await runSweep(env.ctx, live, env.targets, memory, { windowOverride: true });
    expect(o.addons[0]?.actions, o.addons[0]?.message).toEqual(['healed']);
    expect(
      (await apps.readNamespacedDeployment({ name: 'win-podinfo', namespace: env.n })).spec?.replicas,
    ).toBe(1);
  });

  it('re-applies a drifted manifest member with auto_remediate, and reports it without', async () => {
    const n = await ns('manifest-drift');
    const name = `c-${n}`;
    const ctx = engineFor(kit, name);
    const member = (m: string, remediate: boolean) => `        - name: ${m}
          auto_remediate: ${remediate}
          manifest: |
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: ${m}
              namespace: ${n}
            data:
              mode: desired`;
    const text = `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${name}\nspec:\n  stacks:\n    - name: base\n      manifests:\n${member('fixed', true)}\n${member('watched', false)}\n`;
    const { def, plan } = definition(text);
    expect((await applyPlan(ctx, def, plan)).ok).toBe(true);
    const checks: ManifestReport[] = [];
    const rec = new Reconciler(ctx, { intervalMs: 3_600_000, onManifestCheck: (r) => checks.push(r) });
    rec.setTargets(sweepTargets(def, plan), manifestSweepTargets(def, plan));
    stops.push(() => rec.stop());
    await rec.start();
    const c = clientNodeConfig(ctx.kc).makeApiClient(CoreV1Api);
    for (const m of ['fixed', 'watched']) {
      await c.patchNamespacedConfigMap({
        name: m,
        namespace: n,
        body: [{ op: 'replace', path: '/data/mode', value: 'edited' }],
      });
    }
    await eventually(
      'the remediating member restored',
      async () => (await c.readNamespacedConfigMap({ name: 'fixed', namespace: n })).data?.mode === 'desired',
      15_000,
    );
    // the check reports after the re-applied objects are healthy again, a moment after the restore
    await eventually(
      'the heal reported',
      async () => checks.some((r) => r.name === 'fixed' && r.actions.includes('healed')),
      15_000,
    );
    await eventually(
      'the other one reported',
      async () => checks.some((r) => r.name === 'watched' && r.actions.includes('reported')),
      15_000,
    );
    expect(
      checks.find((r) => r.name === 'fixed' && r.actions.includes('healed'))?.drift.map((d) => d.ref),
    ).toEqual([`ConfigMap/${n}/fixed`]);
    expect((await c.readNamespacedConfigMap({ name: 'watched', namespace: n })).data?.mode).toBe('edited');
    const full = await rec.sweepNow();
    expect(full.manifests.map((m) => [m.name, m.state])).toEqual([
      ['fixed', 'Synced'],
      ['watched', 'OutOfSync'],
    ]);
  });
});
