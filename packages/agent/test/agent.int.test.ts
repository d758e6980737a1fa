import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandEnvelope, type HeartbeatMessage, heartbeatSubject, NatsBus } from '@mooring/bus';
import { CoreApi, KubeConfig, ReleaseStore } from '@mooring/kube';
import { kitClients, testNamespace } from '@mooring/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type Agent, startAgent } from '../src/agent.ts';
import { loadConfig } from '../src/config.ts';
import { type HealthServer, startHealthServer } from '../src/health.ts';
import { silentLogger } from '../src/logger.ts';
import { type CommandResult, resultSubject } from '../src/results.ts';

const kit = inject('kit');
const { kc, core } = kitClients(kit);
const releases = new ReleaseStore(new CoreApi(KubeConfig.from(kc)));
const namespaces: string[] = [];
afterAll(async () => {
  for (const n of namespaces) await core.deleteNamespace({ name: n }).catch(() => undefined);
});

const uid = () => Math.random().toString(36).slice(2, 8);
const logger = silentLogger();

async function waitFor<T>(get: () => T | undefined, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The agent as `main.ts` runs it, in-process, against the kit's NATS and cluster. */
async function runAgent(clusterId: string): Promise<{ agent: Agent; health: HealthServer; url: string }> {
  const config = loadConfig({
    MOORING_CLUSTER_ID: clusterId,
    MOORING_NATS_URL: kit.natsUrl,
    MOORING_KUBECONFIG: kit.kubeconfig,
    MOORING_HELM: kit.helm,
    MOORING_CHART_CACHE: mkdtempSync(join(tmpdir(), 'agent-charts-')),
    MOORING_HTTP_PORT: '0',
    MOORING_RECONCILE_INTERVAL_SECONDS: '300',
    MOORING_SHUTDOWN_TIMEOUT_SECONDS: '60',
  });
  const bus = await NatsBus.connect({ servers: config.natsUrl!, name: `mooring-agent/${clusterId}` });
  const agent = await startAgent({ config, bus, logger, helmEnv: kit.env, commandPollMs: 1000 });
  const health = await startHealthServer({
    port: config.httpPort,
    host: '127.0.0.1',
    readiness: () => agent.readiness(),
    metrics: () => agent.metrics,
    logger,
  });
  return { agent, health, url: `http://127.0.0.1:${health.port}` };
}

/** The platform's side: a separate connection that sends commands and listens for results and heartbeats. */
async function platform(clusterId: string) {
  const bus = await NatsBus.connect({ servers: kit.natsUrl!, name: 'test-platform' });
  const results: CommandResult[] = [];
  const heartbeats: HeartbeatMessage[] = [];
  await bus.subscribe<CommandResult>(resultSubject(clusterId), (m) => {
    results.push(m.data);
  });
  await bus.subscribe<HeartbeatMessage>(heartbeatSubject(clusterId), (m) => {
    heartbeats.push(m.data);
  });
  const send = async (kind: string, payload: Record<string, unknown>): Promise<CommandEnvelope> => {
    const c: CommandEnvelope = {
      id: `${kind}-${uid()}`,
      kind,
      cluster_id: clusterId,
      issued_at: new Date().toISOString(),
      payload,
    };
    await bus.commands(clusterId).send(c);
    return c;
  };
  const resultOf = (c: CommandEnvelope, ms = 120_000) =>
    waitFor(() => results.find((r) => r.command_id === c.id), ms, `the result of ${c.kind} ${c.id}`);
  return { bus, results, heartbeats, send, resultOf };
}

function importCluster(name: string, namespace: string, addon = 'hook'): string {
  return `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  stacks:
    - name: base
      addons:
        - name: ${addon}
          chart_name: failing-hook
          chart_version: "0.1.0"
          repository_url: ${kit.chartRepoUrl}
          namespace: ${namespace}
          settings:
            sync_policy:
              sync_options: [CreateNamespace=true]
`;
}

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('agent', () => {
  it('applies a definition sent as a command, reports the result, sweeps, heartbeats and serves health', async () => {
    const clusterId = `agent-${uid()}`;
    const ns = testNamespace('agent-apply');
    namespaces.push(ns);
    const timersBefore = timers();
    const p = await platform(clusterId);
    const { agent, health, url } = await runAgent(clusterId);
    try {
      await agent.firstSweep;
      // the first sweep (no targets yet) already heartbeats
      await waitFor(() => p.heartbeats[0], 10_000, 'the first heartbeat');
      expect((await fetch(`${url}/livez`)).status).toBe(200);

      const apply = await p.send('apply', {
        files: { 'clusters/prod/import-cluster.yaml': importCluster(clusterId, ns) },
        path: 'clusters/prod/import-cluster.yaml',
      });
      const r = await p.resultOf(apply);
      expect(r).toMatchObject({ ok: true, outcome: 'ok', kind: 'apply', cluster_id: clusterId });
      expect(r.apply?.members.map((m) => [m.id, m.phase])).toEqual([['addon/hook', 'synced']]);
      expect(r.apply?.helm_calls).toBeGreaterThan(0);
      const release = await releases.latest('hook', ns);
      expect(release?.status).toBe('deployed');

      const sweep = await p.send('sweep', {});
      const s = await p.resultOf(sweep, 60_000);
      expect(s).toMatchObject({ ok: true, kind: 'sweep' });
      expect(s.sweep?.heartbeat.addons_inspected).toBe(1);
      expect(s.sweep?.members).toEqual([
        expect.objectContaining({ kind: 'addon', name: 'hook', namespace: ns }),
      ]);
      const hb = await waitFor(
        () => p.heartbeats.find((h) => h.addons_inspected === 1),
        10_000,
        'a heartbeat with one add-on',
      );
      expect(hb.cluster_id).toBe(clusterId);

      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, bus: 'connected', first_sweep_done: true });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain(
        `mooring_agent_commands_total{cluster_id="${clusterId}",kind="apply",outcome="ok"} 1`,
      );
      expect(metrics).toContain(
        `mooring_agent_commands_total{cluster_id="${clusterId}",kind="sweep",outcome="ok"} 1`,
      );
      expect(metrics).toMatch(
        new RegExp(`mooring_agent_helm_calls_total\\{cluster_id="${clusterId}",source="apply"\\} [1-9]`),
      );
      expect(metrics).toContain(`mooring_agent_sweep_addons_inspected{cluster_id="${clusterId}"} 1`);
    } finally {
      await agent.stop();
      await health.close();
      await p.bus.close();
    }
    expect(agent.readiness()).toMatchObject({ ready: false, bus: 'closed' });
    // nothing of the agent's keeps the process alive
    await new Promise((r) => setTimeout(r, 200));
    expect(timers()).toBeLessThanOrEqual(timersBefore);
  });

  it('answers an invalid definition with its diagnostics and applies nothing', async () => {
    const clusterId = `agent-${uid()}`;
    const ns = testNamespace('agent-invalid');
    namespaces.push(ns);
    const p = await platform(clusterId);
    const { agent, health, url } = await runAgent(clusterId);
    try {
      const broken = importCluster(clusterId, ns).replace('chart_version: "0.1.0"', 'chart_versoin: "0.1.0"');
      const c = await p.send('apply', {
        files: { 'import-cluster.yaml': broken },
        path: 'import-cluster.yaml',
      });
      const r = await p.resultOf(c, 60_000);
      expect(r).toMatchObject({ ok: false, outcome: 'invalid', kind: 'apply' });
      expect(r.message).toMatch(/nothing applied/);
      expect(r.diagnostics?.length).toBeGreaterThan(0);
      expect(r.diagnostics?.some((d) => d.severity === 'error' && d.file === 'import-cluster.yaml')).toBe(
        true,
      );
      expect(r.apply).toBeUndefined();
      expect(await releases.latestAll(undefined, `mooring.dev/cluster=${clusterId}`)).toEqual([]);
      expect(
        await core.readNamespace({ name: ns }).then(
          () => true,
          () => false,
        ),
      ).toBe(false);

      const bad = await p.send('apply', { path: 'import-cluster.yaml' });
      const rb = await p.resultOf(bad, 30_000);
      expect(rb).toMatchObject({ ok: false, outcome: 'invalid' });
      expect(rb.message).toMatch(/files/);

      await agent.firstSweep;
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain(
        `mooring_agent_commands_total{cluster_id="${clusterId}",kind="apply",outcome="invalid"} 2`,
      );
    } finally {
      await agent.stop();
      await health.close();
      await p.bus.close();
    }
  });
});
