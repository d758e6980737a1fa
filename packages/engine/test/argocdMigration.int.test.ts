import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api } from '@kubernetes/client-node';
import {
  type CheckInSession,
  loadConfig as loadAgentConfig,
  silentLogger,
  startCheckInSession,
} from '@mooring/agent';
import { buildPlan, loadDefinition, MemoryFileSource } from '@mooring/core';
import {
  type ArgoCd,
  eventually,
  kitClients,
  type NatsOperatorServer,
  startArgoCd,
  startNatsOperator,
  testNamespace,
} from '@mooring/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
// the CLI as a user runs it
import { mooring } from '../../cli/test/support/platform.ts';
// platforms as child processes, from the platform's test support
import {
  apiClient,
  firstPassword,
  type PlatformProcess,
  startPlatformProcess,
} from '../../platform/test/support/platformProcess.ts';
import { applyPlan } from '../src/apply.ts';
import { ArgoCdClient } from '../src/argocd/client.ts';
import { migrationEligibility } from '../src/argocd/eligibility.ts';
import type { ArgoCdEngine } from '../src/argocd/engine.ts';
import { migrateAddonToNative, returnAddonToArgo } from '../src/argocd/migrate.ts';
import type { EngineContext } from '../src/context.ts';
import { withEngine } from '../src/engines.ts';
import { createLiveState, runSweep, sweepTargets } from '../src/sweep/index.ts';
import { clusterText, podinfo } from './argocdSupport.ts';
import { definition, engineFor } from './support.ts';

// Moving add-ons from a real Argo CD to the native engine and back. Argo CD runs
// in a namespace of its own so this file never meets the other Argo CD tests.
const run = promisify(execFile);
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

describe('multi-source add-ons', () => {
  it('migrates a multi-source Application (chart from the Helm repository, values from a Git path) to a native add-on with values_files: same objects, the same values', async () => {
    const n = ns('mig-multi');
    const cluster = `c-${n}`;
    const ctx = engineWith(cluster);
    // the values in a Git repository of the kit's Git server
    const base = 'replicaCount: 2\nui:\n  message: from git\n';
    const bare = join(kit.gitRoot!, `values-${n}.git`);
    const git = (args: string[], cwd?: string) =>
      run('git', args, {
        cwd,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@x',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@x',
        },
      });
    await git(['init', '--bare', '--initial-branch=main', '-q', bare]);
    await git(['-C', bare, 'config', 'http.receivepack', 'true']);
    const work = mkdtempSync(join(tmpdir(), 'mig-values-'));
    await git(['init', '-q', '--initial-branch=main', work]);
    mkdirSync(join(work, 'values'));
    writeFileSync(join(work, 'values', 'base.yaml'), base);
    await git(['-C', work, 'add', '.']);
    await git(['-C', work, 'commit', '-qm', 'values']);
    await git(['-C', work, 'push', '-q', `${kit.gitUrl}/values-${n}.git`, 'main']);
    rmSync(work, { recursive: true, force: true });

    // the Application as the original platform wrote it: two sources
    const admin = new ArgoCdClient({ url: argo.url, token: argo.adminToken });
    await admin.upsertApplication({
      metadata: {
        name: 'ms',
        namespace: argo.namespace,
        labels: {
          'mooring.dev/cluster': cluster,
          'mooring.dev/stack': 'apps',
          'mooring.dev/member': 'ms',
        },
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        project: 'default',
        sources: [
          {
            repoURL: repo,
            chart: 'podinfo',
            targetRevision: '6.14.1',
            helm: {
              releaseName: 'ms',
              valueFiles: ['$values/values/base.yaml'],
              values: 'ui:\n  color: "#123456"\n',
            },
          },
          { repoURL: `${kit.gitUrl}/values-${n}.git`, targetRevision: 'main', ref: 'values' },
        ],
        destination: { server: 'https://kubernetes.default.svc', namespace: n },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
      } as never,
    });
    await eventually(
      'the multi-source Application Synced/Healthy',
      async () => {
        const a = await admin.getApplication('ms');
        return a?.status?.sync?.status === 'Synced' && a.status.health?.status === 'Healthy';
      },
      120_000,
    );
    expect((await apps.readNamespacedDeployment({ name: 'ms-podinfo', namespace: n })).spec?.replicas).toBe(
      2,
    );
    const before = await snapshot(n, 'ms');

    // the same add-on in Mooring's definition: chart from the repository, values from a Git path
    const files = {
      [`clusters/${cluster}/cluster.yaml`]: `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${cluster}
spec:
  stacks:
    - name: apps
      addons:
        - name: ms
          chart_name: podinfo
          chart_version: "6.14.1"
          repository_url: ${repo}
          namespace: ${n}
          configuration:
            values_files: [../../values/base.yaml]
            values: |
              ui:
                color: "#123456"
          settings:
            engine: argocd
`,
      'values/base.yaml': base,
    };
    const loaded = loadDefinition(new MemoryFileSource(files), `clusters/${cluster}/cluster.yaml`);
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const t = sweepTargets(loaded.definition!, buildPlan(loaded.definition!))[0]!;
    const e = migrationEligibility({ ...t.addon, chart: t.addon.chart }, await admin.getApplication('ms'));
    expect(e.eligible, JSON.stringify(e)).toBe(true);
    expect(e.warnings.join('\n')).toMatch(/multi-source Application \(2 sources\)/);

    const r = await migrateAddonToNative(ctx, t.addon, t.hash, undefined);
    expect(r.replaced).toEqual([]);
    expect(r.podsAfter).toEqual(r.podsBefore);
    const after = await snapshot(n, 'ms');
    expect(after.uids).toEqual(before.uids);
    expect(after.spec).toBe(before.spec);
    expect(await admin.getApplication('ms')).toBeUndefined();
    expect(await ctx.helm.getValues('ms', n)).toEqual({
      replicaCount: 2,
      ui: { message: 'from git', color: '#123456' },
    });
  });
});

