import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CheckInSession } from '@mooring/agent';
import { signBody } from '@mooring/gitops';
import { type GitServer, kitClients, startGitServer, testNamespace } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mooring } from '../../cli/test/support/platform.ts';
import { WorkClone } from '../../gitops/test/gitFixtures.ts';
import type { RunningPlatform } from '../src/platform.ts';
import { agentBus, startEmbeddedPlatform, startKitAgent } from './support/agentPlatform.ts';
import { importCluster, syncFinished } from './support/gitopsFleet.ts';
import type { ApiCall } from './support/platformProcess.ts';

// GitOps end to end: a real Git server, the platform over HTTP (embedded database, in-process
// bus), the real agent on that bus with its cluster's permissions, the kit's cluster and helm.
// push → signed webhook → sync → the agent deploys; one add-on changed → one Helm call; an
// invalid commit changes nothing; drift flows back; a preview renders a branch without applying.
// (`minReadySeconds: 1`, not 0: the API server drops a zero there, which the diff reads as drift.)

const kit = inject('kit');
const { apps } = kitClients(kit);

const run = promisify(execFile);
const SECRET = 'webhook-secret-for-the-end-to-end-test';

let work: string;
let git: GitServer;
let url: string;
let clone: WorkClone;
let platform: RunningPlatform;
let baseUrl: string;
let adminToken: string;
let api: ApiCall;
let session: CheckInSession | undefined;
let clusterId: string;
const ns = testNamespace('gitops-e2e');
const name = `e2e-${Date.now().toString(36)}`;
const path = `clusters/${name}/cluster.yaml`;

const addon = (n: string, replicas: number, selfHeal: boolean) => `        - name: ${n}
          chart_name: slow-rollout
          chart_version: "0.1.0"
          repository_url: ${kit.chartRepoUrl}
          namespace: ${ns}
          configuration:
            values: |
              replicas: ${replicas}
              minReadySeconds: 1
          settings:
            sync_policy:
              self_heal: ${selfHeal}
              sync_options: [CreateNamespace=true]
`;
const clusterFile = (a: number, b: number, extra = '') => `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  git_repository:
    provider: git
    repository: ${url}
    branch: main
  stacks:
    - name: web
      addons:
${addon('rollout-a', a, false)}${addon('rollout-b', b, true)}${extra}`;

