import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CheckInSession,
  loadConfig as loadAgentConfig,
  silentLogger,
  startCheckInSession,
} from '@mooring/agent';
import { CoreApi, KubeConfig, ReleaseStore } from '@mooring/kube';
import { kitClients, type NatsOperatorServer, startNatsOperator, testNamespace } from '@mooring/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { type RunningPlatform, startPlatform } from '../src/platform.ts';

// The command/result round trip: the platform (in process, the kit's PostgreSQL, nats-server
// in operator mode) starts an operation; the real agent (check-in, per-cluster credentials,
// engine) applies it to the kit's cluster and sweeps; the steps advance on its results.

const kit = inject('kit');
const { core } = kitClients(kit);
let workDir: string;
let nats: NatsOperatorServer;
let dbName: string;
let platform: RunningPlatform;
let session: CheckInSession | undefined;
const namespaces: string[] = [];

beforeAll(async () => {
  if (!kit.postgresUrl) throw new Error('the kit did not start PostgreSQL');
  workDir = mkdtempSync(join(tmpdir(), 'mooring-roundtrip-'));
  nats = await startNatsOperator(workDir);
  dbName = `roundtrip_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: kit.postgresUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const url = new URL(kit.postgresUrl);
  url.pathname = `/${dbName}`;
  platform = await startPlatform({
    config: loadConfig({
      MOORING_DATA_DIR: join(workDir, 'platform'),
      MOORING_DATABASE_URL: url.toString(),
      MOORING_PORT: '0',
      MOORING_NATS_URL: nats.url,
      MOORING_NATS_ACCOUNT: nats.account.publicKey,
      MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED: nats.account.signingKeySeed,
    }),
    logger: createLogger('silent'),
    print: () => {},
  });
}, 120_000);

afterAll(async () => {
  await session?.stop().catch(() => undefined);
  await platform?.close();
  await nats?.stop();
  for (const n of namespaces) await core.deleteNamespace({ name: n }).catch(() => undefined);
  if (kit.postgresUrl && dbName) {
    const c = new pg.Client({ connectionString: kit.postgresUrl });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('operations: command and result round trip with the real agent', () => {
  it('an apply operation deploys through the agent; its steps end in success with per-member outcomes and drift detail', async () => {
    const ns = testNamespace('ops-roundtrip');
    namespaces.push(ns);
    const name = `roundtrip-${Date.now().toString(36)}`;
    const definition = `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  stacks:
    - name: base
      addons:
        - name: hook
          chart_name: failing-hook
          chart_version: "0.1.0"
          repository_url: ${kit.chartRepoUrl}
          namespace: ${ns}
          settings:
            sync_policy:
              sync_options: [CreateNamespace=true]
`;
    const owner = platform.firstCredentials!;
    const { token } = await platform.services.auth.login(owner.username, owner.password);
    const principal = (await platform.services.auth.authenticate(token))!;
    const imported = await platform.services.clusters.import(principal as never, {
      definition,
      path: 'cluster.yaml',
    });
    const clusterId = imported.cluster.id;
    session = await startCheckInSession({
      config: loadAgentConfig({
        MOORING_CLUSTER_ID: clusterId,
        MOORING_TOKEN: imported.agent_token,
        MOORING_PLATFORM_URL: platform.address!.replace('[::1]', '127.0.0.1'),
        MOORING_KUBECONFIG: kit.kubeconfig,
        MOORING_HELM: kit.helm,
        MOORING_CHART_CACHE: mkdtempSync(join(workDir, 'charts-')),
        MOORING_HTTP_PORT: '0',
        MOORING_RECONCILE_INTERVAL_SECONDS: '300',
        MOORING_SHUTDOWN_TIMEOUT_SECONDS: '5',
      }),
      logger: silentLogger(),
      helmEnv: kit.env,
      commandPollMs: 500,
    });

    const ops = platform.services.operations;
    const op = await ops.start({
      clusterId,
      type: 'apply',
      steps: [
        {
          name: 'apply',
          kind: 'apply',
          payload: { files: { 'cluster.yaml': definition }, path: 'cluster.yaml' },
        },
        { name: 'sweep', kind: 'sweep' },
      ],
      createdBy: principal.kind === 'user' ? principal.userId : 'test',
    });
    let detail = await ops.get(principal as never, op.id);
    await expect
      .poll(
        async () => {
          detail = await ops.get(principal as never, op.id);
          return detail.state;
        },
        { timeout: 180_000, interval: 500 },
      )
      .toBe('success');
    expect(detail.steps.map((s) => [s.name, s.state, s.sends])).toEqual([
      ['apply', 'success', 1],
      ['sweep', 'success', 1],
    ]);
    const apply = detail.steps[0]!.result as {
      ok: boolean;
      apply: { members: { id: string; phase: string }[] };
    };
    expect(apply.ok).toBe(true);
    expect(apply.apply.members).toEqual([expect.objectContaining({ id: 'addon/hook', phase: 'synced' })]);
    const sweep = detail.steps[1]!.result as {
      sweep: { members: { name: string; drifted_objects: number }[] };
    };
    expect(sweep.sweep.members).toEqual([expect.objectContaining({ name: 'hook', drifted_objects: 0 })]);
    const release = await new ReleaseStore(new CoreApi(KubeConfig.from(kitClients(kit).kc))).latest(
      'hook',
      ns,
    );
    expect(release?.status).toBe('deployed');

    // the agent's heartbeats are stored: the lag is finite
    await expect
      .poll(
        async () =>
          /mooring_native_engine_reconcile_loop_lag_seconds\{cluster_id="[^"]+"\} ([0-9.e+-]+)/.exec(
            await (await platform.app.inject({ method: 'GET', url: '/metrics' })).body,
          )?.[1],
        { timeout: 60_000 },
      )
      .toMatch(/^[0-9.]+$/);
  }, 300_000);
});
