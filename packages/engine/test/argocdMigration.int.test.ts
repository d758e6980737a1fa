import { AppsV1Api } from '@kubernetes/client-node';
import { type ArgoCd, kitClients, startArgoCd, testNamespace } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyPlan } from '../src/apply.ts';
import { ArgoCdClient } from '../src/argocd/client.ts';
import type { ArgoCdEngine } from '../src/argocd/engine.ts';
import { migrateAddonToNative, returnAddonToArgo } from '../src/argocd/migrate.ts';
import type { EngineContext } from '../src/context.ts';
import { withEngine } from '../src/engines.ts';
import { createLiveState, runSweep, sweepTargets } from '../src/sweep/index.ts';
import { clusterText, podinfo } from './argocdSupport.ts';
import { definition, engineFor } from './support.ts';

// Moving add-ons from a real Argo CD to the native engine and back. Argo CD runs
// in a namespace of its own so this file never meets the other Argo CD tests.
const kit = inject('kit');
const { core, kc } = kitClients(kit);
const apps = kc.makeApiClient(AppsV1Api);
const repo = kit.chartRepoUrl!;
let argo: ArgoCd;
const namespaces: string[] = [];

beforeAll(async () => {
  argo = await startArgoCd(kit, { namespace: 'argocd-migrate' });
}, 240_000);

afterAll(async () => {
  if (argo) {
    const admin = new ArgoCdClient({ url: argo.url, token: argo.adminToken });
    for (const a of await admin.listApplications().catch(() => []))
      await admin.deleteApplication(a.metadata.name, 'non-cascading').catch(() => undefined);
    await argo.stop();
  }
  for (const n of namespaces) await core.deleteNamespace({ name: n }).catch(() => undefined);
});

function ns(hint: string): string {
  const n = testNamespace(hint);
  namespaces.push(n);
  return n;
}

function engineWith(cluster: string): EngineContext {
  const engine: ArgoCdEngine = {
    client: new ArgoCdClient({ url: argo.url, token: argo.adminToken }),
    namespace: argo.namespace,
    deletion: 'foreground',
    pollMs: 250,
  };
  return { ...engineFor(kit, cluster), argocd: engine };
}

/** UIDs by `Kind name` of the add-on's Deployment, ReplicaSets, Pods and Service, with the Deployment's metadata. */
async function snapshot(namespace: string, addon: string) {
  const sel = { namespace, labelSelector: `app.kubernetes.io/name=${addon}-podinfo` };
  const dep = await apps.readNamespacedDeployment({ name: `${addon}-podinfo`, namespace });
  const rs = await apps.listNamespacedReplicaSet(sel);
  const pods = await core.listNamespacedPod(sel);
  const svc = await core.readNamespacedService({ name: `${addon}-podinfo`, namespace });
  const uids: Record<string, string> = {
    [`Deployment ${dep.metadata!.name}`]: dep.metadata!.uid!,
    [`Service ${svc.metadata!.name}`]: svc.metadata!.uid!,
  };
  for (const r of rs.items) uids[`ReplicaSet ${r.metadata!.name}`] = r.metadata!.uid!;
  for (const p of pods.items) uids[`Pod ${p.metadata!.name}`] = p.metadata!.uid!;
  return {
    uids,
    pods: pods.items.map((p) => p.metadata!.name!).sort(),
    labels: dep.metadata!.labels ?? {},
    annotations: dep.metadata!.annotations ?? {},
    spec: JSON.stringify(dep.spec),
  };
}

