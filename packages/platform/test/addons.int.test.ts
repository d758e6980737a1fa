import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CheckInSession,
  loadConfig as loadAgentConfig,
  silentLogger,
  startCheckInSession,
} from '@mooring/agent';
import { kitClients, type NatsOperatorServer, startNatsOperator, testNamespace } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { type RunningPlatform, startPlatform } from '../src/platform.ts';

const kit = inject('kit');
const { core } = kitClients(kit);

let workDir: string;
let nats: NatsOperatorServer;
let platform: RunningPlatform;
let baseUrl: string;
let adminToken: string;
let session: CheckInSession | undefined;
const namespaces: string[] = [];

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

function definition(name: string, namespace: string): string {
  return `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  stacks:
    - name: web
      addons:
        - name: rollout
          chart_name: slow-rollout
          chart_version: "0.1.0"
          repository_url: ${kit.chartRepoUrl}
          namespace: ${namespace}
          configuration:
            values: |
              replicas: 1
              minReadySeconds: 1
          settings:
            sync_policy:
              sync_options: [CreateNamespace=true]
`;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'mooring-addons-'));
  nats = await startNatsOperator(workDir);
  platform = await startPlatform({
    config: loadConfig({
      MOORING_DATA_DIR: join(workDir, 'platform'),
      MOORING_PORT: '0',
      MOORING_LOG_LEVEL: 'silent',
      MOORING_NATS_URL: nats.url,
      MOORING_NATS_ACCOUNT: nats.account.publicKey,
      MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED: nats.account.signingKeySeed,
      MOORING_NATS_SYSTEM_CREDS: nats.system.userCreds,
    }),
    logger: createLogger('silent'),
    print: () => {},
  });
  baseUrl = platform.address!;
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: platform.firstCredentials!.username,
      password: platform.firstCredentials!.password,
    }),
  });
  adminToken = ((await login.json()) as { token: string }).token;
}, 120_000);

afterAll(async () => {
  await session?.stop().catch(() => undefined);
  await platform?.close();
  await nats?.stop();
  for (const n of namespaces) await core.deleteNamespace({ name: n }).catch(() => undefined);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('add-ons of a cluster (real platform, NATS in operator mode, the agent against the kit cluster)', () => {
  it('a synced add-on is listed with its state and revision; its detail has Helm history, events and the resource tree', async () => {
    const ns = testNamespace('addons-int');
    namespaces.push(ns);
    const imported = await api<{ cluster: { id: string }; agent_token: string }>('POST', '/clusters', {
      definition: definition(`addons-${Date.now().toString(36)}`, ns),
    });
    expect(imported.status).toBe(201);
    const id = imported.body.cluster.id;
    session = await startCheckInSession({
      config: loadAgentConfig({
        MOORING_CLUSTER_ID: id,
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

    const before = await api<{ items: { name: string; state: string }[] }>('GET', `/clusters/${id}/addons`);
    expect(before.body.items).toEqual([
      expect.objectContaining({ name: 'rollout', state: 'Pending', chart: 'slow-rollout' }),
    ]);

    // sync: an operation whose apply command the agent runs; its result feeds operations and the read model
    const op = await api<{ id: string; type: string }>('POST', `/clusters/${id}/addons/rollout/sync`, {});
    expect(op.status).toBe(202);
    await expect
      .poll(async () => (await api<{ state: string }>('GET', `/operations/${op.body.id}`)).body.state, {
        timeout: 120_000,
        interval: 1000,
      })
      .toBe('success');

    const list = await api<{ items: Record<string, unknown>[] }>('GET', `/clusters/${id}/addons`);
    expect(list.body.items[0]).toMatchObject({
      name: 'rollout',
      chart: 'slow-rollout',
      version: '0.1.0',
      namespace: ns,
      stack: 'web',
      state: 'Synced',
      health: 'Healthy',
      engine: 'native',
      revision: 1,
      in_definition: true,
    });
    expect(list.body.items[0]?.last_updated).toEqual(expect.any(String));

    const detail = await api<{
      values: unknown;
      history: { revision: number; status: string; chart: string }[] | null;
      tree:
        | { kind: string; name: string; children: { kind: string; children: { kind: string }[] }[] }[]
        | null;
      events: unknown[] | null;
      live_errors: string[];
    }>('GET', `/clusters/${id}/addons/rollout`);
    expect(detail.status).toBe(200);
    expect(detail.body.live_errors).toEqual([]);
    expect(detail.body.values).toEqual({ replicas: 1, minReadySeconds: 1 });
    expect(detail.body.history).toEqual([
      expect.objectContaining({ revision: 1, status: 'deployed', chart: 'slow-rollout' }),
    ]);
    const deployment = detail.body.tree?.find((n) => n.kind === 'Deployment');
    expect(deployment?.name).toBe('rollout');
    expect(deployment?.children.map((c) => c.kind)).toEqual(['ReplicaSet']);
    expect(deployment?.children[0]?.children.map((c) => c.kind)).toEqual(['Pod']);
    expect(Array.isArray(detail.body.events)).toBe(true);

    // uninstall: an operation the agent runs (helm uninstall); the reconciler keeps the definition,
    // so an add-on that self-heals is installed again afterwards
    const done = async (opId: string) =>
      expect
        .poll(async () => (await api<{ state: string }>('GET', `/operations/${opId}`)).body.state, {
          timeout: 120_000,
          interval: 1000,
        })
        .toBe('success');
    const uninstall = await api<{ id: string }>('POST', `/clusters/${id}/addons/rollout/uninstall`, {});
    expect(uninstall.status).toBe(202);
    await done(uninstall.body.id);
    const op2 = await api<{ steps: { kind: string; state: string }[] }>(
      'GET',
      `/operations/${uninstall.body.id}`,
    );
    expect(op2.body.steps).toEqual([expect.objectContaining({ kind: 'uninstall', state: 'success' })]);
  }, 240_000);
});
