// Helm operations through the platform: every release of a cluster (list, history, values,
// manifest, rollback, uninstall) read and acted on by the real agent against the kit's
// cluster, over NATS in operator mode.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CheckInSession,
  loadConfig as loadAgentConfig,
  silentLogger,
  startCheckInSession,
} from '@mooring/agent';
import { kitClients, type NatsOperatorServer, testNamespace } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningPlatform } from '../src/platform.ts';
import { signInAsOwner, startOperatorPlatform } from './support/agentPlatform.ts';

const kit = inject('kit');
const { core } = kitClients(kit);
const ns = testNamespace('helm-ops');

let workDir: string;
let nats: NatsOperatorServer;
let platform: RunningPlatform;
let baseUrl: string;
let adminToken: string;
let session: CheckInSession | undefined;
let clusterId: string;

async function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

function helm(args: string[]): string {
  return execFileSync(kit.helm, args, {
    env: { ...process.env, ...kit.env, KUBECONFIG: kit.kubeconfig! },
    encoding: 'utf8',
  });
}

async function operationState(id: string): Promise<string> {
  return (await api<{ state: string }>('GET', `/operations/${id}`)).body.state;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'mooring-helm-ops-'));
  await core.createNamespace({ body: { metadata: { name: ns } } });
  ({ nats, platform } = await startOperatorPlatform(workDir));
  ({ baseUrl, adminToken } = await signInAsOwner(platform));
  // one add-on of the definition whose values declare an encrypted path
  const imported = await api<{ cluster: { id: string }; agent_token: string }>('POST', '/clusters', {
    definition: `apiVersion: v1
kind: ImportCluster
metadata:
  name: helm-${Date.now().toString(36)}
spec:
  stacks:
    - name: apps
      addons:
        - name: secretive
          chart_name: slow-rollout
          chart_version: "0.1.0"
          repository_url: ${kit.chartRepoUrl}
          namespace: ${ns}
          configuration:
            values: |
              replicas: 1
              minReadySeconds: 1
              auth:
                user: app
                password: hunter2-in-git-encrypted
          encrypted_paths: [auth.password]
`,
  });
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  clusterId = imported.body.cluster.id;
  session = await startCheckInSession({
    config: loadAgentConfig({
      MOORING_CLUSTER_ID: clusterId,
      MOORING_TOKEN: imported.body.agent_token,
      MOORING_PLATFORM_URL: baseUrl,
      MOORING_KUBECONFIG: kit.kubeconfig,
      MOORING_HELM: kit.helm,
      MOORING_CHART_CACHE: mkdtempSync(join(workDir, 'charts-')),
      MOORING_HTTP_PORT: '0',
      MOORING_RECONCILE_INTERVAL_SECONDS: '300',
      MOORING_SHUTDOWN_TIMEOUT_SECONDS: '10',
    }),
    logger: silentLogger(),
    helmEnv: kit.env,
    commandPollMs: 500,
  });
  // a release nobody declared, installed with helm, upgraded once: two revisions
  const chart = join(workDir, 'by-hand');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(
    join(chart, 'Chart.yaml'),
    'apiVersion: v2\nname: by-hand\nversion: 0.1.0\nappVersion: "1.0"\n',
  );
  writeFileSync(
    join(chart, 'templates', 'objects.yaml'),
    [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: by-hand',
      'data:',
      '  greeting: {{ .Values.greeting | quote }}',
      '---',
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: by-hand',
      'stringData:',
      '  token: {{ .Values.token | quote }}',
      '',
    ].join('\n'),
  );
  helm(['install', 'by-hand', chart, '-n', ns, '--set', 'greeting=hello', '--set', 'token=s3cr3t-token']);
  writeFileSync(
    join(workDir, 'upgrade.yaml'),
    'greeting: bonjour\ntoken: s3cr3t-token\nsealed: ENC[AES256_GCM,data:abc=,iv:def=,tag:ghi=,type:str]\n',
  );
  helm(['upgrade', 'by-hand', chart, '-n', ns, '-f', join(workDir, 'upgrade.yaml')]);
}, 180_000);