describe('migration from Argo CD to native', () => {
  it('moves three add-ons side by side: UIDs and Pods kept, only Helm’s label and two annotations added, Applications deleted after the releases deploy; one goes back', async () => {
    const n = ns('mig-three');
    const cluster = `c-${n}`;
    const ctx = engineWith(cluster);
    const names = ['m1', 'm2', 'm3'];
    const { def, plan } = definition(
      clusterText(
        cluster,
        names.map((x) => podinfo(repo, x, n, 'argocd')),
      ),
    );
    const applied = await applyPlan(ctx, def, plan);
    expect(applied.ok, JSON.stringify(applied.members)).toBe(true);
    const before = Object.fromEntries(
      await Promise.all(names.map(async (x) => [x, await snapshot(n, x)] as const)),
    );
    for (const x of names) expect(await ctx.releases.latest(x, n)).toBeUndefined();

    const targets = sweepTargets(def, plan);
    const reports = await Promise.all(
      targets.map((t) => migrateAddonToNative(ctx, t.addon, t.hash, undefined)),
    );
    for (const r of reports) {
      expect(r.already).toBe(false);
      expect(r.replaced, r.message).toEqual([]);
      expect(r.podsAfter).toEqual(r.podsBefore);
      expect(r.podsBefore.length).toBeGreaterThan(0);
      // Helm's ownership metadata, nothing else (the Pods and ReplicaSets are not Helm's: untouched)
      expect(r.metadataChanged).toEqual([
        'annotation meta.helm.sh/release-name',
        'annotation meta.helm.sh/release-namespace',
        ...(r.metadataChanged.includes('label app.kubernetes.io/managed-by')
          ? ['label app.kubernetes.io/managed-by']
          : []),
      ]);
    }
    for (const x of names) {
      const after = await snapshot(n, x);
      expect(after.uids).toEqual(before[x]!.uids);
      expect(after.pods).toEqual(before[x]!.pods);
      expect(after.spec).toBe(before[x]!.spec);
      expect(after.labels['app.kubernetes.io/managed-by']).toBe('Helm');
      expect(after.annotations['meta.helm.sh/release-name']).toBe(x);
      expect(after.annotations['meta.helm.sh/release-namespace']).toBe(n);
      // every other label and annotation as it was
      const rest = (m: Record<string, string>, drop: string[]) =>
        Object.fromEntries(Object.entries(m).filter(([k]) => !drop.includes(k)));
      expect(rest(after.labels, ['app.kubernetes.io/managed-by'])).toEqual(
        rest(before[x]!.labels, ['app.kubernetes.io/managed-by']),
      );
      expect(
        rest(after.annotations, ['meta.helm.sh/release-name', 'meta.helm.sh/release-namespace']),
      ).toEqual(before[x]!.annotations);
      expect(await ctx.argocd!.client.getApplication(x)).toBeUndefined();
      expect((await ctx.releases.latest(x, n))?.status).toBe('deployed');
    }

    // a repeated command answers from the cluster: already on native, nothing done
    const again = await migrateAddonToNative(
      ctx,
      targets[0]!.addon,
      targets[0]!.hash,
      await ctx.releases.latest('m1', n),
    );
    expect(again.already).toBe(true);

    // the native engine now reconciles them: a sweep finds them Synced with no drift
    let policy = { default: 'native' as const, overrides: {} as Record<string, 'native' | 'argocd'> };
    for (const x of names) policy = withEngine(policy, x, 'native') as typeof policy;
    const native: EngineContext = { ...ctx, engines: policy };
    const live = createLiveState(ctx.kc);
    try {
      const s = await runSweep(native, live, targets, new Map());
      for (const a of s.addons) expect(a, JSON.stringify(a)).toMatchObject({ state: 'Synced', drift: [] });
    } finally {
      live.objects.stop();
      live.releases.stop();
    }

    // one goes back to Argo CD: Application again, Helm storage forgotten, same objects
    const back = await returnAddonToArgo(native, targets[1]!.addon, targets[1]!.hash);
    expect(back.message).toMatch(/Synced\/Healthy/);
    expect((await ctx.argocd!.client.getApplication('m2'))?.status?.sync?.status).toBe('Synced');
    expect(await ctx.releases.latest('m2', n)).toBeUndefined();
    expect((await snapshot(n, 'm2')).uids).toEqual(before.m2!.uids);
  });

  it('a migration that fails for one add-on leaves it on Argo CD, untouched, while the others complete', async () => {
    const n = ns('mig-fail');
    const cluster = `c-${n}`;
    const ctx = engineWith(cluster);
    const names = ['f1', 'f2', 'f3'];
    const { def, plan } = definition(
      clusterText(
        cluster,
        names.map((x) => podinfo(repo, x, n, 'argocd')),
      ),
    );
    expect((await applyPlan(ctx, def, plan)).ok).toBe(true);
    const before = await snapshot(n, 'f2');
    // f2's chart registry is unreachable while it migrates
    const broken = definition(
      clusterText(
        cluster,
        names.map((x) => podinfo(x === 'f2' ? 'http://127.0.0.1:9/charts' : repo, x, n, 'argocd')),
      ),
    );
    const targets = sweepTargets(def, plan);
    const brokenF2 = sweepTargets(broken.def, broken.plan).find((t) => t.addon.name === 'f2')!;
    const results = await Promise.allSettled(
      targets.map((t) =>
        t.addon.name === 'f2'
          ? migrateAddonToNative(ctx, brokenF2.addon, brokenF2.hash, undefined)
          : migrateAddonToNative(ctx, t.addon, t.hash, undefined),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const why = (results[1] as PromiseRejectedResult).reason as Error;
    expect(why.message).toMatch(/add-on f2: .*still on Argo CD/);
    // f2: its Application stays and is Synced, no Helm release storage, the same objects
    const app = await ctx.argocd!.client.getApplication('f2');
    expect(app?.status?.sync?.status).toBe('Synced');
    expect(await ctx.releases.latest('f2', n)).toBeUndefined();
    const after = await snapshot(n, 'f2');
    expect(after.uids).toEqual(before.uids);
    expect(after.annotations['meta.helm.sh/release-name']).toBeUndefined();
    for (const x of ['f1', 'f3']) {
      expect(await ctx.argocd!.client.getApplication(x)).toBeUndefined();
      expect((await ctx.releases.latest(x, n))?.status).toBe('deployed');
    }
  });
});
