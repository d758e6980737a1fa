import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { CheckInSession } from '@mooring/agent';
import { type GitServer, kitClients, startGitServer, testNamespace } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WorkClone } from '../../gitops/test/gitFixtures.ts';
import type { RunningPlatform } from '../src/platform.ts';
import { agentBus, startEmbeddedPlatform, startKitAgent } from './support/agentPlatform.ts';
import { importCluster, seedRepository, syncFinished } from './support/gitopsFleet.ts';
import type { ApiCall } from './support/platformProcess.ts';

// The Stack Builder end to end: a real Git server, the platform over HTTP, the real agent on
// the platform's bus, the kit's cluster, helm and chart repository. A stack is built in the API
// and published (one commit by the person in Git, the release deployed by the sync); a value
// edited (one Helm upgrade); the commit reverted in Git (the release rolled back); a concurrent
// push (a clean rebase, or a 409 naming the file); a draft written back unchanged (no commit);
// a value chosen for encryption (ciphertext in Git, plaintext only in the release).

const kit = inject('kit');
const run = promisify(execFile);

let work: string;
let git: GitServer;
let url: string;
let clone: WorkClone;
let platform: RunningPlatform;
let api: ApiCall;
let session: CheckInSession | undefined;
let clusterId: string;
const ns = testNamespace('stack-builder');
const name = `sb-${Date.now().toString(36)}`;
const dir = `clusters/${name}`;
const path = `${dir}/cluster.yaml`;
const valuesFile = `${dir}/values/rollout-a.yaml`;

const clusterFile = () => `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
  description: Built with the Stack Builder # kept: a comment Mooring does not write
spec:
  git_repository:
    provider: git
    repository: ${url}
    branch: main
  stacks:
    # the namespace first
    - name: base
      manifests:
        - name: namespace
          from_file: manifests/namespace.yaml
`;

