import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveDirectory } from '@mooring/testkit';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CatalogueIndexer } from '../src/catalogue/indexer.ts';
import { CATALOGUE_LOCK_KEY } from '../src/catalogue/scheduler.ts';
import { PgAdvisoryLock, SCHEDULER_LOCK_KEY } from '../src/scheduler/leader.ts';
import { type CountingProxy, startCountingProxy } from './support/countingProxy.ts';
import { createHarness, type Harness } from './support/harness.ts';

// The catalogue against the kit's real chart repository (HTTP, with ETag and
// Last-Modified) and its real OCI registry (docker-registry), each behind a proxy
// that counts requests; the charts are rendered by the kit's helm.
const kit = inject('kit');

describe('chart catalogue', () => {
  let h: Harness;
  let helmProxy: CountingProxy;
  let ociProxy: CountingProxy;
  const work = mkdtempSync(join(tmpdir(), 'mooring-catalogue-'));

  beforeAll(async () => {
    if (!kit.chartRepoUrl || !kit.ociHost || !kit.charts)
      throw new Error('the kit did not start charts and registry');
    helmProxy = await startCountingProxy(kit.chartRepoUrl);
    ociProxy = await startCountingProxy(`http://${kit.ociHost}`);
    h = await createHarness(
      { target: { kind: 'pglite' } },
      { MOORING_DEFAULT_REGISTRIES: 'false', MOORING_HELM: kit.helm, MOORING_DATA_DIR: join(work, 'data') },
    );
  });

  afterAll(async () => {
    await h?.close();
    await helmProxy?.stop();
    await ociProxy?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const admin = () => h.tokens.admin;
  const addRegistry = async (body: Record<string, unknown>) => {
    const res = await h.request({ method: 'POST', url: '/api/v1/registries', token: admin(), payload: body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; kind: string; name: string };
  };
  const index = (id: string) => h.server.services.catalogue.indexer.run(id, 'manual');

  it('a Helm repository: indexed, then a second run sends conditional requests and downloads nothing', async () => {
    const reg = await addRegistry({ name: 'kit', url: helmProxy.url, interval_seconds: null });
    expect(reg.kind).toBe('helm');
    const first = await index(reg.id);
    expect(first?.state, first?.error ?? '').toBe('success');
    expect(first?.versions_indexed).toBe(kit.charts!.length);
    const gets = (re: RegExp) => helmProxy.requests.filter((r) => r.method === 'GET' && re.test(r.path));
    expect(gets(/^\/index\.yaml$/).map((r) => r.status)).toEqual([200]);
    expect(gets(/\.tgz$/)).toHaveLength(kit.charts!.length);

    helmProxy.reset();
    const second = await index(reg.id);
    expect(second?.state).toBe('unchanged');
    expect(second?.downloads).toBe(0);
    expect(helmProxy.requests).toHaveLength(1);
    expect(helmProxy.requests[0]).toMatchObject({ path: '/index.yaml', status: 304 });
    expect(helmProxy.requests[0]?.ifNoneMatch).toMatch(/^W\/"/);
    expect(helmProxy.requests[0]?.ifModifiedSince).toBeTruthy();
    console.log(
      `[catalogue] helm repo: first run ${kit.charts!.length + 1} requests, second run ${helmProxy.requests.length} (304)`,
    );
  });

  it('search, versions, a version’s values and README, and a render with given values', async () => {
    const found = await h.request({ method: 'GET', url: '/api/v1/charts?q=podinfo', token: h.tokens.viewer });
    expect(found.statusCode).toBe(200);
    const item = found.json().items.find((c: { registry: string }) => c.registry === 'kit');
    expect(item).toMatchObject({
      name: 'podinfo',
      latest_version: '6.14.1',
      app_version: '6.14.1',
      deprecated: false,
    });
    expect(item.description).toMatch(/Podinfo/);

    const slow = await h.request({
      method: 'GET',
      url: '/api/v1/charts/kit/slow-rollout/versions',
      token: h.tokens.viewer,
    });
    expect(slow.json().items.map((v: { version: string }) => v.version)).toEqual(['0.2.0', '0.1.0']);
    expect(slow.json().chart.latest_version).toBe('0.2.0');

    const v = await h.request({
      method: 'GET',
      url: '/api/v1/charts/kit/podinfo/versions/6.14.1',
      token: h.tokens.viewer,
    });
    expect(v.statusCode).toBe(200);
    expect(v.json()).toMatchObject({ state: 'indexed', has_values: true, has_readme: true });
    expect(v.json().values).toMatch(/^replicaCount: 1$/m);
    expect(v.json().readme).toMatch(/Podinfo/i);
    expect(v.json().digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const rendered = await h.request({
      method: 'POST',
      url: '/api/v1/charts/kit/podinfo/versions/6.14.1/template',
      token: h.tokens.viewer,
      payload: { values: 'replicaCount: 3\n', release_name: 'web', namespace: 'apps' },
    });
    expect(rendered.statusCode, rendered.body).toBe(200);
    expect(rendered.json().manifest).toMatch(/kind: Deployment/);
    expect(rendered.json().manifest).toMatch(/replicas: 3/);
    expect(rendered.json().manifest).toMatch(/namespace: apps/);

    const bad = await h.request({
      method: 'POST',
      url: '/api/v1/charts/kit/podinfo/versions/6.14.1/template',
      token: h.tokens.viewer,
      payload: { values: 'replicaCount: [3' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields[0].path).toBe('body.values');

    const missing = await h.request({
      method: 'GET',
      url: '/api/v1/charts/kit/nope/versions',
      token: h.tokens.viewer,
    });
    expect(missing.statusCode).toBe(404);
  });

  it('an OCI registry: repositories from the catalog, tags, manifests; a second run only compares digests', async () => {
    const reg = await addRegistry({
      name: 'kit-oci',
      url: `oci://${ociProxy.host}/charts`,
      excluded_charts: ['keep-*'],
    });
    expect(reg.kind).toBe('oci');
    const first = await index(reg.id);
    expect(first?.state, JSON.stringify(first)).toBe('success');
    const expected = kit.charts!.filter((c) => !c.name.startsWith('keep-'));
    expect(first?.versions_indexed).toBe(expected.length);
    const blobs = () => ociProxy.requests.filter((r) => r.method === 'GET' && r.path.includes('/blobs/'));
    expect(blobs()).toHaveLength(expected.length);
    expect(ociProxy.requests.some((r) => r.path.includes('/keep-pvc/'))).toBe(false);

    ociProxy.reset();
    const second = await index(reg.id);
    expect(second?.state).toBe('unchanged');
    expect(second?.downloads).toBe(0);
    const kinds = new Set(
      ociProxy.requests.map(
        (r) => `${r.method} ${r.path.replace(/\/v2\/.*\/(tags|manifests)\/.*/, '/v2/<repo>/$1')}`,
      ),
    );
    expect([...kinds].sort()).toEqual(
      ['GET /v2/<repo>/tags', 'GET /v2/_catalog?n=1000', 'HEAD /v2/<repo>/manifests'].sort(),
    );
    expect(blobs()).toHaveLength(0);
    console.log(
      `[catalogue] OCI registry: second run ${ociProxy.requests.length} requests, no manifest GET or blob`,
    );

    const v = await h.request({
      method: 'GET',
      url: '/api/v1/charts/kit-oci/podinfo/versions/6.14.1',
      token: h.tokens.viewer,
    });
    expect(v.json()).toMatchObject({ app_version: '6.14.1', state: 'indexed', has_values: true });
    const rendered = await h.request({
      method: 'POST',
      url: '/api/v1/charts/kit-oci/podinfo/versions/6.14.1/template',
      token: h.tokens.viewer,
      payload: { values: { replicaCount: 2 } },
    });
    expect(rendered.statusCode, rendered.body).toBe(200);
    expect(rendered.json().manifest).toMatch(/replicas: 2/);
  });

  it('an OCI registry whose named charts do not exist: the job fails and says which', async () => {
    const reg = await addRegistry({
      name: 'kit-oci-missing',
      url: `oci://${kit.ociHost}/charts`,
      charts: ['no-such-chart'],
    });
    const job = await index(reg.id);
    expect(job?.state).toBe('failed');
    expect(job?.error).toMatch(/no chart could be listed \(1\); no-such-chart: .*no such repository/);
    const view = await h.request({
      method: 'GET',
      url: `/api/v1/registries/${reg.id}`,
      token: h.tokens.viewer,
    });
    expect(view.json().last_error).toBe(job?.error);
  });

  it('a failing version is retried with backoff and never blocks the rest; schema and deprecation are read', async () => {
    // a copy of the kit's repository with one more chart (a schema, deprecated), one archive broken
    const dir = join(work, 'repo');
    mkdirSync(dir);
    for (const f of readdirSync(join(kit.workDir, 'chart-repo')))
      if (f.endsWith('.tgz')) cpSync(join(kit.workDir, 'chart-repo', f), join(dir, f));
    const src = join(work, 'schema-demo');
    mkdirSync(join(src, 'templates'), { recursive: true });
    writeFileSync(
      join(src, 'Chart.yaml'),
      'apiVersion: v2\nname: schema-demo\nversion: 1.0.0\nappVersion: "9.9"\ndeprecated: true\ndescription: has a schema\n',
    );
    writeFileSync(join(src, 'values.yaml'), '# the port\nport: 80\n');
    writeFileSync(
      join(src, 'values.schema.json'),
      '{"type":"object","properties":{"port":{"type":"integer"}}}',
    );
    writeFileSync(
      join(src, 'templates', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  port: "{{ .Values.port }}"\n',
    );
    const helm = (args: string[]) => execFileSync(kit.helm, args, { env: { ...process.env, ...kit.env } });
    helm(['package', src, '-d', dir]);
    const server = await serveDirectory(dir, {
      basicAuth: { username: 'reader', password: 'chart-secret-1' },
    });
    try {
      helm(['repo', 'index', dir, '--url', server.url]);
      const broken = join(dir, 'crd-demo-0.1.0.tgz');
      const good = readdirSync(dir).includes('crd-demo-0.1.0.tgz')
        ? execFileSync('cat', [broken])
        : undefined;
      expect(good).toBeDefined();
      writeFileSync(broken, 'broken');

      const noCred = await addRegistry({ name: 'private-nocred', url: server.url, interval_seconds: 10 });
      const refused = await index(noCred.id);
      expect(refused?.state).toBe('failed');
      expect(refused?.error).toMatch(/401/);

      const cred = await h.request({
        method: 'POST',
        url: '/api/v1/credentials',
        token: admin(),
        payload: { name: 'charts-reader', kind: 'basic', username: 'reader', password: 'chart-secret-1' },
      });
      expect(cred.statusCode).toBe(201);
      const reg = await addRegistry({
        name: 'private',
        url: server.url,
        credential_name: 'charts-reader',
        interval_seconds: 10,
      });
      const first = await index(reg.id);
      expect(first?.state).toBe('partial');
      expect(first?.versions_failed).toBe(1);
      expect(first?.versions_indexed).toBe(kit.charts!.length); // the others, plus schema-demo, minus the broken one
      expect(first?.versions.find((v) => v.result === 'failed')).toMatchObject({
        chart: 'crd-demo',
        version: '0.1.0',
      });
      expect(first?.versions.find((v) => v.result === 'failed')?.error).toMatch(/digest mismatch/);

      const demo = await h.request({
        method: 'GET',
        url: '/api/v1/charts/private/schema-demo/versions/1.0.0',
        token: h.tokens.viewer,
      });
      expect(demo.json()).toMatchObject({
        deprecated: true,
        app_version: '9.9',
        values: '# the port\nport: 80\n',
        values_schema: { type: 'object', properties: { port: { type: 'integer' } } },
        has_readme: false,
      });
      const failed = await h.request({
        method: 'GET',
        url: '/api/v1/charts/private/crd-demo/versions/0.1.0',
        token: h.tokens.viewer,
      });
      expect(failed.json()).toMatchObject({ state: 'failed', attempts: 1 });

      // within the backoff: nothing fetched, the index answers 304
      const waiting = await index(reg.id);
      expect(waiting?.state).toBe('unchanged');
      expect(waiting?.downloads).toBe(0);

      // the archive is fixed; after the backoff the retry fetches it though the index did not change
      writeFileSync(broken, good!);
      h.advance(31);
      const retried = await index(reg.id);
      expect(retried?.state).toBe('success');
      expect(retried?.versions).toEqual([{ chart: 'crd-demo', version: '0.1.0', result: 'indexed' }]);

      const jobs = await h.request({
        method: 'GET',
        url: `/api/v1/registries/${reg.id}/jobs`,
        token: h.tokens.viewer,
      });
      expect(jobs.json().items.map((j: { state: string }) => j.state)).toEqual([
        'success',
        'unchanged',
        'partial',
      ]);
      expect(h.logs()).not.toContain('chart-secret-1');
    } finally {
      await server.stop();
    }
  });

  it('a stop ends a running job without downloading more; the next job lists in full and fetches the rest', async () => {
    const reg = await addRegistry({ name: 'kit-stopped', url: helmProxy.url, interval_seconds: null });
    const other = new CatalogueIndexer({
      db: h.db,
      clock: () => h.now(),
      logger: pino({ level: 'silent' }),
      credentials: h.server.services.credentials,
    });
    const started = await other.begin(reg.id, 'manual');
    expect(started).toBeDefined();
    await other.stop();
    expect(await other.begin(reg.id, 'manual')).toBeUndefined();
    const stopped = await h.request({
      method: 'GET',
      url: `/api/v1/registries/${reg.id}/jobs`,
      token: h.tokens.viewer,
    });
    expect(stopped.json().items[0]).toMatchObject({ state: 'failed', downloads: 0 });
    expect(stopped.json().items[0].error).toMatch(/stopped before fetching \d+ versions/);
    helmProxy.reset();
    const next = await index(reg.id);
    expect(next?.state).toBe('success');
    expect(next?.versions_indexed).toBe(kit.charts!.length);
    expect(helmProxy.requests.find((r) => r.path === '/index.yaml')).toMatchObject({ status: 200 });
  });

  it('one indexer per platform: the catalogue’s advisory lock, apart from the sweep scheduler’s', async () => {
    const url = kit.postgresUrl;
    if (!url) throw new Error('the kit did not start PostgreSQL');
    const logger = pino({ level: 'silent' });
    const a = new PgAdvisoryLock(url, logger, CATALOGUE_LOCK_KEY);
    const b = new PgAdvisoryLock(url, logger, CATALOGUE_LOCK_KEY);
    const sweeps = new PgAdvisoryLock(url, logger, SCHEDULER_LOCK_KEY);
    try {
      expect(await a.tryAcquire()).toBe(true);
      expect(await b.tryAcquire()).toBe(false);
      expect(await sweeps.tryAcquire()).toBe(true);
      await a.release();
      expect(await b.tryAcquire()).toBe(true);
    } finally {
      await Promise.all([a.release(), b.release(), sweeps.release()]);
    }
  });
});
