import { AppsV1Api } from '@kubernetes/client-node';
import { KubeConfig } from '@mooring/kube';
import { type ArgoCd, eventually, kitClients, startArgoCd, testNamespace } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
// the real platform with a real agent (operator-mode NATS), from the platform's test support
import { startAgentPlatform } from '../../platform/test/support/agentPlatform.ts';
import { applyPlan } from '../src/apply.ts';
import { ensureAccount, issueToken, revokeToken, rotateToken, tokenId } from '../src/argocd/account.ts';
import { applicationFor } from '../src/argocd/application.ts';
import { ArgoCdApiError, ArgoCdClient, type DeletionMode } from '../src/argocd/client.ts';
import type { ArgoCdEngine } from '../src/argocd/engine.ts';
import type { EngineContext } from '../src/context.ts';
import { createLiveState, runSweep, sweepTargets } from '../src/sweep/index.ts';
import { clusterText, podinfo as podinfoIn } from './argocdSupport.ts';
import { definition, engineFor } from './support.ts';

// One Argo CD for the whole file (it costs about 0.5 GiB): the kit fixture, the
// account and token, and the argocd engine against it.
const kit = inject('kit');
const { core, kc } = kitClients(kit);
const apps = kc.makeApiClient(AppsV1Api);
const repo = kit.chartRepoUrl!;
let argo: ArgoCd;
let token = '';
const namespaces: string[] = [];

beforeAll(async () => {
  const t = Date.now();
  argo = await startArgoCd(kit);
  console.log(`[argocd] up in ${((Date.now() - t) / 1000).toFixed(1)} s at ${argo.url}`);
}, 240_000);

