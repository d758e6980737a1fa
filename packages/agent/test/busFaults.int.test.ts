// F2: the bus fails during an operation. The agent runs as a child process against its own
// nats-server (the kit's shared one is never touched); the test sends commands as the platform
// does (a new id per send, the step's idempotency key). The operation is an upgrade held in
// pending-upgrade by a pre-upgrade hook whose Pod waits for a node label (the "gate"), with more
// commands queued behind it.
//  - one nats-server killed (SIGKILL) and started again on the same port and store;
//  - the scaled mode: the commands stream replicated on a 3-node nats-server cluster, the
//    stream's leader killed.
// The work ending while the bus is down (its result published into a dead connection) is
// `packages/platform/test/operationsFaults.int.test.ts`: the platform sends running steps
// again when its bus is back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS_STREAM, type CommandEnvelope, commandConsumerName, NatsBus } from '@mooring/bus';
import { CoreApi, KubeConfig, ReleaseStore } from '@mooring/kube';
import {
  baseNatsConfig,
  createNamespace,
  eventually,
  kitClients,
  type NatsCluster,
  type NatsServer,
  runNatsServer,
  startAgentProcess,
  startNatsCluster,
  testNamespace,
} from '@mooring/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type CommandResult, resultSubject } from '../src/results.ts';

const kit = inject('kit');
const { kc, core } = kitClients(kit);
const releases = new ReleaseStore(new CoreApi(KubeConfig.from(kc)));
const work = mkdtempSync(join(tmpdir(), 'mooring-bus-faults-'));
const NODE = 'kwok-node-1';
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}, 60_000);

