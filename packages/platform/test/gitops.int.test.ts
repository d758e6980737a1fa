import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signBody } from '@mooring/gitops';
import { type GitServer, startGitServer } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkClone } from '../../gitops/test/gitFixtures.ts';
import type { ApplyDispatcher, ApplyOutcome, ApplyRequest } from '../src/gitops/dispatcher.ts';
import { createHarness, type Harness } from './support/harness.ts';

// GitOps end to end against a real Git server (git http-backend): webhooks signed as GitHub
// signs them, polling, Sync Now, invalid commits, coalescing, retries, credentials at rest.
// The apply hand-off is a recording dispatcher: the test asserts what would go to the agent.

const SECRET = 'webhook-secret-for-tests-0123456789';
const TOKEN = 'private-repo-token-s3cr3t-value';

/** Records every apply; `hold` holds applies until released, `failures[cluster]` fails that cluster's next N. */
class RecordingDispatcher implements ApplyDispatcher {
  requests: ApplyRequest[] = [];
  failures: Record<string, number> = {};
  #gate: Promise<void> | undefined;
  #release: (() => void) | undefined;
  hold(): void {
    this.#gate = new Promise((r) => {
      this.#release = r;
    });
  }
  release(): void {
    this.#release?.();
    this.#gate = undefined;
  }
  async apply(req: ApplyRequest): Promise<ApplyOutcome> {
    this.requests.push(req);
    await this.#gate;
    if ((this.failures[req.clusterId] ?? 0) > 0) {
      this.failures[req.clusterId]!--;
      return { ok: false, operationId: `op-${this.requests.length}`, message: 'agent unreachable' };
    }
    return { ok: true, operationId: `op-${this.requests.length}`, message: 'applied' };
  }
}