afterAll(async () => {
  if (argo) {
    console.log(`[argocd] RSS MiB ${JSON.stringify(argo.rssMiB())}`);
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

function engineWith(cluster: string, deletion: DeletionMode = 'foreground'): EngineContext {
  const ctx = engineFor(kit, cluster);
  const engine: ArgoCdEngine = {
    client: new ArgoCdClient({ url: argo.url, token }),
    namespace: argo.namespace,
    deletion,
    pollMs: 250,
  };
  return { ...ctx, argocd: engine };
}

const podinfo = (
  name: string,
  namespace: string,
  engine: 'argocd' | 'argo_cd' | 'native',
  values?: string,
  settings?: string[],
) => podinfoIn(repo, name, namespace, engine, values, settings);

async function apply(ctx: EngineContext, text: string, o: { argocdDeletion?: DeletionMode } = {}) {
  const { def, plan } = definition(text);
  const r = await applyPlan(ctx, def, plan, o);
  expect(r.ok, JSON.stringify({ members: r.members, removed: r.removed })).toBe(true);
  return { r, def, plan };
}

const deployment = (name: string, namespace: string) =>
  apps.readNamespacedDeployment({ name, namespace }).catch(() => undefined);

describe('the kit Argo CD', () => {
  it('syncs an Application of the kit podinfo chart to Synced/Healthy', async () => {
    const n = ns('kit-argo');
    const admin = new ArgoCdClient({ url: argo.url, token: argo.adminToken });
    const t0 = Date.now();
    await admin.upsertApplication({
      metadata: { name: `kit-${n}`, namespace: argo.namespace },
      spec: {
        project: 'default',
        source: { repoURL: repo, chart: 'podinfo', targetRevision: '6.14.1' },
        destination: { server: 'https://kubernetes.default.svc', namespace: n },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
      },
    });
    const app = await eventually(
      'Synced/Healthy',
      async () => {
        const a = await admin.getApplication(`kit-${n}`);
        return a?.status?.sync?.status === 'Synced' && a.status.health?.status === 'Healthy' && a;
      },
      120_000,
    );
    console.log(`[argocd] kit Application Synced/Healthy in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(app.status?.resources?.map((r) => r.kind)).toEqual(
      expect.arrayContaining(['Deployment', 'Service']),
    );
    expect((await deployment(`kit-${n}-podinfo`, n))?.metadata?.name).toBeDefined();
    // a missing Application reads as absent (the API answers 403 for it)
    expect(await admin.getApplication('no-such-app')).toBeUndefined();
    await expect(admin.deleteApplication(`kit-${n}`, 'foreground')).resolves.toBe(true);
  });
});

describe('the mooring account', () => {
  it('is declared, gets a token from admin credentials, rotates it and revokes it', async () => {
    // the kit's Argo CD declares the account already: nothing to change
    expect(await ensureAccount(KubeConfig.from(kc), argo.namespace)).toEqual([]);
    const first = await issueToken(argo.url, argo.admin);
    expect(tokenId(first.token)).toBe(first.id);
    const client = new ArgoCdClient({ url: argo.url, token: first.token });
    const acct = await client.account('mooring');
    expect(acct.tokens?.map((t) => t.id)).toContain(first.id);
    const rotated = await rotateToken(client, first.token);
    expect(rotated.revoked).toBe(first.id);
    // the old token is refused, the new one works
    const old = new ArgoCdClient({ url: argo.url, token: first.token });
    // the server reads argocd-secret through a watch: the revocation lands within a moment
    await eventually('the old token is refused', async () =>
      old.listApplications().then(
        () => false,
        (e) => e instanceof ArgoCdApiError && e.status === 401,
      ),
    );
    expect((await client.account('mooring')).tokens?.map((t) => t.id)).toEqual([rotated.id]);
    await revokeToken(client, rotated.token);
    await eventually('the revoked token is refused', async () =>
      client.listApplications().then(
        () => false,
        (e) => e instanceof ArgoCdApiError && e.status === 401,
      ),
    );
    // the token the engine tests use
    token = (await issueToken(argo.url, argo.admin)).token;
  });
});

describe('the argocd engine', () => {
  it('deploys an add-on as an Application that reaches Synced/Healthy, and reports its state from a sweep', async () => {
    const n = ns('argo-deploy');
    const cluster = `c-${n}`;
    const ctx = engineWith(cluster);
    const { r, def, plan } = await apply(ctx, clusterText(cluster, [podinfo('web', n, 'argo_cd')]));
    expect(r.members[0]).toMatchObject({ name: 'web', phase: 'synced', state: 'Synced' });
    expect(r.helmCalls).toBe(0);
    const app = await ctx.argocd!.client.getApplication('web');
    expect(app?.metadata.labels?.['mooring.dev/cluster']).toBe(cluster);
    expect(app?.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    // the namespace was made by Argo CD with Mooring's managed metadata
    const nsObj = await core.readNamespace({ name: n });
    expect(nsObj.metadata?.labels?.['mooring.dev/cluster']).toBe(cluster);
    expect((await deployment('web-podinfo', n))?.status?.readyReplicas).toBe(1);
    // a second apply makes no change
    const again = await apply(ctx, clusterText(cluster, [podinfo('web', n, 'argo_cd')]));
    expect(again.r.members[0]?.phase).toBe('unchanged');
    // the sweep reads the state back through the API
    const live = createLiveState(ctx.kc);
    try {
      const s = await runSweep(ctx, live, sweepTargets(def, plan), new Map());
      expect(s.addons[0]).toMatchObject({
        name: 'web',
        state: 'Synced',
        reason: 'synced',
        health: 'Healthy',
      });
      expect(s.addons[0]?.behindGit).toBe(false);
    } finally {
      live.objects.stop();
      live.releases.stop();
    }
    const tree = await ctx.argocd!.client.resourceTree('web');
    expect(tree.nodes?.map((x) => x.kind)).toEqual(
      expect.arrayContaining(['Deployment', 'ReplicaSet', 'Service']),
    );
  });

  it('heals drift through Argo CD self-heal', async () => {
    const n = ns('argo-heal');
    const cluster = `c-${n}`;
    const ctx = engineWith(cluster);
    await apply(ctx, clusterText(cluster, [podinfo('heal', n, 'argocd')]));
    const t0 = Date.now();
    await apps.patchNamespacedDeployment({
      name: 'heal-podinfo',
      namespace: n,
      body: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
    });
    await eventually(
      'replicas back to 1',
      async () => (await deployment('heal-podinfo', n))?.spec?.replicas === 1,
      90_000,
    );
    console.log(`[argocd] self-heal restored replicas in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  it('keeps a sync window in the add-on’s AppProject: closed, Argo CD does not sync; removed, the project goes', async () => {
    const n = ns('argo-window');
    const cluster = `c-${n}`;
    const ctx = engineWith(cluster);
    const open = ['sync_window: { enabled: true, schedule: "* * * * *", duration: 1h, timezone: UTC }'];
    await apply(ctx, clusterText(cluster, [podinfo('win', n, 'argocd', 'replicaCount: 1', open)]));
    const project = await ctx.argocd!.client.getProject('mooring-win');
    expect(project?.spec.syncWindows).toEqual([
      expect.objectContaining({
        kind: 'allow',
        schedule: '* * * * *',
        duration: '3600s',
        applications: ['win'],
      }),
    ]);
    expect((await ctx.argocd!.client.getApplication('win'))?.spec.project).toBe('mooring-win');
    // a window that opens on the first of January only: the new values wait
    const closed = ['sync_window: { enabled: true, schedule: "0 0 1 1 *", duration: 1m, timezone: UTC }'];
    const t0 = Date.now();
    const waiting = await apply(
      ctx,
      clusterText(cluster, [podinfo('win', n, 'argocd', 'replicaCount: 2', closed)]),
    );
    expect(waiting.r.members[0]?.message).toMatch(/^outside_sync_window: Application written/);
    expect(Date.now() - t0).toBeLessThan(20_000);
    await ctx.argocd!.client.refresh('win');
    await new Promise((r) => setTimeout(r, 5000));
    expect((await deployment('win-podinfo', n))?.spec?.replicas).toBe(1);
    expect((await ctx.argocd!.client.getApplication('win'))?.status?.sync?.status).toBe('OutOfSync');
    // without a window: synced at once, and the window's AppProject is deleted
    const t1 = Date.now();
    await apply(ctx, clusterText(cluster, [podinfo('win', n, 'argocd', 'replicaCount: 2')]));
    expect((await deployment('win-podinfo', n))?.spec?.replicas).toBe(2);
    expect((await ctx.argocd!.client.getApplication('win'))?.spec.project).toBe('default');
    expect(await ctx.argocd!.client.getProject('mooring-win')).toBeUndefined();
    console.log(`[argocd] synced ${((Date.now() - t1) / 1000).toFixed(1)} s after the window was removed`);
  });

  it('recovers what is stuck: a deletion no finalizer finishes (finalizers removed), an Application in Unknown (hard refresh)', async () => {
    const n = ns('argo-stuck');
    const cluster = `c-${n}`;
    const ctx = engineWith(cluster);
    ctx.argocd!.deletionWaitMs = 3000;
    ctx.argocd!.stuckAfterMs = 1000;
    await apply(ctx, clusterText(cluster, [podinfo('stuck', n, 'argocd')]));
    const admin = new ArgoCdClient({ url: argo.url, token: argo.adminToken });
    // a finalizer nobody will ever finish
    await admin.patchApplication('stuck', {
      metadata: { finalizers: ['resources-finalizer.argocd.argoproj.io', 'example.com/never'] },
    });
    const gone = await apply(ctx, clusterText(cluster, []), { argocdDeletion: 'non-cascading' });
    expect(gone.r.removed).toMatchObject([
      {
        name: 'stuck',
        detail: expect.stringMatching(
          /deletion was stuck for \d+ s: finalizers .*example\.com\/never removed/,
        ),
      },
    ]);
    expect(gone.r.removed[0]?.error).toBeUndefined();
    expect(await ctx.argocd!.client.getApplication('stuck')).toBeUndefined();
    expect((await deployment('stuck-podinfo', n))?.metadata?.uid).toBeDefined();

    // an Application of a chart version the repository does not have: Argo CD cannot compare it (Unknown)
    const broken = definition(
      clusterText(cluster, [podinfo('unk', n, 'argocd').replace('"6.14.1"', '"99.0.0"')]),
    );
    const t = sweepTargets(broken.def, broken.plan)[0]!;
    await admin.upsertApplication(
      applicationFor({
        cluster,
        addon: t.addon,
        hash: t.hash,
        values: t.addon.values.text,
        namespace: argo.namespace,
        deletion: 'non-cascading',
      }),
      { validate: false },
    );
    await eventually('Argo CD compared it', async () => {
      const a = await admin.getApplication('unk');
      return a?.status?.sync?.status === 'Unknown' && (a.status.conditions?.length ?? 0) > 0;
    });
    const live = createLiveState(ctx.kc);
    try {
      const s = await runSweep(ctx, live, [t], new Map());
      expect(s.addons[0]?.actions).toContain('recovered');
      expect(s.addons[0]?.message).toMatch(/^the Application was Unknown: a hard refresh was asked for; /);
    } finally {
      live.objects.stop();
      live.releases.stop();
      await admin.deleteApplication('unk', 'non-cascading');
    }
  });

  it('deploys a chart from an OCI registry: the registry is declared to Argo CD (plain HTTP on loopback)', async () => {
    const n = ns('argo-oci');
    const cluster = `c-${n}`;
    const ctx = engineWith(cluster);
    const text = clusterText(cluster, [podinfoIn(`oci://${kit.ociHost}/charts`, 'ocidemo', n, 'argocd')]);
    const { r } = await apply(ctx, text);
    expect(r.members[0]).toMatchObject({ name: 'ocidemo', phase: 'synced', state: 'Synced' });
    const app = await ctx.argocd!.client.getApplication('ocidemo');
    expect(app?.spec.source.repoURL).toBe(`${kit.ociHost}/charts`);
    expect((await deployment('ocidemo-podinfo', n))?.status?.readyReplicas).toBe(1);
  });

  it('switches an add-on from native to argocd and back, keeping its objects', async () => {
    const n = ns('argo-switch');
    const cluster = `c-${n}`;
    const ctx = engineWith(cluster);
    const native = await apply(ctx, clusterText(cluster, [podinfo('sw', n, 'native')]));
    expect(native.r.helmCalls).toBeGreaterThan(0);
    const uid = (await deployment('sw-podinfo', n))?.metadata?.uid;
    expect(uid).toBeDefined();
    expect(await ctx.releases.latest('sw', n)).toBeDefined();

    const toArgo = await apply(ctx, clusterText(cluster, [podinfo('sw', n, 'argocd')]));
    expect(toArgo.r.members[0]?.state).toBe('Synced');
    expect(toArgo.r.helmCalls).toBe(0);
    // the Helm release is forgotten (its storage), not uninstalled: same Deployment
    expect(await ctx.releases.latest('sw', n)).toBeUndefined();
    expect((await deployment('sw-podinfo', n))?.metadata?.uid).toBe(uid);
    expect((await ctx.argocd!.client.getApplication('sw'))?.status?.sync?.status).toBe('Synced');

    const back = await apply(ctx, clusterText(cluster, [podinfo('sw', n, 'native')]));
    expect(back.r.members[0]?.message).toMatch(/taken over from its Argo CD Application/);
    expect(await ctx.argocd!.client.getApplication('sw')).toBeUndefined();
    expect((await ctx.releases.latest('sw', n))?.status).toBe('deployed');
    expect((await deployment('sw-podinfo', n))?.metadata?.uid).toBe(uid);
  });

  it('removes an add-on in each deletion mode: foreground, background, non-cascading', async () => {
    const n = ns('argo-remove');
    const cluster = `c-${n}`;
    const ctx = engineWith(cluster);
    const names = ['fg', 'bg', 'keep'];
    await apply(
      ctx,
      clusterText(
        cluster,
        names.map((x) => podinfo(x, n, 'argocd')),
      ),
    );
    for (const x of names) expect((await deployment(`${x}-podinfo`, n))?.metadata?.uid).toBeDefined();

    const after = (left: string[]) =>
      clusterText(
        cluster,
        left.map((x) => podinfo(x, n, 'argocd')),
      );
    const fg = await apply(ctx, after(['bg', 'keep']), { argocdDeletion: 'foreground' });
    expect(fg.r.removed).toMatchObject([{ name: 'fg', detail: expect.stringMatching(/foreground/) }]);
    // foreground: the Application went after its resources
    const gone = await deployment('fg-podinfo', n);
    expect(gone === undefined || !!gone.metadata?.deletionTimestamp).toBe(true);
    expect(await ctx.argocd!.client.getApplication('fg')).toBeUndefined();

    const bg = await apply(ctx, after(['keep']), { argocdDeletion: 'background' });
    expect(bg.r.removed.map((x) => x.name)).toEqual(['bg']);
    await eventually(
      'the background deletion ends',
      async () => !(await ctx.argocd!.client.getApplication('bg')),
    );
    await eventually('its Deployment goes', async () => !(await deployment('bg-podinfo', n)), 60_000);

    const nc = await apply(ctx, after([]), { argocdDeletion: 'non-cascading' });
    expect(nc.r.removed).toMatchObject([{ name: 'keep', detail: expect.stringMatching(/left in place/) }]);
    expect(await ctx.argocd!.client.getApplication('keep')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 3000));
    expect((await deployment('keep-podinfo', n))?.metadata?.uid).toBeDefined();
  });
});

describe('the Argo CD connection through the platform', () => {
  it('connects with admin credentials once, stores the token sealed, rotates and revokes it through the agent', async () => {
    const ap = await startAgentPlatform(kit, { namespace: ns('argo-platform') });
    try {
      const admin = new ArgoCdClient({ url: argo.url, token: argo.adminToken });
      const before = new Set(((await admin.account('mooring')).tokens ?? []).map((t) => t.id));
      const bad = await ap.api('PUT', `/clusters/${ap.clusterId}/argocd`, {
        url: 'ftp://x',
        username: 'admin',
      });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toMatch(/url/);
      const put = await ap.api<Record<string, unknown>>('PUT', `/clusters/${ap.clusterId}/argocd`, {
        url: argo.url,
        username: argo.admin.username,
        password: argo.admin.password,
        deletion: 'background',
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect(put.body).toMatchObject({
        url: argo.url,
        namespace: 'argocd',
        deletion: 'background',
        account: 'mooring',
      });
      const text = JSON.stringify(put.body);
      expect(text).not.toMatch(/token"\s*:/);
      expect(text).not.toContain(argo.admin.password);
      const id1 = put.body.token_id as string;
      expect(before.has(id1)).toBe(false);
      expect(((await admin.account('mooring')).tokens ?? []).map((t) => t.id)).toContain(id1);
      // the agent drives Argo CD with it now
      const engine = ap.session.agent!.engine;
      expect(engine.argocd?.deletion).toBe('background');
      await expect(engine.argocd!.client.listApplications()).resolves.toBeDefined();
      // stored sealed: the row holds no plaintext token
      const row = await ap.platform.database.db
        .withTables<{ cluster_argocd: { cluster_id: string; token_sealed: string } }>()
        .selectFrom('cluster_argocd')
        .select('token_sealed')
        .where('cluster_id', '=', ap.clusterId)
        .executeTakeFirstOrThrow();
      expect(row.token_sealed).toMatch(/^v1:/);
      // an agent that lost its connection (as after a restart) gets the stored one back at check-in
      engine.argocd = undefined;
      await ap.session.checkInNow();
      expect(engine.argocd, 'connected again at check-in').toBeDefined();
      expect(engine.argocd!.deletion).toBe('background');
      await expect(engine.argocd!.client.listApplications()).resolves.toBeDefined();
      expect(JSON.stringify(ap.session.lastAnswer())).not.toContain('"token"');

      const rot = await ap.api<Record<string, unknown>>('POST', `/clusters/${ap.clusterId}/argocd/rotate`);
      expect(rot.status, JSON.stringify(rot.body)).toBe(200);
      const id2 = rot.body.token_id as string;
      expect(id2).not.toBe(id1);
      const ids = ((await admin.account('mooring')).tokens ?? []).map((t) => t.id);
      expect(ids).toContain(id2);
      expect(ids).not.toContain(id1);
      await expect(engine.argocd!.client.listApplications()).resolves.toBeDefined();

      expect((await ap.api('DELETE', `/clusters/${ap.clusterId}/argocd`)).status).toBe(204);
      expect(((await admin.account('mooring')).tokens ?? []).map((t) => t.id)).not.toContain(id2);
      expect(engine.argocd).toBeUndefined();
      expect((await ap.api('GET', `/clusters/${ap.clusterId}/argocd`)).status).toBe(404);
    } finally {
      await ap.close();
    }
  });
});
