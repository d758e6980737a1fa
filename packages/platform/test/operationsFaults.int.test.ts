// Faults through the platform, with real processes: the platform runs in this process on the
// kit's PostgreSQL and a nats-server in operator mode of its own; the agent is a child process
// that checks in with its token. The upgrade is held in pending-upgrade by a pre-upgrade hook
// whose Pod waits for a node label (the "gate").
//  - F2: nats-server killed while the upgrade is held; the gate opens while the bus is down, so
//    the agent's result is published into a dead connection; nats-server starts again.
//  - F1: the agent's process group (the agent and its helm) SIGKILLed while the upgrade is held;
//    a new agent process starts.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreApi, KubeConfig, ReleaseStore } from '@mooring/kube';
import {
  type AgentProcess,
  eventually,
  kitClients,
  type NatsOperatorServer,
  startAgentProcess,
  startNatsOperator,
  testNamespace,
} from '@mooring/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { type RunningPlatform, startPlatform } from '../src/platform.ts';

const kit = inject('kit');
const { core } = kitClients(kit);
const NODE = 'kwok-node-0';
const namespaces: string[] = [];
let workDir: string;
let nats: NatsOperatorServer;
let dbName: string;
let platform: RunningPlatform;
const agents: AgentProcess[] = [];

const kubectl = (args: string[]) =>
  execFileSync(join(kit.binDir, 'kubectl'), args, {
    env: { ...process.env, KUBECONFIG: kit.kubeconfig! },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();

beforeAll(async () => {
  if (!kit.postgresUrl) throw new Error('the kit did not start PostgreSQL');
  workDir = mkdtempSync(join(tmpdir(), 'mooring-ops-bus-restart-'));
  nats = await startNatsOperator(workDir);
  dbName = `busrestart_${randomBytes(6).toString('hex')}`;
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
  for (const a of agents) await a.stop().catch(() => undefined);
  await platform?.close();
  await nats?.stop();
  for (const ns of namespaces) {
    try {
      kubectl(['label', 'node', NODE, `mooring.dev/gate-${ns}-`]);
    } catch {
      /* not labelled */
    }
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
  if (kit.postgresUrl && dbName) {
    const c = new pg.Client({ connectionString: kit.postgresUrl });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}, 60_000);

/** A cluster imported into the platform, whose agent runs as a child process (started with `agent(n)`). */
async function cluster(hint: string) {
  const ns = testNamespace(hint);
  namespaces.push(ns);
  const name = `${hint}-${Date.now().toString(36)}`;
  const definition = (values: string) => `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  stacks:
    - name: base
      addons:
        - name: hooked
          chart_name: failing-hook
          chart_version: "0.1.0"
          repository_url: ${kit.chartRepoUrl}
          namespace: ${ns}
          configuration:
            values: |-
${values
  .split('\n')
  .map((l) => `              ${l}`)
  .join('\n')}
          settings:
            sync_policy:
              sync_options: [CreateNamespace=true]
`;
  const owner = platform.firstCredentials!;
  const { token } = await platform.services.auth.login(owner.username, owner.password);
  const principal = (await platform.services.auth.authenticate(token))!;
  const imported = await platform.services.clusters.import(principal as never, {
    definition: definition('message: one'),
    path: 'cluster.yaml',
  });
  const clusterId = imported.cluster.id;
  const agent = async (n: number) => {
    const a = await startAgentProcess({
      logFile: join(workDir, `${hint}-agent-${n}.log`),
      env: {
        ...kit.env,
        MOORING_CLUSTER_ID: clusterId,
        MOORING_TOKEN: imported.agent_token,
        MOORING_PLATFORM_URL: platform.address!.replace('[::1]', '127.0.0.1'),
        MOORING_KUBECONFIG: kit.kubeconfig,
        MOORING_HELM: kit.helm,
        MOORING_CHART_CACHE: join(workDir, `${hint}-charts-${n}`),
        MOORING_RECONCILE_INTERVAL_SECONDS: '300',
        MOORING_SHUTDOWN_TIMEOUT_SECONDS: '10',
      },
    });
    agents.push(a);
    await eventually('the agent ready', async () => (await a.readyz())?.status === 200, 60_000);
    return a;
  };
  const ops = platform.services.operations;
  const createdBy = principal.kind === 'user' ? principal.userId : 'test';
  const apply = (values: string) =>
    ops.start({
      clusterId,
      type: 'apply',
      steps: [
        {
          name: 'apply',
          kind: 'apply',
          payload: { files: { 'cluster.yaml': definition(values) }, path: 'cluster.yaml' },
        },
      ],
      createdBy,
    });
  const detail = (id: string) => ops.get(principal as never, id);
  const state = async (id: string) => (await detail(id)).state;
  const releases = new ReleaseStore(new CoreApi(KubeConfig.from(kitClients(kit).kc)));
  /** Installs (revision 1), then starts an upgrade held by the gate: the release pending-upgrade. */
  const holdUpgrade = async () => {
    const install = await apply('message: one');
    await eventually('the install', async () => (await state(install.id)) === 'success', 120_000);
    const upgrade = await apply(`message: two\nhook:\n  gate: ${ns}\n  deadlineSeconds: 600`);
    await eventually(
      'the release pending-upgrade (its hook waits for the gate)',
      async () => (await releases.latest('hooked', ns))?.status === 'pending-upgrade',
      60_000,
    );
    return upgrade;
  };
  const openGate = () => kubectl(['label', 'node', NODE, `mooring.dev/gate-${ns}=open`]);
  const history = async () => (await releases.history('hooked', ns)).map((h) => [h.version, h.status]);
  return { ns, agent, detail, state, holdUpgrade, openGate, history, releases };
}

describe('operations through faults', () => {
  it('the upgrade ends while the bus is down: the operation succeeds after the restart, the work ran once', async () => {
    const c = await cluster('ops-bus-restart');
    const a = await c.agent(1);
    const upgrade = await c.holdUpgrade();
    await nats.kill();
    await eventually(
      'the agent sees the bus down',
      async () => (await a.readyz())?.body.bus === 'reconnecting',
    );
    c.openGate();
    await eventually(
      'the upgrade deployed while the bus is down',
      async () => (await c.releases.latest('hooked', c.ns))?.status === 'deployed',
      60_000,
    );
    // the agent holds the result: published into the dead connection, or waiting for the ack
    await new Promise((r) => setTimeout(r, 3000));
    expect(await c.state(upgrade.id)).toBe('running');
    await nats.start();
    const back = Date.now();
    await eventually('the operation done', async () => (await c.state(upgrade.id)) === 'success', 60_000);
    const doneMs = Date.now() - back;
    const detail = await c.detail(upgrade.id);
    expect(detail.steps.map((s) => [s.name, s.state])).toEqual([['apply', 'success']]);
    expect((detail.steps[0]!.result as { ok: boolean }).ok).toBe(true);
    // the work ran once: one Helm revision for it, one run of the apply in the agent's log
    expect(await c.history()).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);
    const runs = a.logLines().filter((l) => l.msg === 'applying definition');
    expect(runs).toHaveLength(2);
    expect(doneMs).toBeLessThanOrEqual(15_000);
    // the ack that failed while the bus was down was sent again, not left to a redelivery
    expect(a.logLines().filter((l) => String(l.msg).startsWith('command crashed'))).toEqual([]);
    console.log(
      `[F2 platform] operation succeeded ${(doneMs / 1000).toFixed(1)} s after nats-server was back (step sent ${detail.steps[0]!.sends} times)`,
    );
  }, 300_000);

  it('F1: the agent killed (with its helm) during the upgrade: the restarted agent completes the same operation once', async () => {
    const c = await cluster('ops-agent-killed');
    const first = await c.agent(1);
    const upgrade = await c.holdUpgrade();
    const killedAt = Date.now();
    await first.kill();
    expect((await c.releases.latest('hooked', c.ns))?.status).toBe('pending-upgrade');
    c.openGate();
    const second = await c.agent(2);
    // the command comes back once its ack wait (30 s) ran out; the restarted agent unlocks the release
    await eventually('the operation done', async () => (await c.state(upgrade.id)) === 'success', 120_000);
    const doneMs = Date.now() - killedAt;
    const detail = await c.detail(upgrade.id);
    expect(detail.steps.map((s) => [s.name, s.state, s.sends])).toEqual([['apply', 'success', 1]]);
    expect(await c.history()).toEqual([
      [1, 'superseded'],
      [2, 'failed'],
      [3, 'deployed'],
    ]);
    expect(second.logLines().filter((l) => l.msg === 'applying definition')).toHaveLength(1);
    console.log(
      `[F1 platform] operation succeeded ${(doneMs / 1000).toFixed(1)} s after the agent was killed`,
    );
  }, 300_000);
});
