import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testNamespace } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  CoreApi,
  KubeApiError,
  KubeConfig,
  type KubeObject,
  kubeRequest,
  kubeStream,
  loadKubeConfig,
  ObjectApi,
  Watch,
} from '../src/index.ts';

const kit = inject('kit');
const kc = loadKubeConfig({ kubeconfig: kit.kubeconfig! });
const api = new ObjectApi(kc);
const core = new CoreApi(kc);
const ns = testNamespace('lean-kube');

const cm = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns, labels: { set: 'lean' } },
  data,
});

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: ns } } });
});
afterAll(async () => {
  await api.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }).catch(() => undefined);
});

describe('the lean client against the API server', () => {
  it('reads /version and discovers kinds', async () => {
    expect((await core.getCode()).gitVersion).toMatch(/^v1\./);
    expect(await api.resource('apps/v1', 'Deployment')).toMatchObject({
      name: 'deployments',
      namespaced: true,
    });
    expect(await api.resource('v1', 'Namespace')).toMatchObject({ name: 'namespaces', namespaced: false });
    expect(await api.resource('nope.example.com/v1', 'Thing')).toBeUndefined();
  });

  it('applies (server-side, field manager, force), patches in each strategy, lists in pages and deletes', async () => {
    const a = await api.patch<KubeObject>(cm('a', { k: '1' }), { fieldManager: 'lean-test', force: true });
    expect(a.data).toEqual({ k: '1' });
    const managers = (a.metadata.managedFields as { manager: string; operation: string }[]).map((m) => [
      m.manager,
      m.operation,
    ]);
    expect(managers).toEqual([['lean-test', 'Apply']]);
    // another manager takes the field only with force
    const conflict = await api.patch(cm('a', { k: '2' }), { fieldManager: 'other' }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(KubeApiError);
    expect((conflict as KubeApiError).code).toBe(409);
    expect((conflict as KubeApiError).reason).toBe('Conflict');
    await api.patch(cm('a', { k: '2' }), { fieldManager: 'other', force: true });
    // a dry run changes nothing
    await api.patch(cm('a', { k: '3' }), { fieldManager: 'other', force: true, dryRun: true });
    expect((await core.readNamespacedConfigMap({ name: 'a', namespace: ns })).data).toEqual({ k: '2' });

    const ref = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: ns } };
    await api.patch(ref, { strategy: 'merge', patch: { data: { m: 'merge' } } });
    await api.patch(ref, { strategy: 'strategic', patch: { data: { s: 'strategic' } } });
    await api.patch(ref, { strategy: 'json', patch: [{ op: 'remove', path: '/data/k' }] });
    expect((await api.read<KubeObject>(ref)).data).toEqual({ m: 'merge', s: 'strategic' });

    await api.create(cm('b', { k: 'b' }));
    const dup = await api.create(cm('b', { k: 'b' })).catch((e: unknown) => e);
    expect((dup as KubeApiError).code).toBe(409);
    const b = await api.read<KubeObject>({ ...ref, metadata: { name: 'b', namespace: ns } });
    // plain JSON: timestamps stay strings
    expect(typeof b.metadata.creationTimestamp).toBe('string');
    await api.replace({ ...b, data: { k: 'replaced' } });
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'c', labels: { set: 'lean' } } },
    });

    const names: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await api.list<KubeObject>('v1', 'ConfigMap', {
        namespace: ns,
        labelSelector: 'set=lean',
        limit: 1,
        continue: cont,
      });
      names.push(...page.items.map((i) => i.metadata.name));
      cont = page.metadata?.continue || undefined;
      pages++;
    } while (cont);
    expect(names.sort()).toEqual(['a', 'b', 'c']);
    // a page may hold fewer items than the limit (the selector filters after it): at least three pages
    expect(pages).toBeGreaterThanOrEqual(3);

    await api.delete({ ...ref, metadata: { name: 'b', namespace: ns } }, { propagationPolicy: 'Background' });
    const gone = await api.read({ ...ref, metadata: { name: 'b', namespace: ns } }).catch((e: unknown) => e);
    expect((gone as KubeApiError).code).toBe(404);
    expect((gone as KubeApiError).reason).toBe('NotFound');
  });

  it('watches from a resourceVersion with bookmarks until aborted or closed by the server', async () => {
    const list = await api.list<KubeObject>('v1', 'ConfigMap', { namespace: ns });
    const rv = list.metadata!.resourceVersion!;
    const events: string[] = [];
    let ended: unknown = 'open';
    const w = new Watch(kc);
    const stop = await w.watch<KubeObject>(
      `/api/v1/namespaces/${ns}/configmaps`,
      { resourceVersion: rv, allowWatchBookmarks: true },
      (type, o) => {
        if (type !== 'BOOKMARK') events.push(`${type} ${o.metadata.name}`);
      },
      (err) => {
        ended = err;
      },
    );
    await api.patch(cm('w', { k: '1' }), { fieldManager: 'lean-test', force: true });
    await api.patch(cm('w', { k: '2' }), { fieldManager: 'lean-test', force: true });
    await api.delete(cm('w', {}));
    for (let i = 0; i < 100 && events.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual(['ADDED w', 'MODIFIED w', 'DELETED w']);
    expect(ended).toBe('open');
    stop.abort();
    for (let i = 0; i < 40 && ended === 'open'; i++) await new Promise((r) => setTimeout(r, 25));
    expect(ended).not.toBe('open');

    // the server ends a watch after timeoutSeconds: done is called without an error
    const t0 = Date.now();
    const closed = await new Promise<unknown>((resolve) => {
      void new Watch(kc).watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        { resourceVersion: rv, timeoutSeconds: 1 },
        () => undefined,
        resolve,
      );
    });
    expect(closed).toBeNull();
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('authenticates with an exec credential plugin (client.authentication.k8s.io/v1)', async () => {
    const user = kc.getCurrentUser()!;
    const d = mkdtempSync(join(tmpdir(), 'lean-exec-'));
    const plugin = join(d, 'plugin.mjs');
    const credential = {
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: {
        clientCertificateData: Buffer.from(user.certData!, 'base64').toString(),
        clientKeyData: Buffer.from(user.keyData!, 'base64').toString(),
        expirationTimestamp: new Date(Date.now() + 3_600_000).toISOString(),
      },
    };
    writeFileSync(
      plugin,
      `#!/usr/bin/env node\nprocess.stdout.write(${JSON.stringify(JSON.stringify(credential))});\n`,
    );
    chmodSync(plugin, 0o755);
    const viaExec = KubeConfig.from({
      clusters: kc.clusters,
      users: [{ name: 'exec', exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin } }],
      contexts: [{ name: 'exec', cluster: kc.getCurrentCluster()!.name, user: 'exec' }],
      currentContext: 'exec',
    });
    const nsObj = await new CoreApi(viaExec).readNamespace({ name: ns });
    expect(nsObj.metadata?.name).toBe(ns);
    // without credentials the same server refuses
    const anonymous = KubeConfig.from({ ...viaExec, users: [{ name: 'exec' }] });
    const refused = await kubeRequest(anonymous, { path: `/api/v1/namespaces/${ns}` }).catch(
      (e: unknown) => e,
    );
    expect([401, 403]).toContain((refused as KubeApiError).code);
  });

  it('speaks HTTP/2 when asked (KUBERNETES_HTTP2_ENABLED): requests, applies and watches over one connection', async () => {
    const h1 = await kubeStream(kc, { path: '/version' });
    h1.resume();
    expect(h1.httpVersion).toBe('1.1');
    const h2kc = loadKubeConfig({ kubeconfig: kit.kubeconfig!, http2: true });
    const v = await kubeStream(h2kc, { path: '/version' });
    expect([v.httpVersion, v.statusCode]).toEqual(['2.0', 200]);
    v.resume();
    const h2 = new ObjectApi(h2kc);
    const seen: string[] = [];
    const list = await h2.list<KubeObject>('v1', 'ConfigMap', { namespace: ns });
    const stop = await new Watch(h2kc).watch<KubeObject>(
      `/api/v1/namespaces/${ns}/configmaps`,
      { resourceVersion: list.metadata!.resourceVersion! },
      (type, o) => seen.push(`${type} ${o.metadata.name}`),
      () => undefined,
    );
    await h2.patch(cm('h2', { k: '1' }), { fieldManager: 'lean-test', force: true });
    const missing = await h2.read({ ...cm('nope', {}) }).catch((e: unknown) => e);
    expect((missing as KubeApiError).code).toBe(404);
    for (let i = 0; i < 100 && seen.length < 1; i++) await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    expect(seen).toEqual(['ADDED h2']);
  });
});