const namespaceYaml = () => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`;

interface Draft {
  id: string;
  created_by: string;
  base_commit: string;
  changed_files: { path: string; change: string }[];
  stacks: {
    name: string;
    fields: Record<string, unknown>;
    addons: { name: string; fields: Record<string, unknown>; values?: string; content_file?: string }[];
    manifests: {
      name: string;
      fields: Record<string, unknown>;
      manifest?: string;
      file: string;
      content_file?: string;
    }[];
  }[];
}
interface Published {
  commit: string;
  branch: string;
  rebased: boolean;
  unchanged: boolean;
  sync_requested: boolean;
  encrypted: { path: string; paths: string[] }[];
  pull_request: unknown;
}

async function newDraft(title?: string): Promise<Draft> {
  const r = await api<Draft>('POST', `/clusters/${clusterId}/drafts`, title ? { title } : {});
  expect(r.status, r.text).toBe(201);
  return r.body;
}
const drafts = (d: Draft) => `/clusters/${clusterId}/drafts/${d.id}`;

async function publish(d: Draft, body: Record<string, unknown> = {}) {
  return api<Published>('POST', `${drafts(d)}/publish`, { author_email: 'alice@example.com', ...body });
}

const finished = (sha: string) => syncFinished(api, clusterId, sha);

const helmEnv = () => ({ ...process.env, ...kit.env, KUBECONFIG: kit.kubeconfig });
async function release(): Promise<{ revision: number; status: string } | undefined> {
  const { stdout } = await run(kit.helm, ['list', '-n', ns, '-o', 'json'], { env: helmEnv() });
  const r = (JSON.parse(stdout) as { name: string; revision: string; status: string }[]).find(
    (x) => x.name === 'rollout-a',
  );
  return r ? { revision: Number(r.revision), status: r.status } : undefined;
}
async function releaseValues(): Promise<Record<string, unknown>> {
  const { stdout } = await run(kit.helm, ['get', 'values', 'rollout-a', '-n', ns, '-o', 'json'], {
    env: helmEnv(),
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** The remote's branch into the work clone; returns its head. */
async function pull(branch = 'main'): Promise<string> {
  await clone.gitAsync('fetch', '-q', clone.remote, `+refs/heads/${branch}:refs/remotes/origin/${branch}`);
  if (branch === 'main') clone.git('reset', '-q', '--hard', 'origin/main');
  return clone.git('rev-parse', `origin/${branch}`);
}

beforeAll(async () => {
  // the platform encrypts with the kit's sops
  process.env.PATH = `${dirname(kit.sops)}:${process.env.PATH ?? ''}`;
  work = mkdtempSync(join(tmpdir(), 'mooring-stack-builder-'));
  git = await startGitServer(join(work, 'git'));
  url = git.createRepo('acme/builder');
  ({ clone } = await seedRepository(url, {
    [path]: clusterFile(),
    [`${dir}/manifests/namespace.yaml`]: namespaceYaml(),
    '.sops.yaml': `creation_rules:\n  - path_regex: .*\\.yaml$\n    age: ${kit.agePublicKey}\n`,
    'README.md': '# fleet\n',
  }));
  let baseUrl: string;
  ({ platform, baseUrl, api } = await startEmbeddedPlatform(work));
  const imported = await importCluster(api, {
    definition: clusterFile(),
    path,
    files: { [`${dir}/manifests/namespace.yaml`]: namespaceYaml() },
  });
  clusterId = imported.id;
  session = await startKitAgent(kit, {
    baseUrl,
    clusterId,
    token: imported.agentToken,
    workDir: work,
    env: {
      MOORING_RECONCILE_INTERVAL_SECONDS: '3600',
      MOORING_SOPS: kit.sops,
      MOORING_SOPS_AGE_KEY_FILE: kit.ageKeyFile,
    },
    bus: agentBus(platform, clusterId),
    commandPollMs: 200,
  });
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

describe('Stack Builder: drafts published to Git, deployed by the GitOps sync', () => {
  let first: string;

  it('a stack built in the API, validated, previewed, published: one commit by the person, the release deployed', async () => {
    const d = await newDraft('Add the web stack');
    expect(d.base_commit).toBe(await pull());
    expect(d.stacks.map((s) => s.name)).toEqual(['base']);
    expect((await api('POST', `${drafts(d)}/stacks`, { name: 'web', deploy_wave: 1 })).status).toBe(201);
    const added = await api<Draft>('POST', `${drafts(d)}/stacks/web/addons`, {
      name: 'rollout-a',
      chart_name: 'slow-rollout',
      chart_version: '0.1.0',
      repository_url: kit.chartRepoUrl,
      namespace: ns,
      settings: { sync_policy: { sync_options: ['CreateNamespace=true'] } },
      values: 'replicas: 1\nminReadySeconds: 1\n',
    });
    expect(added.status, added.text).toBe(201);
    expect(added.body.changed_files).toEqual([
      { path, change: 'modified' },
      { path: valuesFile, change: 'added' },
    ]);
    // a parent that does not exist: the draft does not validate, the error is located
    await api('PATCH', `${drafts(d)}/stacks/web/addons/rollout-a`, { parents: [{ manifest: 'nope' }] });
    const invalid = await api<{
      valid: boolean;
      errors: { file: string; line: number; path: string; code: string }[];
    }>('POST', `${drafts(d)}/validate`, {});
    expect(invalid.body.valid).toBe(false);
    expect(invalid.body.errors).toEqual([
      expect.objectContaining({
        file: path,
        code: 'missing-parent',
        path: expect.stringMatching(/parents\[0\]/),
      }),
    ]);
    expect((await publish(d)).status).toBe(422);
    await api('PATCH', `${drafts(d)}/stacks/web/addons/rollout-a`, { parents: null });
    expect((await api<{ valid: boolean }>('POST', `${drafts(d)}/validate`, {})).body.valid).toBe(true);

    const preview = await api<{
      valid: boolean;
      agent_error: string | null;
      members: { id: string; action: string }[];
    }>('POST', `${drafts(d)}/preview`, {});
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.agent_error).toBeNull();
    expect(preview.body.members).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'rollout-a', action: 'install' })]),
    );

    const started = Date.now();
    const p = await publish(d);
    expect(p.status, p.text).toBe(200);
    expect(p.body).toMatchObject({ branch: 'main', rebased: false, unchanged: false, sync_requested: true });
    first = p.body.commit;
    const head = await pull();
    expect(head).toBe(first);
    // one commit, by the person, changing the cluster file and adding the values file
    expect(clone.git('rev-list', '--count', `${d.base_commit}..${first}`)).toBe('1');
    expect(clone.git('log', '-1', '--format=%an <%ae>', first)).toBe(`${d.created_by} <alice@example.com>`);
    expect(clone.git('show', '--name-status', '--format=', first).split('\n').sort()).toEqual([
      `A\t${valuesFile}`,
      `M\t${path}`,
    ]);
    const text = clone.git('show', `${first}:${path}`);
    expect(text).toContain('# kept: a comment Mooring does not write');
    expect(text).toContain('# the namespace first');
    expect(text).toContain('from_file: values/rollout-a.yaml');
    expect(clone.git('show', `${first}:${valuesFile}`)).toBe('replicas: 1\nminReadySeconds: 1');

    const sync = await finished(first);
    console.log(`publish → synced and deployed: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(sync.status).toBe('success');
    expect(await release()).toEqual({ revision: 1, status: 'deployed' });
  }, 300_000);

  it('a value edited and published: exactly one Helm upgrade', async () => {
    const d = await newDraft();
    const a = d.stacks.find((s) => s.name === 'web')!.addons[0]!;
    expect(a.values).toBe('replicas: 1\nminReadySeconds: 1\n');
    expect(a.content_file).toBe(valuesFile);
    const edited = await api<Draft>('PATCH', `${drafts(d)}/stacks/web/addons/rollout-a`, {
      values: 'replicas: 2\nminReadySeconds: 1\n',
    });
    expect(edited.body.changed_files).toEqual([{ path: valuesFile, change: 'modified' }]);
    const calls = session!.agent.engine.helm.runner.calls;
    const p = await publish(d);
    expect(p.status, p.text).toBe(200);
    const sync = await finished(p.body.commit);
    expect(sync).toMatchObject({ status: 'success', changed_members: ['addon/rollout-a'] });
    expect(session!.agent.engine.helm.runner.calls - calls).toBe(1);
    expect(await release()).toEqual({ revision: 2, status: 'deployed' });
    expect(await releaseValues()).toMatchObject({ replicas: 2 });
  }, 240_000);

  it('reverting the commit in Git rolls the release back', async () => {
    await pull();
    const edit = clone.git('rev-parse', 'HEAD');
    clone.git('revert', '--no-edit', edit);
    await clone.push();
    const reverted = clone.git('rev-parse', 'HEAD');
    expect((await api('POST', `/clusters/${clusterId}/sync`, {})).status).toBe(202);
    const sync = await finished(reverted);
    expect(sync).toMatchObject({ status: 'success', changed_members: ['addon/rollout-a'] });
    expect(await release()).toEqual({ revision: 3, status: 'deployed' });
    expect(await releaseValues()).toMatchObject({ replicas: 1 });
  }, 240_000);

  it('a concurrent push to another file: the publish is rebased onto it', async () => {
    const d = await newDraft();
    await api('PATCH', `${drafts(d)}/stacks/web/addons/rollout-a`, {
      values: 'replicas: 3\nminReadySeconds: 1\n',
    });
    await pull();
    const theirs = clone.commit({ 'README.md': '# fleet\n\nEdited by someone else.\n' }, 'docs');
    await clone.push();
    const p = await publish(d);
    expect(p.status, p.text).toBe(200);
    expect(p.body.rebased).toBe(true);
    await pull();
    expect(clone.git('rev-parse', `${p.body.commit}~1`)).toBe(theirs);
    expect(clone.git('show', '--name-only', '--format=', p.body.commit)).toBe(valuesFile);
    expect((await finished(p.body.commit)).status).toBe('success');
  }, 240_000);

  it('a concurrent push to the same file: 409 naming the file, nothing pushed', async () => {
    const d = await newDraft();
    await api('PATCH', `${drafts(d)}/stacks/web/addons/rollout-a`, {
      values: 'replicas: 4\nminReadySeconds: 1\n',
    });
    await pull();
    const theirs = clone.commit(
      { [valuesFile]: 'replicas: 5\nminReadySeconds: 1\n' },
      'scaled by hand in Git',
    );
    await clone.push();
    const p = await publish(d);
    expect(p.status, p.text).toBe(409);
    expect((p.body as unknown as { error: { message: string } }).error.message).toContain(valuesFile);
    expect(await pull()).toBe(theirs);
    // the draft stays open and can be discarded
    expect((await api('DELETE', drafts(d))).status).toBe(204);
  }, 120_000);

  it('a draft written back unchanged through the API publishes nothing', async () => {
    const head = await pull();
    const d = await newDraft();
    for (const s of d.stacks) {
      expect((await api('PATCH', `${drafts(d)}/stacks/${s.name}`, s.fields)).status).toBe(200);
      for (const a of s.addons) {
        const r = await api('PATCH', `${drafts(d)}/stacks/${s.name}/addons/${a.name}`, {
          ...a.fields,
          values: a.values,
        });
        expect(r.status, r.text).toBe(200);
      }
      for (const m of s.manifests) {
        const r = await api('PATCH', `${drafts(d)}/stacks/${s.name}/manifests/${m.name}`, {
          ...m.fields,
          manifest: m.manifest,
        });
        expect(r.status, r.text).toBe(200);
      }
    }
    expect((await api<Draft>('GET', drafts(d))).body.changed_files).toEqual([]);
    const p = await publish(d);
    expect(p.body).toMatchObject({ unchanged: true, commit: head });
    expect(await pull()).toBe(head);
  }, 120_000);

  it('a new file that would replace one the definition does not read: 409 naming it', async () => {
    await pull();
    clone.commit({ [`${dir}/values/extra.yaml`]: 'kept: true\n' }, 'a file of someone else');
    await clone.push();
    const d = await newDraft();
    const r = await api('POST', `${drafts(d)}/stacks/web/addons`, {
      name: 'extra',
      chart_name: 'slow-rollout',
      chart_version: '0.1.0',
      repository_url: kit.chartRepoUrl,
      namespace: ns,
      values: 'replicas: 1\n',
    });
    expect(r.status, r.text).toBe(201);
    const p = await publish(d, { branch: `builder/extra-${d.id.slice(0, 8)}` });
    expect(p.status, p.text).toBe(409);
    expect(p.text).toContain(`${dir}/values/extra.yaml already exists`);
  }, 120_000);

  it('encrypted_paths added to values already in Git: the file is encrypted in the commit', async () => {
    const d = await newDraft();
    const r = await api<Draft>('PATCH', `${drafts(d)}/stacks/web/addons/rollout-a`, {
      configuration: { encrypted_paths: ['minReadySeconds'] },
    });
    expect(r.body.changed_files).toEqual([{ path, change: 'modified' }]);
    const p = await publish(d, { branch: `builder/enc-${d.id.slice(0, 8)}` });
    expect(p.status, p.text).toBe(200);
    expect(p.body.encrypted).toEqual([{ path: valuesFile, paths: ['minReadySeconds'] }]);
    await pull(p.body.branch);
    expect(clone.git('show', `${p.body.commit}:${valuesFile}`)).toMatch(
      /^minReadySeconds: ENC\[AES256_GCM,/m,
    );
    expect(clone.git('show', '--name-only', '--format=', p.body.commit).split('\n').sort()).toEqual(
      [path, valuesFile].sort(),
    );
  }, 120_000);

  it('a value chosen for encryption is ciphertext in Git and plaintext only in the release', async () => {
    const secret = `s3cr3t-${Date.now().toString(36)}`;
    await pull();
    const d = await newDraft('A token for rollout-a');
    const edited = await api<Draft>('PATCH', `${drafts(d)}/stacks/web/addons/rollout-a`, {
      configuration: { encrypted_paths: ['auth.token'] },
      values: `replicas: 1\nminReadySeconds: 1\nauth:\n  token: ${secret}\n`,
    });
    expect(edited.status, edited.text).toBe(200);
    // never shown back
    expect(edited.text).not.toContain(secret);
    expect((await api('GET', drafts(d))).text).not.toContain(secret);
    const p = await publish(d);
    expect(p.status, p.text).toBe(200);
    expect(p.body).toMatchObject({ branch: 'main', sync_requested: true, pull_request: null });
    expect(p.body.encrypted).toEqual([{ path: valuesFile, paths: ['auth.token'] }]);
    await pull();
    const inGit = clone.git('show', `${p.body.commit}:${valuesFile}`);
    expect(inGit).toMatch(/token: ENC\[AES256_GCM,/);
    expect(inGit).toContain('replicas: 1');
    expect(clone.git('show', p.body.commit)).not.toContain(secret);
    // the kit's age key decrypts it
    const f = join(work, 'encrypted.yaml');
    writeFileSync(f, inGit);
    const { stdout } = await run(kit.sops, ['decrypt', f], { env: helmEnv() });
    expect(stdout).toContain(`token: ${secret}`);
    // the agent decrypts it in memory with the cluster's age key: the release has the plaintext
    expect((await finished(p.body.commit)).status).toBe('success');
    expect(await releaseValues()).toMatchObject({ auth: { token: secret } });
  }, 120_000);
});