async function webhook(commit: string) {
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    after: commit,
    repository: { full_name: 'acme/fleet' },
    sender: { login: 'alice' },
  });
  const res = await fetch(`${baseUrl}/api/v1/webhooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': signBody(SECRET, body),
    },
    body,
  });
  expect(res.status).toBe(202);
}

async function push(text: string, message: string): Promise<string> {
  const sha = clone.commit({ [path]: text }, message);
  await clone.push();
  return sha;
}

const finished = (sha: string) => syncFinished(api, clusterId, sha);

async function helmList(): Promise<{ name: string; revision: string; status: string }[]> {
  const { stdout } = await run(kit.helm, ['list', '-n', ns, '-o', 'json'], {
    env: { ...process.env, ...kit.env, KUBECONFIG: kit.kubeconfig },
  });
  return JSON.parse(stdout);
}

const revisions = async () => Object.fromEntries((await helmList()).map((r) => [r.name, Number(r.revision)]));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mooring-gitops-e2e-'));
  git = await startGitServer(join(work, 'git'));
  url = git.createRepo('acme/fleet');
  clone = new WorkClone(url);
  ({ platform, baseUrl, adminToken, api } = await startEmbeddedPlatform(work));
}, 120_000);

afterAll(async () => {
  await session?.stop().catch(() => undefined);
  await platform?.close();
  await git?.stop();
  await kitClients(kit)
    .core.deleteNamespace({ name: ns })
    .catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('GitOps end to end: Git server → platform → real agent → kit cluster', () => {
  it('a push reaches the cluster through the webhook and the agent: both releases deployed', async () => {
    const first = clusterFile(1, 1);
    const imported = await importCluster(api, { definition: first, path });
    clusterId = imported.id;
    const repos = await api<{ items: { id: string }[] }>('GET', '/repositories');
    expect(
      (await api('PUT', `/repositories/${repos.body.items[0]!.id}/webhook-secret`, { secret: SECRET }))
        .status,
    ).toBe(200);

    // the real agent, on the platform's in-process bus with its cluster's permissions
    session = await startKitAgent(kit, {
      baseUrl,
      clusterId,
      token: imported.agentToken,
      workDir: work,
      env: { MOORING_RECONCILE_INTERVAL_SECONDS: '5' },
      bus: agentBus(platform, clusterId),
      commandPollMs: 200,
    });

    const sha = await push(first, 'two add-ons');
    const pushedAt = Date.now();
    await webhook(sha);
    const sync = await finished(sha);
    console.log(`push → synced and deployed (2 releases): ${((Date.now() - pushedAt) / 1000).toFixed(1)} s`);
    expect(sync).toMatchObject({
      status: 'success',
      changed_members: ['addon/rollout-a', 'addon/rollout-b'],
    });
    const status = await api<Record<string, unknown>>('GET', `/clusters/${clusterId}/gitops`);
    expect(status.body).toMatchObject({ status: 'Synced', phase: 'Completed' });
    expect(await helmList()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'rollout-a', status: 'deployed', revision: '1' }),
        expect.objectContaining({ name: 'rollout-b', status: 'deployed', revision: '1' }),
      ]),
    );
  }, 300_000);

  it('a commit that changes one add-on makes exactly one Helm call; only its revision moves', async () => {
    const engine = session!.agent.engine;
    const before = engine.helm.runner.calls;
    const sha = await push(clusterFile(2, 1), 'scale rollout-a in Git');
    const pushedAt = Date.now();
    await webhook(sha);
    const sync = await finished(sha);
    console.log(`push → one add-on upgraded: ${((Date.now() - pushedAt) / 1000).toFixed(1)} s`);
    expect(sync).toMatchObject({ status: 'success', changed_members: ['addon/rollout-a'] });
    const op = await api<{ steps: { result: { apply: { helm_calls: number } } }[] }>(
      'GET',
      `/operations/${sync.operation_id}`,
    );
    expect(op.body.steps[0]!.result.apply.helm_calls).toBe(1);
    expect(engine.helm.runner.calls - before).toBe(1);
    expect(await revisions()).toEqual({ 'rollout-a': 2, 'rollout-b': 1 });
  }, 240_000);

  it('an invalid commit leaves the cluster untouched; the history has every error located', async () => {
    const before = await revisions();
    const calls = session!.agent.engine.helm.runner.calls;
    const broken = clusterFile(3, 3).replace('chart_version: "0.1.0"', 'chart_versoin: "0.1.0"');
    const sha = await push(broken, 'a typo');
    await webhook(sha);
    const sync = await finished(sha);
    expect(sync.status).toBe('failed');
    expect(sync.operation_id).toBeNull();
    expect(sync.errors.length).toBeGreaterThan(0);
    for (const e of sync.errors.filter((x) => x.code !== 'apply-failed')) {
      expect(e.file).toBe(path);
      expect(e.line).toBeGreaterThan(0);
    }
    expect(sync.errors.map((e) => e.message).join('\n')).toMatch(/chart_versoin/);
    expect(await revisions()).toEqual(before);
    expect(session!.agent.engine.helm.runner.calls).toBe(calls);
  }, 120_000);

  it('drift flows back: a hand-scaled Deployment is OutOfSync with spec.replicas when self_heal is off, healed back to Synced when on', async () => {
    const kubectl = (...args: string[]) =>
      run(join(kit.binDir, 'kubectl'), args, {
        env: { ...process.env, ...kit.env, KUBECONFIG: kit.kubeconfig },
      });
    await kubectl('scale', 'deployment/rollout-a', 'deployment/rollout-b', '--replicas=4', '-n', ns);
    type Item = {
      name: string;
      state: string;
      drifted_objects: number | null;
      drift: { ref: string; fields: string[]; text?: string }[];
    };
    const item = async (n: string) =>
      (await api<{ items: Item[] }>('GET', `/clusters/${clusterId}/addons`)).body.items.find(
        (x) => x.name === n,
      );
    await expect
      .poll(async () => (await item('rollout-a'))?.state, { timeout: 30_000, interval: 250 })
      .toBe('OutOfSync');
    const a = await item('rollout-a');
    expect(a?.drifted_objects).toBe(1);
    expect(a?.drift).toEqual([
      expect.objectContaining({ ref: `Deployment/${ns}/rollout-a`, fields: ['spec.replicas'] }),
    ]);
    const detail = await api<Item>('GET', `/clusters/${clusterId}/addons/rollout-a`);
    expect(detail.body.state).toBe('OutOfSync');
    expect(detail.body.drift[0]?.text).toMatch(/replicas/);

    // accept drift: the values change that makes Git equal to the cluster, naming who scaled it
    const accept = await api<{
      changes: {
        object: string;
        field: string;
        git: unknown;
        cluster: unknown;
        managers: string[];
        values_path: string | null;
      }[];
      patch: string;
    }>('GET', `/clusters/${clusterId}/addons/rollout-a/accept-drift`);
    expect(accept.status, JSON.stringify(accept.body)).toBe(200);
    expect(accept.body.changes).toEqual([
      expect.objectContaining({ field: 'spec.replicas', git: 2, cluster: 4, values_path: 'replicas' }),
    ]);
    expect(accept.body.changes[0]?.managers).toContain('kubectl');
    expect(accept.body.patch).toMatch(/-replicas: 2\n\+replicas: 4/);

    // self_heal on: the agent heals at once and reports it Synced, without drift
    await expect
      .poll(
        async () =>
          (await apps.readNamespacedDeployment({ name: 'rollout-b', namespace: ns })).spec?.replicas,
        {
          timeout: 30_000,
          interval: 250,
        },
      )
      .toBe(1);
    await expect
      .poll(
        async () => {
          const b = await item('rollout-b');
          return [b?.state, b?.drift];
        },
        { timeout: 30_000, interval: 250 },
      )
      .toEqual(['Synced', []]);
    // the unhealed one stays as it is
    expect((await apps.readNamespacedDeployment({ name: 'rollout-a', namespace: ns })).spec?.replicas).toBe(
      4,
    );
  }, 120_000);

  it('a preview renders a branch against the live cluster and returns the per-object diff, applying nothing', async () => {
    const before = await revisions();
    const calls = session!.agent.engine.helm.runner.calls;
    clone.git('checkout', '-q', '-b', 'scale-b');
    const sha = clone.commit({ [path]: clusterFile(2, 3) }, 'scale rollout-b on a branch');
    await clone.push('scale-b');
    type Preview = {
      commit: string;
      valid: boolean;
      errors: { file: string; line: number; message: string }[];
      members:
        | { id: string; action: string; objects: { ref: string; change: string; text?: string }[] }[]
        | null;
      summary: Record<string, number>;
      agent_error: string | null;
    };
    const started = Date.now();
    const res = await api<Preview>('POST', `/clusters/${clusterId}/preview`, { ref: 'scale-b' });
    console.log(`preview of a branch: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ commit: sha, valid: true, errors: [], agent_error: null });
    const b = res.body.members?.find((m) => m.id === 'addon/rollout-b');
    expect(b?.action).toBe('upgrade');
    expect(b?.objects).toEqual([
      expect.objectContaining({
        ref: `Deployment/${ns}/rollout-b`,
        change: 'update',
        text: expect.stringMatching(/replicas/),
      }),
    ]);
    expect(res.body.summary.update).toBeGreaterThanOrEqual(1);
    // nothing applied: same revisions, rollout-b still at one replica, no Helm upgrade
    expect(await revisions()).toEqual(before);
    expect((await apps.readNamespacedDeployment({ name: 'rollout-b', namespace: ns })).spec?.replicas).toBe(
      1,
    );
    expect(session!.agent.engine.helm.runner.calls - calls).toBeLessThanOrEqual(2); // helm template per add-on

    // a commit of that branch that does not validate: located errors, nothing rendered
    const bad = clone.commit({ [path]: clusterFile(2, 3).replace('chart_name', 'chart_nmae') }, 'typo');
    await clone.push('scale-b');
    const invalid = await api<Preview>('POST', `/clusters/${clusterId}/preview`, { ref: bad });
    expect(invalid.body).toMatchObject({ commit: bad, valid: false, members: null });
    expect(invalid.body.errors[0]).toMatchObject({ file: path, line: expect.any(Number) });
    expect((await api('POST', `/clusters/${clusterId}/preview`, { ref: 'no-such-branch' })).status).toBe(404);
    clone.git('checkout', '-q', 'main');
  }, 120_000);

  it('the CLI: cluster sync --watch, cluster history (table and JSON), cluster preview --ref', async () => {
    const env = { MOORING_URL: baseUrl, MOORING_TOKEN: adminToken };
    const cwd = work;
    // main's head is the invalid commit: the sync fails with its located errors (exit 1)
    const failing = await mooring(['cluster', 'sync', name, '--watch'], { cwd, env });
    expect(failing.code, failing.out + failing.err).toBe(1);
    expect(failing.out).toMatch(new RegExp(`${path}:\\d+:\\d+: error: .*chart_versoin`));
    // fixed in Git, no webhook: Sync Now picks it up
    await push(clusterFile(2, 1), 'fix the typo');
    const sync = await mooring(['cluster', 'sync', name, '--watch'], { cwd, env });
    expect(sync.code, sync.out + sync.err).toBe(0);
    expect(sync.out).toMatch(/^Synced/m);

    const history = await mooring(['cluster', 'history', name], { cwd, env });
    expect(history.code, history.err).toBe(0);
    expect(history.out).toMatch(/STARTED\s+STATUS\s+SOURCE\s+COMMIT/);
    expect(history.out).toMatch(/success\s+manual/);
    expect(history.out).toMatch(/failed\s+webhook/);
    expect(history.out).toMatch(new RegExp(`${path}:\\d+:\\d+: error: .*chart_versoin`));
    const json = await mooring(['cluster', 'history', name, '-o', 'json'], { cwd, env });
    const page = JSON.parse(json.out) as { items: { source: string }[]; total: number };
    expect(page.items[0]?.source).toBe('manual');
    expect(page.total).toBeGreaterThanOrEqual(4);

    const preview = await mooring(
      ['cluster', 'preview', name, '--ref', clone.git('rev-parse', 'scale-b~1')],
      { cwd, env },
    );
    expect(preview.out + preview.err).toMatch(/addon\/rollout-b: upgrade/);
    expect(preview.out).toMatch(new RegExp(`~ Deployment/${ns}/rollout-b \\(update\\)`));
    expect(preview.code).toBe(0);
    const missing = await mooring(['cluster', 'preview', name], { cwd, env });
    expect(missing.code).toBe(2);
  }, 120_000);

  it('accept drift for a manifest: the patch to its file naming the field managers; committed, Git equals the cluster', async () => {
    const file = `clusters/${name}/manifests/settings.yaml`;
    const settings = `# settings of the web tier
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
  labels:
    tier: web # who serves
data:
  mode: fast
  retired: "yes"
`;
    const extra = `      manifests:
        - name: settings
          namespace: ${ns}
          from_file: manifests/settings.yaml
`;
    const withManifest = clusterFile(2, 1, extra);
    const sha = clone.commit({ [path]: withManifest, [file]: settings }, 'a manifest');
    await clone.push();
    await webhook(sha);
    expect(await finished(sha)).toMatchObject({ status: 'success', changed_members: ['manifest/settings'] });

    // changed by hand, each by its own field manager
    const kubectl = (...args: string[]) =>
      run(join(kit.binDir, 'kubectl'), args, {
        env: { ...process.env, ...kit.env, KUBECONFIG: kit.kubeconfig },
      });
    await kubectl(
      '-n',
      ns,
      'patch',
      'configmap',
      'web-settings',
      '--type=json',
      '--field-manager=ops-alice',
      '-p',
      JSON.stringify([
        { op: 'replace', path: '/data/mode', value: 'slow' },
        { op: 'remove', path: '/data/retired' },
        { op: 'add', path: '/data/extra', value: 'added' },
      ]),
    );
    await kubectl(
      '-n',
      ns,
      'label',
      'configmap',
      'web-settings',
      'tier=cache',
      '--overwrite',
      '--field-manager=ops-bob',
    );
    type Item = { name: string; state: string; drift: { ref: string; fields: string[] }[] };
    await expect
      .poll(
        async () =>
          (await api<{ items: Item[] }>('GET', `/clusters/${clusterId}/manifests`)).body.items.find(
            (x) => x.name === 'settings',
          )?.state,
        { timeout: 30_000, interval: 250 },
      )
      .toBe('OutOfSync');

    type Accept = {
      changes: {
        object: string;
        field: string;
        git: unknown;
        cluster: unknown;
        managers: string[];
        in_patch: boolean;
      }[];
      file: string | null;
      patch: string;
      notes: string[];
    };
    const accept = await api<Accept>('GET', `/clusters/${clusterId}/manifests/settings/accept-drift`);
    expect(accept.status, JSON.stringify(accept.body)).toBe(200);
    expect(accept.body.file).toBe(file);
    const ref = `ConfigMap/${ns}/web-settings`;
    expect(accept.body.changes).toEqual(
      expect.arrayContaining([
        {
          object: ref,
          field: 'metadata.labels.tier',
          git: 'web',
          cluster: 'cache',
          managers: ['ops-bob'],
          in_patch: true,
        },
        {
          object: ref,
          field: 'data.mode',
          git: 'fast',
          cluster: 'slow',
          managers: ['ops-alice'],
          in_patch: true,
        },
        { object: ref, field: 'data.retired', git: 'yes', cluster: null, managers: [], in_patch: true },
        {
          object: ref,
          field: 'data.extra',
          git: null,
          cluster: 'added',
          managers: ['ops-alice'],
          in_patch: true,
        },
      ]),
    );
    expect(accept.body.changes).toHaveLength(4);
    expect(accept.body.patch).toContain(`--- a/${file}\n+++ b/${file}\n`);
    expect(accept.body.patch).toContain('-    tier: web # who serves\n+    tier: cache # who serves\n');
    expect(accept.body.patch).toMatch(
      /- {2}mode: fast\n- {2}retired: "yes"\n\+ {2}mode: slow\n\+ {2}extra: added\n/,
    );
    expect((await api('GET', `/clusters/${clusterId}/manifests/nope/accept-drift`)).status).toBe(404);

    // the patch applies to the file in Git; committed, the cluster and Git agree: no drift, nothing to heal
    const patchFile = join(work, 'accept.patch');
    writeFileSync(patchFile, accept.body.patch);
    clone.git('apply', '--check', patchFile);
    clone.git('apply', patchFile);
    clone.git('commit', '-q', '-am', 'accept the drift');
    const accepted = clone.git('rev-parse', 'HEAD');
    await clone.push();
    await webhook(accepted);
    expect(await finished(accepted)).toMatchObject({
      status: 'success',
      changed_members: ['manifest/settings'],
    });
    await expect
      .poll(
        async () => {
          const m = (await api<{ items: Item[] }>('GET', `/clusters/${clusterId}/manifests`)).body.items.find(
            (x) => x.name === 'settings',
          );
          return [m?.state, m?.drift];
        },
        { timeout: 30_000, interval: 250 },
      )
      .toEqual(['Synced', []]);
    const live = await kitClients(kit).core.readNamespacedConfigMap({ name: 'web-settings', namespace: ns });
    expect(live.data).toEqual({ mode: 'slow', extra: 'added' });
    expect(live.metadata?.labels?.tier).toBe('cache');
  }, 180_000);
});
