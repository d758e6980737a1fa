import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { CoreApi, KubeConfig as LeanKubeConfig, ReleaseStore } from '@mooring/kube';
import { createNamespace, kitClients, testNamespace } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ChartCache, ChartNotFoundError, Helm, HelmError } from '../src/index.ts';

const kit = inject('kit');
const { core, apps } = kitClients(kit);
const ns = testNamespace('helm-adapter');
let cleanup: () => Promise<void>;
const helm = new Helm({ binary: kit.helm, kubeconfig: kit.kubeconfig, env: kit.env });
const cache = new ChartCache({ dir: mkdtempSync(join(tmpdir(), 'charts-')) });

beforeAll(async () => {
  cleanup = await createNamespace(core, ns);
});
afterAll(async () => cleanup?.());

describe('ChartCache', () => {
  it('resolves a chart from the HTTP repository once and serves it from cache after', async () => {
    const a = await cache.resolve({ chart: 'podinfo', version: '6.14.1', repoUrl: kit.chartRepoUrl! });
    const b = await cache.resolve({ chart: 'podinfo', version: '6.14.1', repoUrl: kit.chartRepoUrl! });
    expect(a.path).toBe(b.path);
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(cache.downloads).toBe(1);
    expect(cache.index.fetches).toBe(1);
  });

  it('pulls a chart from the OCI registry through the distribution API', async () => {
    const r = await cache.resolve({
      chart: 'podinfo',
      version: '6.14.1',
      repoUrl: `oci://${kit.ociHost}/charts`,
    });
    expect(r.source).toBe(`oci://${kit.ociHost}/charts/podinfo`);
    expect(r.digest).toMatch(/^sha256:/);
  });

  it('maps a public URL to the local one through a mirror', async () => {
    const mirrored = new ChartCache({
      dir: mkdtempSync(join(tmpdir(), 'charts-')),
      mirrors: [{ from: 'https://stefanprodan.github.io/podinfo', to: kit.chartRepoUrl! }],
    });
    const r = await mirrored.resolve({
      chart: 'podinfo',
      version: '6.14.1',
      repoUrl: 'https://stefanprodan.github.io/podinfo',
    });
    expect(r.source.startsWith(kit.chartRepoUrl!)).toBe(true);
  });

  it('names the missing version and the ones that exist', async () => {
    await expect(
      cache.resolve({ chart: 'slow-rollout', version: '9.9.9', repoUrl: kit.chartRepoUrl! }),
    ).rejects.toThrow(ChartNotFoundError);
    await expect(
      cache.resolve({ chart: 'slow-rollout', version: '9.9.9', repoUrl: kit.chartRepoUrl! }),
    ).rejects.toThrow(/0\.2\.0, 0\.1\.0|0\.1\.0, 0\.2\.0/);
  });
});