const clusterFile = (name: string, url: string, extra = '') => `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  git_repository:
    provider: git
    repository: ${url}
    branch: main
${extra}  helm_registries:
    - name: podinfo
      url: https://stefanprodan.github.io/podinfo
  stacks:
    - name: base
      deploy_wave: 1
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
const NS = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n';

let work: string;
let git: GitServer;
let secured: GitServer;
let url: string;
let privateUrl: string;
let clone: WorkClone;
let h: Harness;
const dispatcher = new RecordingDispatcher();
const ids: Record<string, string> = {};

const gitops = () => h.server.services.gitops;
const settle = () => gitops().runner.idle();

function githubPush(commit: string, opts: { secret?: string; delivery?: string; sender?: string } = {}) {
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after: commit,
    repository: { full_name: 'acme/fleet' },
    sender: { login: opts.sender ?? 'alice' },
    marker: 'BODY-MARKER-never-logged',
  });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': opts.delivery ?? randomUUID(),
  };
  if (opts.secret !== '') headers['x-hub-signature-256'] = signBody(opts.secret ?? SECRET, body);
  return h.request({ method: 'POST', url: '/api/v1/webhooks/github', headers, payload: body });
}

const status = async (name: string) =>
  (
    await h.request({ method: 'GET', url: `/api/v1/clusters/${ids[name]}/gitops`, token: h.tokens.viewer })
  ).json();
const history = async (name: string, query = '') =>
  (
    await h.request({
      method: 'GET',
      url: `/api/v1/clusters/${ids[name]}/syncs${query}`,
      token: h.tokens.viewer,
    })
  ).json();

async function importCluster(name: string, text: string): Promise<void> {
  const res = await h.request({
    method: 'POST',
    url: '/api/v1/clusters',
    token: h.tokens.admin,
    payload: {
      definition: text,
      path: `clusters/${name}/cluster.yaml`,
      files: {
        [`clusters/${name}/manifests/ns.yaml`]: NS,
        'common/values/podinfo.yaml': 'replicaCount: 1\n',
      },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  ids[name] = res.json().cluster.id;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mooring-platform-gitops-'));
  git = await startGitServer(join(work, 'open'));
  secured = await startGitServer(join(work, 'secured'), { token: TOKEN });
  url = git.createRepo('acme/fleet');
  privateUrl = secured.createRepo('acme/private');
  clone = new WorkClone(url);
  h = await createHarness(
    { target: { kind: 'pglite' } },
    {},
    {
      gitops: {
        dispatcher,
        cacheDir: join(work, 'cache'),
        retryPolicy: { limit: 3, durationMs: 10, factor: 2, maxMs: 100 },
      },
    },
  );
  await importCluster('alpha', clusterFile('alpha', url));
  await importCluster('beta', clusterFile('beta', url));
}, 120_000);

afterAll(async () => {
  await h?.close();
  await git?.stop();
  await secured?.stop();
  rmSync(work, { recursive: true, force: true });
});

function commitBoth(values: string, message: string): string {
  return clone.commit(
    {
      'clusters/alpha/cluster.yaml': clusterFile('alpha', url),
      'clusters/alpha/manifests/ns.yaml': NS,
      'clusters/beta/cluster.yaml': clusterFile('beta', url),
      'clusters/beta/manifests/ns.yaml': NS,
      'common/values/podinfo.yaml': values,
    },
    message,
  );
}

describe('GitOps through the platform, against a real Git server', () => {
  it('connects each cluster from its definition: one repository feeds both', async () => {
    const repos = (
      await h.request({ method: 'GET', url: '/api/v1/repositories', token: h.tokens.viewer })
    ).json();
    expect(repos.items).toHaveLength(1);
    expect(repos.items[0]).toMatchObject({
      url,
      full_name: 'acme/fleet',
      branch: 'main',
      clusters: 2,
      webhook_secret_set: false,
    });
    expect(repos.items[0].webhook_url).toMatch(/\/api\/v1\/webhooks\/github$/);
    const s = await status('alpha');
    expect(s).toMatchObject({ status: 'Synced', phase: null, message: 'not synced yet' });
    expect(s.repository).toMatchObject({ url, branch: 'main', path: 'clusters/alpha/cluster.yaml' });
    const set = await h.request({
      method: 'PUT',
      url: `/api/v1/repositories/${repos.items[0].id}/webhook-secret`,
      token: h.tokens.admin,
      payload: { secret: SECRET },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().repository.webhook_secret_set).toBe(true);
    const row = await h.db
      .selectFrom('git_repositories' as never)
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(SECRET);
  });

  it('push → signed webhook → both clusters synced; every member sent the first time', async () => {
    const sha = commitBoth('replicaCount: 1\n', 'first');
    await clone.push();
    const res = await githubPush(sha);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ status: 'accepted', syncs: 2 });
    await settle();
    for (const name of ['alpha', 'beta']) {
      const s = await status(name);
      expect(s).toMatchObject({
        status: 'Synced',
        phase: 'Completed',
        commits: { synced: sha, pending: null },
      });
      expect(s.observed).toMatchObject({
        url,
        branch: 'main',
        commit: sha,
        path: `clusters/${name}/cluster.yaml`,
      });
      expect(s.warnings).toEqual([]);
      const hist = await history(name);
      expect(hist.total).toBe(1);
      expect(hist.items[0]).toMatchObject({
        status: 'success',
        source: 'webhook',
        commit_sha: sha,
        triggered_by: 'github (alice)',
        triggered_by_kind: 'provider',
        retry_count: 0,
        operation_id: expect.stringMatching(/^op-/),
        changed_members: ['manifest/ns', 'addon/podinfo'],
      });
      expect(hist.items[0].finished_at).not.toBeNull();
    }
    const alpha = dispatcher.requests.find((r) => r.clusterId === ids.alpha)!;
    expect(alpha).toMatchObject({
      commit: sha,
      path: 'clusters/alpha/cluster.yaml',
      changed: ['manifest/ns', 'addon/podinfo'],
    });
    expect(Object.keys(alpha.files).sort()).toEqual([
      'clusters/alpha/cluster.yaml',
      'clusters/alpha/manifests/ns.yaml',
      'common/values/podinfo.yaml',
    ]);
  });

  it('a replayed delivery id is ignored', async () => {
    const sha = clone.git('rev-parse', 'HEAD');
    const delivery = randomUUID();
    const before = dispatcher.requests.length;
    expect((await githubPush(sha, { delivery })).json().status).toBe('accepted');
    const again = await githubPush(sha, { delivery });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual({ status: 'duplicate', syncs: 0 });
    await settle();
    expect(dispatcher.requests.length).toBe(before);
  });

  it('unsigned, wrongly signed or altered deliveries are 401 and logged without their body', async () => {
    const sha = clone.git('rev-parse', 'HEAD');
    const unsigned = await githubPush(sha, { secret: '' });
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json().error.code).toBe('unauthenticated');
    expect((await githubPush(sha, { secret: 'another-secret-entirely-000' })).statusCode).toBe(401);
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      after: sha,
      repository: { full_name: 'acme/fleet' },
    });
    const altered = await h.request({
      method: 'POST',
      url: '/api/v1/webhooks/github',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': signBody(SECRET, body),
      },
      payload: body.replace('main', 'evil'),
    });
    expect(altered.statusCode).toBe(401);
    const other = await h.request({
      method: 'POST',
      url: '/api/v1/webhooks/bitbucket-cloud',
      headers: {
        'content-type': 'application/json',
        'x-event-key': 'repo:push',
        'x-hub-signature': 'sha256=00',
      },
      payload: '{}',
    });
    expect(other.statusCode).toBe(401);
    expect(h.logs()).toContain('webhook refused');
    expect(h.logs()).not.toContain('BODY-MARKER');
    expect(h.logs()).not.toContain(SECRET);
  });

  it('Bitbucket Cloud and Data Center deliveries of their documented shapes, signed with X-Hub-Signature', async () => {
    const sha = commitBoth('replicaCount: 2\n', 'two');
    await clone.push();
    const cloud = JSON.stringify({
      push: { changes: [{ new: { type: 'branch', name: 'main', target: { hash: sha } }, old: null }] },
      repository: { full_name: 'acme/fleet' },
      actor: { nickname: 'carol' },
    });
    const res = await h.request({
      method: 'POST',
      url: '/api/v1/webhooks/bitbucket-cloud',
      headers: {
        'content-type': 'application/json',
        'x-event-key': 'repo:push',
        'x-request-uuid': randomUUID(),
        'x-hub-signature': signBody(SECRET, cloud),
      },
      payload: cloud,
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ status: 'accepted', syncs: 2 });
    await settle();
    expect((await history('alpha')).items[0]).toMatchObject({
      source: 'webhook',
      commit_sha: sha,
      triggered_by: 'bitbucket_cloud (carol)',
      status: 'success',
    });
    const dc = JSON.stringify({
      eventKey: 'repo:refs_changed',
      actor: { name: 'dave' },
      repository: { slug: 'fleet', project: { key: 'ACME' } },
      changes: [
        {
          ref: { id: 'refs/heads/main', displayId: 'main', type: 'BRANCH' },
          fromHash: sha,
          toHash: sha,
          type: 'UPDATE',
        },
      ],
    });
    const dcHeaders = {
      'content-type': 'application/json',
      'x-event-key': 'repo:refs_changed',
      'x-request-id': randomUUID(),
    };
    const signed = await h.request({
      method: 'POST',
      url: '/api/v1/webhooks/bitbucket-dc',
      headers: { ...dcHeaders, 'x-hub-signature': signBody(SECRET, dc) },
      payload: dc,
    });
    expect(signed.statusCode, signed.body).toBe(202);
    expect(signed.json()).toEqual({ status: 'accepted', syncs: 0 }); // that commit is already synced
    const unsigned = await h.request({
      method: 'POST',
      url: '/api/v1/webhooks/bitbucket-dc',
      headers: dcHeaders,
      payload: dc,
    });
    expect(unsigned.statusCode).toBe(401);
  });

  it('push without a webhook → the poll picks it up; only the changed add-on is sent', async () => {
    const sha = commitBoth('replicaCount: 3\n', 'scale podinfo');
    await clone.push();
    const before = dispatcher.requests.length;
    const polled = await gitops().pollOnce();
    expect(polled).toEqual({ repositories: 1, triggered: 2 });
    await settle();
    const sent = dispatcher.requests.slice(before);
    expect(sent.map((r) => r.changed)).toEqual([['addon/podinfo'], ['addon/podinfo']]);
    const hist = await history('alpha');
    expect(hist.items[0]).toMatchObject({
      source: 'poll',
      commit_sha: sha,
      status: 'success',
      triggered_by: 'git poll',
    });
    // the synced commit is the cluster's stored definition now (add-on pages, migrations read it)
    const stored = await h.db
      .selectFrom('clusters')
      .innerJoin('cluster_definitions', 'cluster_definitions.cluster_id', 'clusters.id')
      .select(['clusters.definition_path', 'cluster_definitions.definition_files'])
      .where('clusters.id', '=', ids.alpha!)
      .executeTakeFirstOrThrow();
    expect(stored.definition_path).toBe('clusters/alpha/cluster.yaml');
    expect(JSON.parse(stored.definition_files)['common/values/podinfo.yaml']).toBe('replicaCount: 3\n');
    // nothing moved: the next poll starts nothing
    expect((await gitops().pollOnce()).triggered).toBe(0);
    const repo = (
      await h.request({ method: 'GET', url: '/api/v1/repositories', token: h.tokens.viewer })
    ).json().items[0];
    expect(repo.head_commit).toBe(sha);
    expect(repo.polled_at).not.toBeNull();
  });

  it('Sync Now (operator): a sync of the head even when nothing moved, nothing sent', async () => {
    expect(
      (await h.request({ method: 'POST', url: `/api/v1/clusters/${ids.alpha}/sync`, token: h.tokens.viewer }))
        .statusCode,
    ).toBe(403);
    const before = dispatcher.requests.length;
    const res = await h.request({
      method: 'POST',
      url: `/api/v1/clusters/${ids.alpha}/sync`,
      token: h.tokens.operator,
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(['Syncing', 'Synced']).toContain(res.json().status);
    await settle();
    expect(dispatcher.requests.length).toBe(before);
    const hist = await history('alpha');
    expect(hist.items[0]).toMatchObject({
      source: 'manual',
      status: 'success',
      triggered_by: 'test operator',
      triggered_by_kind: 'token',
      changed_members: [],
      message: expect.stringMatching(/^synced /),
    });
  });

  it('an invalid commit applies nothing; the history carries every located error', async () => {
    const broken = clusterFile('alpha', url)
      .replace('namespace: apps', 'namespcae: apps')
      .replace('"6.7.1"', '6.7');
    const sha = clone.commit({ 'clusters/alpha/cluster.yaml': broken }, 'break alpha');
    await clone.push();
    const before = dispatcher.requests.length;
    expect((await githubPush(sha)).json().syncs).toBe(2);
    await settle();
    const sent = dispatcher.requests.slice(before);
    expect(sent.map((r) => r.clusterId)).toEqual([]); // beta's members did not change: nothing to send either
    const s = await status('alpha');
    expect(s).toMatchObject({ status: 'Error', phase: 'Validating' });
    expect(s.message).toMatch(/does not validate \(\d+ errors\): nothing applied/);
    const failed = (await history('alpha')).items[0];
    expect(failed).toMatchObject({
      status: 'failed',
      source: 'webhook',
      commit_sha: sha,
      phase: 'Validating',
    });
    expect(failed.error_count).toBe(
      failed.errors.filter((e: { severity: string }) => e.severity === 'error').length,
    );
    expect(s.message).toContain(`(${failed.error_count} errors)`);
    const at = failed.errors
      .filter((e: { severity: string }) => e.severity === 'error')
      .map((e: { file: string; line: number; code: string }) => `${e.file}:${e.line} ${e.code}`);
    expect(at).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^clusters\/alpha\/cluster\.yaml:\d+ unquoted-chart-version$/),
        expect.stringMatching(/^clusters\/alpha\/cluster\.yaml:\d+ unknown-field$/),
      ]),
    );
    const typo = failed.errors.find((e: { code: string }) => e.code === 'unknown-field');
    expect(typo.column).toBeGreaterThan(0);
    expect(typo.path).toContain('namespcae');
    expect(`${typo.message} ${typo.hint ?? ''}`).toMatch(/namespace/);
    expect((await status('beta')).status).toBe('Synced');
  });

  it('two quick pushes make one sync of the newer commit', async () => {
    const first = commitBoth('replicaCount: 4\n', 'four');
    await clone.push();
    const second = commitBoth('replicaCount: 5\n', 'five');
    await clone.push();
    const before = (await history('beta')).total;
    await Promise.all([githubPush(first), githubPush(second)]);
    await settle();
    const hist = await history('beta');
    expect(hist.total).toBe(before + 1);
    expect(hist.items[0]).toMatchObject({ commit_sha: second, status: 'success' });
    expect((await status('alpha')).commits.synced).toBe(second);
  });

  it('while a sync runs, newer commits coalesce into one queued sync of the newest', async () => {
    dispatcher.hold();
    try {
      const a = commitBoth('replicaCount: 6\n', 'six');
      await clone.push();
      await githubPush(a);
      // wait until beta's sync of `a` is handed to the (held) dispatcher
      for (
        let i = 0;
        i < 600 && !dispatcher.requests.some((r) => r.commit === a && r.clusterId === ids.beta);
        i++
      )
        await new Promise((r) => setTimeout(r, 50));
      const b = commitBoth('replicaCount: 7\n', 'seven');
      await clone.push();
      await githubPush(b);
      const c = commitBoth('replicaCount: 8\n', 'eight');
      await clone.push();
      await githubPush(c);
      const waiting = await status('beta');
      expect(waiting).toMatchObject({
        status: 'Syncing',
        phase: 'Applying',
        commits: { syncing: a, pending: c },
      });
      const before = (await history('beta')).total;
      dispatcher.release();
      await settle();
      const hist = await history('beta');
      expect(hist.items.slice(0, 2).map((i: { commit_sha: string }) => i.commit_sha)).toEqual([c, a]);
      expect(hist.total).toBe(before + 1);
      expect((await status('beta')).commits).toEqual({ syncing: null, pending: null, synced: c });
    } finally {
      dispatcher.release();
    }
  });

  it('a failed apply is retried with backoff and the retry count is kept', async () => {
    dispatcher.failures = { [ids.beta!]: 2 };
    const sha = commitBoth('replicaCount: 9\n', 'nine');
    await clone.push();
    await gitops().pollOnce();
    await settle();
    const top = (await history('beta')).items[0];
    expect(top).toMatchObject({ commit_sha: sha, status: 'success', retry_count: 2 });
    expect(top.errors.map((e: { code: string }) => e.code)).toEqual(['apply-failed', 'apply-failed']);
    dispatcher.failures = { [ids.beta!]: 10 };
    const next = commitBoth('replicaCount: 10\n', 'ten');
    await clone.push();
    await gitops().pollOnce();
    await settle();
    dispatcher.failures = {};
    const failed = (await history('beta')).items[0];
    expect(failed).toMatchObject({ commit_sha: next, status: 'failed', retry_count: 3 });
    expect(failed.message).toMatch(/retries exhausted: 3 of 3/);
    expect((await status('beta')).status).toBe('Error');
  });

  it('history: 10 per page by default, sortable by every column, with commit links where the provider is known', async () => {
    const page = await history('beta');
    expect(page.page_size).toBe(10);
    expect(page.total).toBeGreaterThanOrEqual(6);
    for (const sort of [
      'status',
      '-retry_count',
      'commit_sha',
      'source',
      '-finished_at',
      'triggered_by',
      'operation_id',
      'error_count',
    ]) {
      const res = await h.request({
        method: 'GET',
        url: `/api/v1/clusters/${ids.beta}/syncs?sort=${sort}&page_size=100`,
        token: h.tokens.viewer,
      });
      expect(res.statusCode, sort).toBe(200);
      const field = sort.replace(/^-/, '');
      const values = res
        .json()
        .items.map((i: Record<string, unknown>) => i[field])
        .filter((v: unknown) => v !== null);
      const sorted = [...values].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      expect(values, sort).toEqual(sort.startsWith('-') ? sorted.reverse() : sorted);
    }
    expect(
      (
        await h.request({
          method: 'GET',
          url: `/api/v1/clusters/${ids.beta}/syncs?sort=errors`,
          token: h.tokens.viewer,
        })
      ).statusCode,
    ).toBe(400);
    // a plain Git server has no commit page
    expect(page.items[0].commit_url).toBeNull();
  });

  it('credentials: created by name, encrypted at rest, never returned or logged; a private repository syncs with one', async () => {
    const created = await h.request({
      method: 'POST',
      url: '/api/v1/credentials',
      token: h.tokens.admin,
      payload: { name: 'private-repo', kind: 'token', token: TOKEN },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.body).not.toContain(TOKEN);
    expect(created.json()).toMatchObject({ name: 'private-repo', kind: 'token', last_used_at: null });
    const dup = await h.request({
      method: 'POST',
      url: '/api/v1/credentials',
      token: h.tokens.admin,
      payload: { name: 'private-repo', kind: 'basic', username: 'u', password: 'p' },
    });
    expect(dup.statusCode).toBe(409);
    expect(
      (
        await h.request({
          method: 'POST',
          url: '/api/v1/credentials',
          token: h.tokens.operator,
          payload: { name: 'x', kind: 'token', token: 't' },
        })
      ).statusCode,
    ).toBe(403);
    const rows = await h.db
      .selectFrom('git_credentials' as never)
      .selectAll()
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(TOKEN);
    expect(JSON.stringify(rows)).toMatch(/"sealed":"v1:[0-9a-f]{16}:/);

    const priv = new WorkClone(privateUrl.replace('http://', `http://x:${TOKEN}@`));
    const text = clusterFile('gamma', privateUrl, '    credential_name: private-repo\n');
    const sha = priv.commit({
      'clusters/gamma/cluster.yaml': text,
      'clusters/gamma/manifests/ns.yaml': NS,
      'common/values/podinfo.yaml': 'replicaCount: 1\n',
    });
    await priv.push();
    await importCluster('gamma', text);
    await gitops().pollOnce();
    await settle();
    expect(await status('gamma')).toMatchObject({ status: 'Synced', commits: { synced: sha } });
    const list = await h.request({ method: 'GET', url: '/api/v1/credentials', token: h.tokens.viewer });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(TOKEN);
    expect(list.json().items[0].last_used_at).not.toBeNull();
    expect(h.logs()).not.toContain(TOKEN);
    const re = await h.request({
      method: 'POST',
      url: '/api/v1/credentials/reencrypt',
      token: h.tokens.admin,
    });
    expect(re.json()).toEqual({ credentials: 0, webhook_secrets: 0 });
  });

  it('a cluster without a usable git_repository is NotConfigured; Sync Now says why', async () => {
    const res = await h.request({
      method: 'POST',
      url: '/api/v1/clusters',
      token: h.tokens.admin,
      payload: {
        definition: clusterFile('delta', url).replace(/ {2}git_repository:\n(.*\n){3}/, ''),
        path: 'clusters/delta/cluster.yaml',
        files: { 'clusters/delta/manifests/ns.yaml': NS, 'common/values/podinfo.yaml': 'replicaCount: 1\n' },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().cluster.id;
    const s = (
      await h.request({ method: 'GET', url: `/api/v1/clusters/${id}/gitops`, token: h.tokens.viewer })
    ).json();
    expect(s).toMatchObject({ status: 'NotConfigured', repository: null });
    expect(s.message).toMatch(/no spec.git_repository/);
    const now = await h.request({
      method: 'POST',
      url: `/api/v1/clusters/${id}/sync`,
      token: h.tokens.operator,
    });
    expect(now.statusCode).toBe(409);
  });
});