const kubectl = (args: string[]) =>
  execFileSync(join(kit.binDir, 'kubectl'), args, {
    env: { ...process.env, KUBECONFIG: kit.kubeconfig! },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();

/** One scenario's cluster id, namespace, platform-side connection and agent process. */
async function scenario(hint: string, servers: string[], replicas: number) {
  const ns = testNamespace(hint);
  const clusterId = `${hint}-${ns.slice(-6)}`;
  const dropNamespace = await createNamespace(core, ns);
  cleanups.push(dropNamespace);
  cleanups.push(async () => {
    try {
      kubectl(['label', 'node', NODE, `mooring.dev/gate-${ns}-`]);
    } catch {
      /* not labelled */
    }
  });
  const results: CommandResult[] = [];
  const bus = await NatsBus.connect({
    servers,
    name: 'test-platform',
    commandReplicas: replicas,
    reconnectTimeWaitMs: 500,
    reconnectJitterMs: 250,
  });
  cleanups.push(() => bus.close());
  await bus.subscribe<CommandResult>(resultSubject(clusterId), (m) => {
    results.push(m.data);
  });
  // the platform creates the stream and the cluster's consumer before the agent connects
  await bus.prepareCommands(clusterId);
  const agent = await startAgentProcess({
    logFile: join(work, `${hint}-agent.log`),
    env: {
      ...kit.env,
      MOORING_CLUSTER_ID: clusterId,
      MOORING_NATS_URL: servers.join(','),
      MOORING_KUBECONFIG: kit.kubeconfig,
      MOORING_HELM: kit.helm,
      MOORING_CHART_CACHE: join(work, `${hint}-charts`),
      MOORING_RECONCILE_INTERVAL_SECONDS: '300',
      MOORING_SHUTDOWN_TIMEOUT_SECONDS: '10',
    },
  });
  cleanups.push(async () => {
    await agent.stop();
  });
  const path = `clusters/${hint}/import-cluster.yaml`;
  const applyPayload = (values: string) => ({
    files: {
      [path]: `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${clusterId}
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
            from_file: values.yaml
`,
      [`clusters/${hint}/values.yaml`]: values,
    },
    path,
  });
  let n = 0;
  /** Sends as the platform does; a send refused while the bus fails over is sent again (same id: stored once). */
  const send = async (kind: string, payload: Record<string, unknown>): Promise<CommandEnvelope> => {
    n++;
    const key = `op-${clusterId}:${n}-${kind}`;
    const c: CommandEnvelope = {
      id: `${key}:send-1`,
      kind,
      cluster_id: clusterId,
      issued_at: new Date().toISOString(),
      payload,
      idempotency_key: key,
    };
    await eventually(
      `command ${c.id} stored`,
      async () => {
        await bus.commands(clusterId).send(c);
        return true;
      },
      30_000,
    );
    return c;
  };
  const resultsOf = (c: CommandEnvelope) => results.filter((r) => r.command_id === c.id);
  /** How many times the agent ran an apply (its log names the command on every run). */
  const runs = (c: CommandEnvelope) =>
    agent.logLines().filter((l) => l.command_id === c.id && l.msg === 'applying definition').length;
  /** A command delivered again (a crash, a replay from the idempotency record, a wait for a twin). */
  const redeliveries = () =>
    agent
      .logLines()
      .filter((l) => l.command_id !== undefined && Number(l.delivery ?? 1) > 1)
      .map((l) => `${l.command_id} delivery ${l.delivery}: ${l.msg}`);
  const busStatus = async () => (await agent.readyz())?.body.bus;
  const holdUpgrade = async () => {
    const install = await send('apply', applyPayload('message: one\n'));
    await eventually('the install result', async () => resultsOf(install)[0], 120_000);
    expect(resultsOf(install)[0], JSON.stringify(resultsOf(install)[0])).toMatchObject({ ok: true });
    const upgrade = await send(
      'apply',
      applyPayload(`message: two\nhook:\n  gate: ${ns}\n  deadlineSeconds: 600\n`),
    );
    await eventually(
      'the release pending-upgrade (its hook waits for the gate)',
      async () => (await releases.latest('hooked', ns))?.status === 'pending-upgrade',
      60_000,
    );
    return { install, upgrade };
  };
  const openGate = () => kubectl(['label', 'node', NODE, `mooring.dev/gate-${ns}=open`]);
  return {
    ns,
    clusterId,
    bus,
    agent,
    results,
    send,
    resultsOf,
    runs,
    redeliveries,
    busStatus,
    holdUpgrade,
    openGate,
    applyPayload,
  };
}

describe('F2: the bus fails during an operation', () => {
  it('nats-server killed and restarted: the agent reconnects within 5 s, no command lost or run twice', async () => {
    const nats: NatsServer = await runNatsServer(work, 'nats-f2', (p) => `${baseNatsConfig('f2', p)}\n`);
    cleanups.push(() => nats.stop());
    const s = await scenario('nats-restart', [nats.url], 1);
    await eventually('the agent connected', async () => (await s.busStatus()) === 'connected', 60_000);
    const { install, upgrade } = await s.holdUpgrade();
    // more work queued behind the running upgrade: applies wait for it, sweeps run beside it
    const queued: CommandEnvelope[] = [];
    for (let i = 0; i < 3; i++) {
      queued.push(
        await s.send(
          'apply',
          s.applyPayload(`message: two\nhook:\n  gate: ${s.ns}\n  deadlineSeconds: 600\n`),
        ),
      );
      queued.push(await s.send('sweep', {}));
    }
    await nats.kill();
    await eventually(
      'the agent sees the bus down',
      async () => (await s.busStatus()) === 'reconnecting',
      10_000,
    );
    // commands sent while the server is down wait in the platform: nothing to send now
    await new Promise((r) => setTimeout(r, 1000));
    await nats.start();
    const back = Date.now();
    await eventually('the agent connected again', async () => (await s.busStatus()) === 'connected', 15_000);
    const reconnectMs = Date.now() - back;
    expect(reconnectMs).toBeLessThanOrEqual(5000);
    // sent after the restart: the stream kept what was stored before it
    const after = await s.send('sweep', {});
    s.openGate();
    const all = [upgrade, ...queued, after];
    await eventually('every result', async () => all.every((c) => s.resultsOf(c).length > 0), 120_000);
    // nothing run twice: wait a moment for a late duplicate, then one run of each apply. A command
    // whose ack was lost with the server may be delivered again (on a loaded machine the ack wait
    // can pass): it is then answered from the agent's record with the same outcome, never run again
    await new Promise((r) => setTimeout(r, 3000));
    for (const c of [install, ...all]) {
      const results = s.resultsOf(c);
      expect(results.length, c.id).toBeGreaterThanOrEqual(1);
      for (const r of results) expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(new Set(results.map((r) => r.outcome)).size, `${c.id}: one outcome`).toBe(1);
      if (c.kind === 'apply') expect(s.runs(c), `runs of ${c.id}`).toBe(1);
    }
    for (const line of s.redeliveries()) expect(line).not.toMatch(/: applying definition$/);
    expect(s.resultsOf(upgrade)[0]?.apply?.members[0]).toMatchObject({ phase: 'synced', revision: 2 });
    // the queued applies found the release current: no Helm call, no new revision
    for (const c of queued.filter((q) => q.kind === 'apply'))
      expect(s.resultsOf(c)[0]?.apply?.members[0]?.phase).toBe('unchanged');
    expect((await releases.history('hooked', s.ns)).map((h) => [h.version, h.status])).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);
    console.log(
      `[F2] nats-server restarted: the agent connected again ${(reconnectMs / 1000).toFixed(1)} s after it was up`,
    );
  }, 240_000);

  it('3-node JetStream cluster: the commands stream (3 replicas) loses nothing when its leader is killed mid-operation', async () => {
    const cluster: NatsCluster = await startNatsCluster(work, { nodes: 3, name: 'f2-cluster' });
    cleanups.push(() => cluster.stop());
    const s = await scenario('nats-cluster', cluster.urls, 3);
    await eventually('the agent connected', async () => (await s.busStatus()) === 'connected', 60_000);
    const manager = await jetstreamManager(s.bus.nc);
    const info = await manager.streams.info(COMMANDS_STREAM);
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.replicas?.length).toBe(2);
    const { install, upgrade } = await s.holdUpgrade();
    const queued: CommandEnvelope[] = [];
    for (let i = 0; i < 3; i++) {
      queued.push(
        await s.send(
          'apply',
          s.applyPayload(`message: two\nhook:\n  gate: ${s.ns}\n  deadlineSeconds: 600\n`),
        ),
      );
      queued.push(await s.send('sweep', {}));
    }
    const leader = (await manager.streams.info(COMMANDS_STREAM)).cluster?.leader;
    const consumerLeader = (await manager.consumers.info(COMMANDS_STREAM, commandConsumerName(s.clusterId)))
      .cluster?.leader;
    const victim = cluster.nodes.find((n) => n.name === leader)!;
    expect(victim, `the stream leader ${leader}`).toBeDefined();
    const killedAt = Date.now();
    await victim.kill();
    // while one node is down: more commands go in (the platform's connection fails over too)
    const during: CommandEnvelope[] = [];
    for (let i = 0; i < 3; i++) during.push(await s.send('sweep', {}));
    const newLeader = await eventually(
      'a new stream leader',
      async () => {
        const l = (await manager.streams.info(COMMANDS_STREAM)).cluster?.leader;
        return l && l !== leader ? l : undefined;
      },
      30_000,
    );
    const electedMs = Date.now() - killedAt;
    s.openGate();
    const all = [upgrade, ...queued, ...during];
    await eventually('every result', async () => all.every((c) => s.resultsOf(c).length > 0), 120_000);
    await new Promise((r) => setTimeout(r, 3000));
    // as above: a redelivery (an ack lost with the leader) is answered from the record, never run again
    for (const c of [install, ...all]) {
      const results = s.resultsOf(c);
      expect(results.length, c.id).toBeGreaterThanOrEqual(1);
      for (const r of results) expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(new Set(results.map((r) => r.outcome)).size, `${c.id}: one outcome`).toBe(1);
      if (c.kind === 'apply') expect(s.runs(c), `runs of ${c.id}`).toBe(1);
    }
    for (const line of s.redeliveries()) expect(line).not.toMatch(/: applying definition$/);
    expect(s.resultsOf(upgrade)[0]?.apply?.members[0]).toMatchObject({ phase: 'synced', revision: 2 });
    expect((await releases.history('hooked', s.ns)).map((h) => [h.version, h.status])).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);
    // the work queue is empty: every command acked exactly once, none left to deliver again
    const after = await manager.consumers.info(COMMANDS_STREAM, commandConsumerName(s.clusterId));
    expect(after.num_pending + after.num_ack_pending).toBe(0);
    console.log(
      `[F2] stream leader ${leader} (consumer leader ${consumerLeader}) killed: new leader ${newLeader} after ${(electedMs / 1000).toFixed(1)} s`,
    );
  }, 240_000);
});