afterAll(async () => {
  await session?.stop().catch(() => undefined);
  await platform?.close();
  await nats?.stop();
  await core.deleteNamespace({ name: ns }).catch(() => undefined);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('Helm releases through the platform (real agent, NATS in operator mode, the kit cluster)', () => {
  it('lists every release of the cluster, with its history', async () => {
    await expect
      .poll(
        async () =>
          (
            await api<{ items: { name: string; status: string }[] }>(
              'GET',
              `/clusters/${clusterId}/helm/releases?namespace=${ns}`,
            )
          ).body.items?.map((r) => `${r.name}:${r.status}`),
        { timeout: 120_000, interval: 1000 },
      )
      .toEqual(['by-hand:deployed', 'secretive:deployed']);
    const all = await api<{ items: { name: string; namespace: string; revision: number; chart: string }[] }>(
      'GET',
      `/clusters/${clusterId}/helm/releases`,
    );
    expect(all.body.items).toContainEqual(
      expect.objectContaining({ name: 'by-hand', namespace: ns, revision: 2, chart: 'by-hand' }),
    );
    const history = await api<{ revisions: { revision: number; status: string }[] }>(
      'GET',
      `/clusters/${clusterId}/helm/releases/${ns}/by-hand/history`,
    );
    expect(history.body.revisions.map((r) => [r.revision, r.status])).toEqual([
      [2, 'deployed'],
      [1, 'superseded'],
    ]);
    const missing = await api('GET', `/clusters/${clusterId}/helm/releases/${ns}/nothing-here/history`);
    expect(missing.status).toBe(404);
  }, 150_000);

  it('shows values masked: the add-on’s encrypted paths and SOPS strings', async () => {
    const mine = await api<{
      values: Record<string, unknown>;
      encrypted_paths: string[];
      addon: string | null;
    }>('GET', `/clusters/${clusterId}/helm/releases/${ns}/secretive/values`);
    expect(mine.status).toBe(200);
    expect(mine.body.addon).toBe('secretive');
    expect(mine.body.encrypted_paths).toEqual(['auth.password']);
    expect(mine.body.values).toMatchObject({ auth: { user: 'app', password: '***' }, replicas: 1 });
    expect(JSON.stringify(mine.body)).not.toContain('hunter2');
    const hand = await api<{ values: Record<string, unknown>; revision: number }>(
      'GET',
      `/clusters/${clusterId}/helm/releases/${ns}/by-hand/values`,
    );
    expect(hand.body).toMatchObject({
      revision: 2,
      values: { greeting: 'bonjour', token: 's3cr3t-token', sealed: '***' },
    });
    const first = await api<{ values: Record<string, unknown>; revision: number }>(
      'GET',
      `/clusters/${clusterId}/helm/releases/${ns}/by-hand/values?revision=1`,
    );
    expect(first.body).toMatchObject({ revision: 1, values: { greeting: 'hello' } });
    const none = await api('GET', `/clusters/${clusterId}/helm/releases/${ns}/by-hand/values?revision=9`);
    expect(none.status).toBe(404);
  }, 60_000);

  it('shows the manifest with every Secret’s data masked', async () => {
    const m = await api<{ manifest: string; revision: number }>(
      'GET',
      `/clusters/${clusterId}/helm/releases/${ns}/by-hand/manifest`,
    );
    expect(m.status).toBe(200);
    expect(m.body.manifest).toContain('greeting: "bonjour"');
    expect(m.body.manifest).toContain('kind: Secret');
    expect(m.body.manifest).toContain('token: "***"');
    expect(m.body.manifest).not.toContain('s3cr3t-token');
  }, 60_000);

  it('rolls a release back and uninstalls it, as operations', async () => {
    const bad = await api('POST', `/clusters/${clusterId}/helm/releases/${ns}/by-hand/rollback`, {
      revision: 7,
    });
    expect(bad.status).toBe(404);
    const op = await api<{ id: string; type: string }>(
      'POST',
      `/clusters/${clusterId}/helm/releases/${ns}/by-hand/rollback`,
      { revision: 1 },
    );
    expect(op.status, JSON.stringify(op.body)).toBe(202);
    expect(op.body.type).toBe('rollback');
    await expect.poll(() => operationState(op.body.id), { timeout: 120_000, interval: 1000 }).toBe('success');
    expect((await core.readNamespacedConfigMap({ name: 'by-hand', namespace: ns })).data).toEqual({
      greeting: 'hello',
    });
    const history = await api<{ revisions: { revision: number; status: string }[] }>(
      'GET',
      `/clusters/${clusterId}/helm/releases/${ns}/by-hand/history`,
    );
    expect(history.body.revisions[0]).toMatchObject({ revision: 3, status: 'deployed' });

    const un = await api<{ id: string; type: string }>(
      'POST',
      `/clusters/${clusterId}/helm/releases/${ns}/by-hand/uninstall`,
      {},
    );
    expect(un.status).toBe(202);
    await expect.poll(() => operationState(un.body.id), { timeout: 120_000, interval: 1000 }).toBe('success');
    const left = await api<{ items: { name: string }[] }>(
      'GET',
      `/clusters/${clusterId}/helm/releases?namespace=${ns}`,
    );
    expect(left.body.items.map((r) => r.name)).toEqual(['secretive']);
    await expect(core.readNamespacedConfigMap({ name: 'by-hand', namespace: ns })).rejects.toThrow();
  }, 300_000);
});