describe('migration through the platform', () => {
  let workDir: string;
  let nats: NatsOperatorServer | undefined;
  let dbName = '';
  let session: CheckInSession | undefined;
  const platforms: PlatformProcess[] = [];

  afterAll(async () => {
    await session?.stop().catch(() => undefined);
    for (const p of platforms) await p.kill('SIGKILL').catch(() => undefined);
    await nats?.stop().catch(() => undefined);
    if (dbName && kit.postgresUrl) {
      const c = new pg.Client({ connectionString: kit.postgresUrl });
      await c.connect();
      await c.query(`drop database if exists ${dbName} with (force)`);
      await c.end();
    }
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('resumes a migration after the platform is SIGKILLed, rolls one add-on back, and decommissions Argo CD, which keeps running', async () => {
    if (!kit.postgresUrl) throw new Error('the kit did not start PostgreSQL');
    workDir = mkdtempSync(join(tmpdir(), 'mooring-migrate-'));
    nats = await startNatsOperator(workDir);
    dbName = `mig_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: kit.postgresUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const dbUrl = new URL(kit.postgresUrl);
    dbUrl.pathname = `/${dbName}`;
    const db = new pg.Client({ connectionString: dbUrl.toString() });
    await db.connect();
    const env = {
      MOORING_DATABASE_URL: dbUrl.toString(),
      MOORING_DATA_DIR: join(workDir, 'platform'),
      MOORING_NATS_URL: nats.url,
      MOORING_NATS_ACCOUNT: nats.account.publicKey,
      MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED: nats.account.signingKeySeed,
      MOORING_NATS_SYSTEM_CREDS: nats.system.userCreds,
      MOORING_SWEEP_INTERVAL_SECONDS: '300',
    };
    try {
      const p1 = await startPlatformProcess(env);
      platforms.push(p1);
      const api = apiClient(p1.url);
      await api.login('admin', firstPassword(env.MOORING_DATA_DIR));
      const call = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
        api.call<T>(method, path, body);

      const n = ns('mig-platform');
      const name = `c-${n}`;
      const names = ['p1', 'p2', 'p3'];
      const text = clusterText(
        name,
        names.map((x) => podinfo(repo, x, n, 'argocd')),
      );
      const imported = await call<{ cluster: { id: string }; agent_token: string; operation_id: string }>(
        'POST',
        '/clusters',
        { definition: text, files: {} },
      );
      expect(imported.status, JSON.stringify(imported.body)).toBe(201);
      const clusterId = imported.body.cluster.id;
      session = await startCheckInSession({
        config: loadAgentConfig({
          MOORING_CLUSTER_ID: clusterId,
          MOORING_TOKEN: imported.body.agent_token,
          MOORING_PLATFORM_URL: p1.url,
          MOORING_KUBECONFIG: kit.kubeconfig,
          MOORING_HELM: kit.helm,
          MOORING_CHART_CACHE: mkdtempSync(join(workDir, 'charts-')),
          MOORING_HTTP_PORT: '0',
          MOORING_RECONCILE_INTERVAL_SECONDS: '300',
          MOORING_SHUTDOWN_TIMEOUT_SECONDS: '10',
          MOORING_ARGOCD_URL: argo.url,
          MOORING_ARGOCD_TOKEN: argo.adminToken,
          MOORING_ARGOCD_NAMESPACE: argo.namespace,
        }),
        logger: silentLogger(),
        helmEnv: kit.env,
        commandPollMs: 500,
      });
      const opState = async (id: string) =>
        (await db.query('select state, message from operations where id = $1', [id])).rows[0] as
          | { state: string; message: string }
          | undefined;
      await eventually(
        'the import deployed through Argo CD',
        async () => (await opState(imported.body.operation_id))?.state === 'success',
        180_000,
      );
      // the stored connection (admin credentials once; the agent makes the account's token)
      const put = await call('PUT', `/clusters/${clusterId}/argocd`, {
        url: argo.url,
        namespace: argo.namespace,
        username: argo.admin.username,
        password: argo.admin.password,
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      // an Application Mooring did not write: decommissioning must leave it alone
      const argoAdmin = new ArgoCdClient({ url: argo.url, token: argo.adminToken });
      const foreignNs = ns('mig-foreign');
      await argoAdmin.upsertApplication({
        metadata: { name: 'someone-elses', namespace: argo.namespace },
        spec: {
          project: 'default',
          source: { repoURL: repo, chart: 'podinfo', targetRevision: '6.14.1' },
          destination: { server: 'https://kubernetes.default.svc', namespace: foreignNs },
          syncPolicy: { automated: { prune: false, selfHeal: false }, syncOptions: ['CreateNamespace=true'] },
        },
      });

      const eng = await call<{
        default_engine: string;
        addons: { name: string; engine: string; source: string }[];
      }>('GET', `/clusters/${clusterId}/engines`);
      expect(eng.body.default_engine).toBe('native');
      expect(eng.body.addons.map((a) => [a.name, a.engine, a.source])).toEqual(
        names.map((x) => [x, 'argocd', 'file']),
      );
      const elig = await call<{
        eligible: boolean;
        addons: { addon: string; eligible: boolean; kinds: { kind: string; coverage: string }[] }[];
      }>('GET', `/clusters/${clusterId}/migration/eligibility`);
      expect(elig.status, JSON.stringify(elig.body)).toBe(200);
      expect(elig.body.eligible).toBe(true);
      expect(elig.body.addons.map((a) => a.addon)).toEqual(names);
      expect(elig.body.addons[0]!.kinds).toEqual(
        expect.arrayContaining([{ group: 'apps', kind: 'Deployment', count: 1, coverage: 'rule' }]),
      );
      const before = Object.fromEntries(
        await Promise.all(names.map(async (x) => [x, await snapshot(n, x)] as const)),
      );

      // one add-on at a time, so the platform dies with one moving and the others waiting
      const started = await call<{ id: string; state: string }>('POST', `/clusters/${clusterId}/migrations`, {
        concurrency: 1,
      });
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      const migrationId = started.body.id;
      await eventually(
        'one add-on moving',
        async () =>
          (
            await db.query(
              "select count(*)::int as n from engine_migration_items where migration_id = $1 and state = 'running'",
              [migrationId],
            )
          ).rows[0].n === 1,
        60_000,
      );
      await p1.kill('SIGKILL');
      const pending = (
        await db.query(
          "select count(*)::int as n from engine_migration_items where migration_id = $1 and state = 'pending'",
          [migrationId],
        )
      ).rows[0].n as number;
      expect(pending).toBeGreaterThan(0);

      const p2 = await startPlatformProcess({ ...env, MOORING_PORT: new URL(p1.url).port });
      platforms.push(p2);
      type Migration = {
        state: string;
        message: string;
        items: { addon: string; state: string; report: { replaced: string[] } | null }[];
      };
      const finished = async (id: string) => {
        let m: Migration | undefined;
        await eventually(
          `migration ${id} finished`,
          async () => {
            m = (await call<Migration>('GET', `/clusters/${clusterId}/migrations/${id}`)).body;
            return m.state !== 'running';
          },
          240_000,
        );
        return m!;
      };
      const done = await finished(migrationId);
      expect(done.state, JSON.stringify(done)).toBe('succeeded');
      for (const it of done.items) expect(it).toMatchObject({ state: 'succeeded', report: { replaced: [] } });
      for (const x of names) {
        expect((await snapshot(n, x)).uids).toEqual(before[x]!.uids);
        expect(await argoAdmin.getApplication(x)).toBeUndefined();
      }
      const after = await call<{
        addons: { name: string; engine: string; source: string }[];
        decommission_offered: boolean;
      }>('GET', `/clusters/${clusterId}/engines`);
      expect(after.body.addons.map((a) => [a.name, a.engine, a.source])).toEqual(
        names.map((x) => [x, 'native', 'migration']),
      );
      expect(after.body.decommission_offered).toBe(true);

      // the CLI shows the engines, then hands p2 back to Argo CD and follows it
      const cli = (argv: string[]) =>
        mooring(['cluster', ...argv], {
          cwd: workDir,
          env: { MOORING_URL: p2.url, MOORING_TOKEN: api.token() },
        });
      const shown = await cli(['engines', name]);
      expect(shown.code, shown.err).toBe(0);
      expect(shown.out).toMatch(/^default engine: native; Argo CD connected; no add-on on Argo CD/);
      expect(shown.out).toMatch(/p1\s+\S+\s+apps\s+native\s+migration/);
      const rb = await cli(['migrate', name, '--rollback', 'p2', '--watch']);
      expect(rb.code, rb.out + rb.err).toBe(0);
      expect(rb.out).toMatch(/p2: succeeded: p2: back on Argo CD/);
      expect(rb.out).toMatch(/^succeeded: 1 add-on moved to argocd$/m);
      expect((await argoAdmin.getApplication('p2'))?.status?.sync?.status).toBe('Synced');
      expect((await snapshot(n, 'p2')).uids).toEqual(before.p2!.uids);

      // the preview shows p2 eligible again; decommission migrates it first, then the credentials go
      const preview = await cli(['migrate', name, '--preview']);
      expect(preview.code, preview.out + preview.err).toBe(0);
      expect(preview.out).toMatch(/p2\s+\S+\s+yes\s+Synced\s+Healthy/);
      const dec = await cli(['decommission-argocd', name, '--watch']);
      expect(dec.code, dec.out + dec.err).toBe(0);
      expect(dec.out).toMatch(/still on Argo CD: migrating them first/);
      expect(dec.out).toMatch(
        /^succeeded: 1 add-on moved to native; Argo CD decommissioned: the token revoked/m,
      );
      expect(dec.out).toMatch(/accounts\.mooring/);
      expect((await call('GET', `/clusters/${clusterId}/argocd`)).status).toBe(404);
      const final = await call<{
        decommissioned_at: string | null;
        default_engine: string;
        addons: { engine: string }[];
      }>('GET', `/clusters/${clusterId}/engines`);
      expect(final.body.decommissioned_at).not.toBeNull();
      expect(final.body.addons.every((a) => a.engine === 'native')).toBe(true);
      // Argo CD keeps running with the Application Mooring did not write
      expect((await argoAdmin.getApplication('someone-elses'))?.metadata.name).toBe('someone-elses');
      expect((await argoAdmin.listApplications()).length).toBeGreaterThan(0);
      // one way: no default back to argocd, no rollback
      const back = await call('PUT', `/clusters/${clusterId}/engines/default`, { engine: 'argo_cd' });
      expect(back.status).toBe(409);
      expect(JSON.stringify(back.body)).toMatch(/decommissioned/);
      expect((await call('POST', `/clusters/${clusterId}/addons/p1/engine/rollback`)).status).toBe(409);
      for (const x of names) expect((await snapshot(n, x)).uids).toEqual(before[x]!.uids);
    } finally {
      await db.end().catch(() => undefined);
    }
  }, 600_000);
});
