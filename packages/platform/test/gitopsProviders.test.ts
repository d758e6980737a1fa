import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deliver,
  type FakeServer,
  MemoryRepo,
  pushDelivery,
  startFakeBitbucketCloud,
  startFakeBitbucketDc,
  startFakeGitHub,
} from '../../gitops/test/fakeApis.ts';
import type { ApplyDispatcher, ApplyOutcome, ApplyRequest } from '../src/gitops/dispatcher.ts';
import { createHarness, type Harness } from './support/harness.ts';

// A cluster's git_repository with provider github, bitbucket_cloud or bitbucket_data_center,
// through the platform: each is read through its provider's API (servers of the documented
// shapes on loopback: GitHub REST v3 contents + git trees under /api/v3 as GitHub Enterprise
// Server serves it, Bitbucket Cloud 2.0 src with OAuth, Bitbucket Data Center 1.0 raw/files
// under a context path), triggered by the provider's signed webhook sent over HTTP, and by the
// poll. What the agent would get is recorded.

const SECRET = 'provider-webhook-secret-0123456789';
const GH_TOKEN = 'ghp_providerTokenNeverShown0123456789';
const DC_TOKEN = 'dc-http-access-token-never-shown';
const BBC_CLIENT_SECRET = 'bbc-consumer-secret-never-shown';

class RecordingDispatcher implements ApplyDispatcher {
  requests: ApplyRequest[] = [];
  async apply(req: ApplyRequest): Promise<ApplyOutcome> {
    this.requests.push(req);
    return { ok: true, operationId: `op-${this.requests.length}`, message: 'applied' };
  }
}

const NS = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n';
const clusterFile = (name: string, gitRepository: string) => `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  git_repository:
${gitRepository}  helm_registries:
    - name: podinfo
      url: https://stefanprodan.github.io/podinfo
  stacks:
    - name: base
      manifests:
        - name: ns
          from_file: manifests/ns.yaml
      addons:
        - name: podinfo
          chart_name: podinfo
          chart_version: "6.7.1"
          registry_name: podinfo
          namespace: apps
          parents:
            - manifest: ns
          configuration:
            from_file: ../../common/values/podinfo.yaml
`;

interface Case {
  provider: 'github' | 'bitbucket_cloud' | 'bitbucket_data_center';
  route: string;
  fullName: string;
  clusters: string[];
  data: MemoryRepo;
  gitRepository: string;
  server: () => FakeServer;
  /** The provider's commit page. */
  commitUrl: (sha: string) => string;
  /** A request that reads file `path`'s content. */
  readsFile: (line: string, path: string) => boolean;
}

let work: string;
let h: Harness;
let hooks: string;
let gh: FakeServer;
let bbc: Awaited<ReturnType<typeof startFakeBitbucketCloud>>;
let dc: FakeServer;
const dispatcher = new RecordingDispatcher();
const ids: Record<string, string> = {};
const settle = () => h.server.services.gitops.runner.idle();

const cases: Case[] = [
  {
    provider: 'github',
    route: 'github',
    fullName: 'acme/fleet',
    clusters: ['gh-one', 'gh-two'],
    data: new MemoryRepo(),
    gitRepository: '',
    server: () => gh,
    commitUrl: (sha) => `${gh.url}/acme/fleet/commit/${sha}`,
    readsFile: (line, path) => line.startsWith(`GET /api/v3/repos/acme/fleet/contents/${path}?`),
  },
  {
    provider: 'bitbucket_cloud',
    route: 'bitbucket-cloud',
    fullName: 'acme/fleet-cloud',
    clusters: ['bbc-one'],
    data: new MemoryRepo(),
    gitRepository: '',
    server: () => bbc,
    commitUrl: (sha) => `https://bitbucket.org/acme/fleet-cloud/commits/${sha}`,
    readsFile: (line, path) =>
      new RegExp(`^GET /2\\.0/repositories/acme/fleet-cloud/src/[0-9a-f]{40}/${path}($|\\?)`).test(line),
  },
  {
    provider: 'bitbucket_data_center',
    route: 'bitbucket-dc',
    fullName: 'OPS/fleet-dc',
    clusters: ['dc-one'],
    data: new MemoryRepo(),
    gitRepository: '',
    server: () => dc,
    commitUrl: (sha) => `${dc.url}/bitbucket/projects/OPS/repos/fleet-dc/commits/${sha}`,
    readsFile: (line, path) =>
      line.startsWith(`GET /bitbucket/rest/api/1.0/projects/OPS/repos/fleet-dc/raw/${path}?`),
  },
];