describe('Helm', () => {
  it('installs with values on stdin, upgrades, reads history/status/manifest/values, and storage decodes natively', async () => {
    const chart = await cache.resolve({ chart: 'podinfo', version: '6.14.1', repoUrl: kit.chartRepoUrl! });
    const r1 = await helm.upgradeInstall({
      release: 'info',
      namespace: ns,
      chartPath: chart.path,
      values: 'replicaCount: 1\nui:\n  message: first\n',
      rollbackOnFailure: true,
      historyMax: 3,
      timeoutMs: 120_000,
    });
    expect(r1).toMatchObject({
      name: 'info',
      namespace: ns,
      revision: 1,
      status: 'deployed',
      chart: 'podinfo-6.14.1',
    });
    expect(r1.manifest).toContain('kind: Deployment');
    await helm.upgradeInstall({
      release: 'info',
      namespace: ns,
      chartPath: chart.path,
      values: 'replicaCount: 2\nui:\n  message: second\n',
      rollbackOnFailure: true,
      historyMax: 3,
      timeoutMs: 120_000,
    });
    expect(
      (await apps.readNamespacedDeployment({ name: 'info-podinfo', namespace: ns })).spec?.replicas,
    ).toBe(2);
    expect((await helm.history('info', ns)).map((h) => h.status)).toEqual(['superseded', 'deployed']);
    expect(await helm.getValues('info', ns)).toEqual({ replicaCount: 2, ui: { message: 'second' } });
    expect(await helm.getManifest('info', ns)).toContain('name: info-podinfo');
    const stored = await new ReleaseStore(new CoreApi(LeanKubeConfig.from(kitClients(kit).kc))).latest(
      'info',
      ns,
    );
    expect(stored).toMatchObject({
      name: 'info',
      version: 2,
      status: 'deployed',
      config: { replicaCount: 2, ui: { message: 'second' } },
      chart: { name: 'podinfo', version: '6.14.1' },
    });
    expect(stored?.manifest.trim()).toBe((await helm.getManifest('info', ns)).trim());
    await helm.rollback('info', ns, 1, { wait: true, timeoutMs: 120_000 });
    expect((await helm.status('info', ns)).revision).toBe(3);
    expect(
      (await apps.readNamespacedDeployment({ name: 'info-podinfo', namespace: ns })).spec?.replicas,
    ).toBe(1);
  });

  it('rolls back a failing upgrade (failing pre-upgrade hook) and leaves the previous revision deployed', async () => {
    const chart = await cache.resolve({
      chart: 'failing-hook',
      version: '0.1.0',
      repoUrl: kit.chartRepoUrl!,
    });
    await helm.upgradeInstall({
      release: 'hooked',
      namespace: ns,
      chartPath: chart.path,
      values: 'message: one\n',
      rollbackOnFailure: true,
      timeoutMs: 60_000,
    });
    const err = await helm
      .upgradeInstall({
        release: 'hooked',
        namespace: ns,
        chartPath: chart.path,
        values: 'message: two\nhook:\n  fail: true\n  deadlineSeconds: 2\n',
        rollbackOnFailure: true,
        timeoutMs: 60_000,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmError);
    const history = await helm.history('hooked', ns);
    expect(history[history.length - 1]?.status).toBe('deployed');
    expect(history.map((h) => h.status)).toContain('failed');
    const cm = await core.readNamespacedConfigMap({ name: 'hooked-message', namespace: ns });
    expect(cm.data?.message).toBe('one');
  });

  it('adopts pre-existing objects with --take-ownership, keeping their UIDs', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kit.kubeconfig!);
    const c = kc.makeApiClient(CoreV1Api);
    const before = await c.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'adopt-message' }, data: { message: 'hello' } },
    });
    const chart = await cache.resolve({
      chart: 'failing-hook',
      version: '0.1.0',
      repoUrl: kit.chartRepoUrl!,
    });
    const plain = await helm
      .upgradeInstall({ release: 'adopt', namespace: ns, chartPath: chart.path, values: 'message: hello\n' })
      .catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(HelmError);
    await helm.uninstall('adopt', ns).catch(() => undefined);
    await helm.upgradeInstall({
      release: 'adopt',
      namespace: ns,
      chartPath: chart.path,
      values: 'message: hello\n',
      takeOwnership: true,
    });
    const after = await c.readNamespacedConfigMap({ name: 'adopt-message', namespace: ns });
    expect(after.metadata?.uid).toBe(before.metadata?.uid);
    expect(after.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
    expect(after.metadata?.annotations?.['meta.helm.sh/release-name']).toBe('adopt');
  });

  it('installs a chart with a CRD and its custom resource', async () => {
    const chart = await cache.resolve({ chart: 'crd-demo', version: '0.1.0', repoUrl: kit.chartRepoUrl! });
    const r = await helm.upgradeInstall({
      release: 'widgets',
      namespace: ns,
      chartPath: chart.path,
      values: 'widget:\n  color: red\n',
    });
    expect(r.status).toBe('deployed');
    expect(r.manifest).toContain('kind: Widget');
  });

  it('reports a missing release as ReleaseNotFoundError', async () => {
    await expect(helm.status('nope', ns)).rejects.toMatchObject({
      name: 'ReleaseNotFoundError',
      release: 'nope',
    });
  });
});