/** Every file of a commit: the clusters' files, shared values, and files no cluster reads. */
function tree(c: Case, values: string): Record<string, string> {
  const files: Record<string, string> = {
    'common/values/podinfo.yaml': values,
    'docs/unrelated.md': '# not read by any cluster\n',
    'clusters/elsewhere/cluster.yaml': 'not: read\n',
  };
  for (const name of c.clusters) {
    files[`clusters/${name}/cluster.yaml`] = clusterFile(name, c.gitRepository);
    files[`clusters/${name}/manifests/ns.yaml`] = NS;
  }
  return files;
}

async function api(method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object) {
  const res = await h.request({ method, url, token, ...(payload ? { payload } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mooring-gitops-providers-'));
  const [github, cloud, center] = cases as [Case, Case, Case];
  gh = await startFakeGitHub({
    owner: 'acme',
    repo: 'fleet',
    data: github.data,
    token: GH_TOKEN,
    pathPrefix: '/api/v3',
  });
  bbc = await startFakeBitbucketCloud({
    workspace: 'acme',
    slug: 'fleet-cloud',
    data: cloud.data,
    clientId: 'bbc-consumer',
    clientSecret: BBC_CLIENT_SECRET,
  });
  dc = await startFakeBitbucketDc({
    projectKey: 'OPS',
    slug: 'fleet-dc',
    data: center.data,
    token: DC_TOKEN,
    contextPath: 'bitbucket',
  });
  github.gitRepository = `    provider: github\n    repository: acme/fleet\n    instance_url: ${gh.url}\n    credential_name: gh-token\n`;
  cloud.gitRepository =
    '    provider: bitbucket_cloud\n    workspace: acme\n    repo_slug: fleet-cloud\n    credential_name: bbc-oauth\n';
  center.gitRepository = `    provider: bitbucket_data_center\n    instance_url: ${dc.url}/bitbucket\n    project_key: OPS\n    repo_slug: fleet-dc\n    credential_name: dc-token\n`;
  h = await createHarness(
    { target: { kind: 'pglite' } },
    {},
    {
      gitops: {
        dispatcher,
        cacheDir: join(work, 'cache'),
        providers: {
          bitbucketCloudApiUrl: bbc.url,
          bitbucketCloudTokenUrl: `${bbc.url}/site/oauth2/access_token`,
        },
      },
    },
  );
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = h.app.server.address();
  hooks = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/api/v1/webhooks`;
  for (const credential of [
    { name: 'gh-token', kind: 'token', token: GH_TOKEN },
    {
      name: 'bbc-oauth',
      kind: 'bitbucket_oauth',
      client_id: 'bbc-consumer',
      client_secret: BBC_CLIENT_SECRET,
    },
    { name: 'dc-token', kind: 'token', token: DC_TOKEN },
  ])
    await api('POST', '/api/v1/credentials', h.tokens.admin, credential);
  for (const c of cases) {
    for (const name of c.clusters) {
      const files = tree(c, 'replicaCount: 1\n');
      const res = await api('POST', '/api/v1/clusters', h.tokens.admin, {
        definition: files[`clusters/${name}/cluster.yaml`],
        path: `clusters/${name}/cluster.yaml`,
        files: {
          [`clusters/${name}/manifests/ns.yaml`]: NS,
          'common/values/podinfo.yaml': 'replicaCount: 1\n',
        },
      });
      ids[name] = res.cluster.id;
    }
  }
}, 60_000);

afterAll(async () => {
  await h?.close();
  await Promise.all([gh?.close(), bbc?.close(), dc?.close()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(cases)('$provider through its API', (c) => {
  let repositoryId: string;
  let first: string;

  it('connects: one repository, its webhook secret sealed', async () => {
    const repos = (await api('GET', '/api/v1/repositories', h.tokens.viewer)).items as {
      id: string;
      full_name: string;
      provider: string;
      clusters: number;
    }[];
    const repo = repos.find((r) => r.full_name === c.fullName);
    expect(repo).toMatchObject({ provider: c.provider, clusters: c.clusters.length });
    repositoryId = repo!.id;
    await api('PUT', `/api/v1/repositories/${repositoryId}/webhook-secret`, h.tokens.admin, {
      secret: SECRET,
    });
  });

  it('a push → the provider’s signed webhook over HTTP → synced from the API, only the files the definition reads', async () => {
    first = c.data.commit('main', tree(c, 'replicaCount: 1\n'));
    const server = c.server();
    server.requests.length = 0;
    const before = dispatcher.requests.length;
    const delivery = pushDelivery(
      c.provider,
      {
        repository: c.fullName,
        branch: 'main',
        before: '0'.repeat(40),
        after: first,
        sender: 'alice',
        deliveryId: randomUUID(),
      },
      SECRET,
    );
    const res = await deliver(`${hooks}/${c.route}`, delivery);
    expect(res.status, res.body).toBe(202);
    expect(JSON.parse(res.body)).toEqual({ status: 'accepted', syncs: c.clusters.length });
    await settle();
    for (const name of c.clusters) {
      const s = await api('GET', `/api/v1/clusters/${ids[name]}/gitops`, h.tokens.viewer);
      expect(s, name).toMatchObject({
        status: 'Synced',
        phase: 'Completed',
        commits: { synced: first, pending: null },
      });
      expect(s.observed).toMatchObject({ provider: c.provider, commit: first });
      const top = (await api('GET', `/api/v1/clusters/${ids[name]}/syncs`, h.tokens.viewer)).items[0];
      expect(top).toMatchObject({
        status: 'success',
        source: 'webhook',
        commit_sha: first,
        commit_url: c.commitUrl(first),
        triggered_by: `${c.provider} (alice)`,
        changed_members: ['manifest/ns', 'addon/podinfo'],
      });
      const sent = dispatcher.requests.slice(before).find((r) => r.clusterId === ids[name])!;
      expect(Object.keys(sent.files).sort()).toEqual([
        `clusters/${name}/cluster.yaml`,
        `clusters/${name}/manifests/ns.yaml`,
        'common/values/podinfo.yaml',
      ]);
      expect(sent.files['common/values/podinfo.yaml']).toBe('replicaCount: 1\n');
    }
    const lines = server.requests.map((r) => r.line);
    // files no cluster reads are never fetched; a file both clusters read is fetched once
    expect(lines.filter((l) => c.readsFile(l, 'docs/unrelated.md'))).toEqual([]);
    expect(lines.filter((l) => c.readsFile(l, 'clusters/elsewhere/cluster.yaml'))).toEqual([]);
    expect(lines.filter((l) => c.readsFile(l, 'common/values/podinfo.yaml'))).toHaveLength(1);
    // the clusters of one push share one read of the branch head
    expect(
      lines.filter((l) => /\/commits\/main$|\/refs\/branches\/main(\?|$)|\/commits\?until=main&/.test(l)),
    ).toHaveLength(1);
  });

  it('a replayed delivery is ignored; unsigned and badly signed ones are 401', async () => {
    const before = dispatcher.requests.length;
    const o = {
      repository: c.fullName,
      branch: 'main',
      before: '0'.repeat(40),
      after: first,
      sender: 'mallory',
      deliveryId: randomUUID(),
    };
    const once = await deliver(`${hooks}/${c.route}`, pushDelivery(c.provider, o, SECRET));
    expect(once.status).toBe(202);
    const again = await deliver(`${hooks}/${c.route}`, pushDelivery(c.provider, o, SECRET));
    expect(again.status).toBe(202);
    expect(JSON.parse(again.body)).toEqual({ status: 'duplicate', syncs: 0 });
    const fresh = { ...o, deliveryId: randomUUID() };
    expect((await deliver(`${hooks}/${c.route}`, pushDelivery(c.provider, fresh, undefined))).status).toBe(
      401,
    );
    expect(
      (await deliver(`${hooks}/${c.route}`, pushDelivery(c.provider, fresh, 'not-the-secret-0123456789')))
        .status,
    ).toBe(401);
    const signed = pushDelivery(c.provider, fresh, SECRET);
    const altered = {
      ...signed,
      body: signed.body.replace('"main"', '"evil"').replace('refs/heads/main', 'refs/heads/evil'),
    };
    expect(altered.body).not.toBe(signed.body);
    expect((await deliver(`${hooks}/${c.route}`, altered)).status).toBe(401);
    await settle();
    expect(dispatcher.requests.length).toBe(before);
    expect(h.logs()).toContain('webhook refused');
  });

  it('a push without a webhook: the poll reads the head through the API; only the changed add-on is sent', async () => {
    const next = c.data.commit('main', tree(c, 'replicaCount: 2\n'));
    const before = dispatcher.requests.length;
    await h.server.services.gitops.pollOnce();
    await settle();
    const sent = dispatcher.requests
      .slice(before)
      .filter((r) => c.clusters.some((n) => ids[n] === r.clusterId));
    expect(sent.map((r) => r.changed)).toEqual(c.clusters.map(() => ['addon/podinfo']));
    expect(sent.every((r) => r.commit === next)).toBe(true);
    for (const name of c.clusters) {
      const top = (await api('GET', `/api/v1/clusters/${ids[name]}/syncs`, h.tokens.viewer)).items[0];
      expect(top).toMatchObject({ source: 'poll', commit_sha: next, status: 'success' });
    }
  });
});

describe('provider credentials', () => {
  it('were sent to the provider and never logged or returned', async () => {
    expect(gh.requests.some((r) => r.auth === `Bearer ${GH_TOKEN}`)).toBe(true);
    expect(dc.requests.some((r) => r.auth === `Bearer ${DC_TOKEN}`)).toBe(true);
    expect(bbc.issued.length).toBeGreaterThan(0);
    // one OAuth reader per repository and credential: its access token is reused across syncs
    expect(bbc.issued).toHaveLength(1);
    const listed = await h.request({ method: 'GET', url: '/api/v1/credentials', token: h.tokens.admin });
    for (const secret of [GH_TOKEN, DC_TOKEN, BBC_CLIENT_SECRET]) {
      expect(listed.body).not.toContain(secret);
      expect(h.logs()).not.toContain(secret);
    }
  });

  it('a wrong token fails the sync at Fetching with the provider’s answer, without the token', async () => {
    const data = new MemoryRepo();
    const other = await startFakeGitHub({
      owner: 'acme',
      repo: 'locked',
      data,
      token: GH_TOKEN,
      pathPrefix: '/api/v3',
    });
    try {
      const wrong = 'ghp_wrongWrongWrongWrong000000000';
      await api('POST', '/api/v1/credentials', h.tokens.admin, {
        name: 'gh-wrong',
        kind: 'token',
        token: wrong,
      });
      const git = `    provider: github\n    repository: acme/locked\n    instance_url: ${other.url}\n    credential_name: gh-wrong\n`;
      const text = clusterFile('locked', git);
      data.commit('main', { 'clusters/locked/cluster.yaml': text });
      const res = await api('POST', '/api/v1/clusters', h.tokens.admin, {
        definition: text,
        path: 'clusters/locked/cluster.yaml',
        files: { 'clusters/locked/manifests/ns.yaml': NS, 'common/values/podinfo.yaml': 'replicaCount: 1\n' },
      });
      await api('POST', `/api/v1/clusters/${res.cluster.id}/sync`, h.tokens.operator);
      await settle();
      const top = (await api('GET', `/api/v1/clusters/${res.cluster.id}/syncs`, h.tokens.viewer)).items[0];
      expect(top).toMatchObject({ status: 'failed', phase: 'Fetching' });
      expect(top.errors[0].message).toMatch(/401|credentials/i);
      expect(JSON.stringify(top)).not.toContain(wrong);
      expect(h.logs()).not.toContain(wrong);
    } finally {
      await other.close();
    }
  });
});
