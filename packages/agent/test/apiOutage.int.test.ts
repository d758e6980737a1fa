// The API server unreachable for 30 s. The suite runs a control plane of its own (the shared
// one is never stopped) and stops its kube-apiserver process for 30 s, then starts it again
// (same port, same etcd). The agent runs as a child process against it, sweeping every 5 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { type CommandEnvelope, NatsBus } from '@mooring/bus';
import { CoreApi, KubeConfig, ReleaseStore } from '@mooring/kube';
import {
  type AgentProcess,
  type ControlPlane,
  clientNodeConfig,
  eventually,
  startAgentProcess,
  startControlPlane,
  testNamespace,
} from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CommandResult, resultSubject } from '../src/results.ts';

const kit = inject('kit');
const work = mkdtempSync(join(tmpdir(), 'mooring-api-outage-'));
const ns = testNamespace('api-outage');
const clusterId = `outage-${ns.slice(-6)}`;
const OUTAGE_MS = 30_000;
let cp: ControlPlane;
let core: CoreV1Api;
let releases: ReleaseStore;
let bus: NatsBus;
let agent: AgentProcess;
const results: CommandResult[] = [];

beforeAll(async () => {
  cp = await startControlPlane({ workDir: join(work, 'kube'), nodes: 1 });
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  core = clientNodeConfig(kc).makeApiClient(CoreV1Api);
  releases = new ReleaseStore(new CoreApi(kc));
  bus = await NatsBus.connect({ servers: kit.natsUrl!, name: 'test-platform' });
  await bus.subscribe<CommandResult>(resultSubject(clusterId), (m) => {
    results.push(m.data);
  });
  agent = await startAgentProcess({
    logFile: join(work, 'agent.log'),
    env: {
      ...kit.env,
      KUBECONFIG: cp.kubeconfig,
      MOORING_CLUSTER_ID: clusterId,
      MOORING_NATS_URL: kit.natsUrl,
      MOORING_KUBECONFIG: cp.kubeconfig,
      MOORING_HELM: kit.helm,
      MOORING_CHART_CACHE: join(work, 'charts'),
      MOORING_RECONCILE_INTERVAL_SECONDS: '5',
      MOORING_SHUTDOWN_TIMEOUT_SECONDS: '10',
    },
  });
}, 180_000);

afterAll(async () => {
  await agent?.stop().catch(() => undefined);
  await bus?.close();
  await cp?.stop();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

const PATH = 'clusters/outage/import-cluster.yaml';
const applyPayload = (message: string) => ({
  files: {
    [PATH]: `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${clusterId}
spec:
  stacks:
    - name: base
      addons:
        - name: kept
          chart_name: failing-hook
          chart_version: "0.1.0"
          repository_url: ${kit.chartRepoUrl}
          namespace: ${ns}
          configuration:
            values: |-
              message: ${message}
          settings:
            sync_policy:
              automated: true
              self_heal: true
              auto_prune: true
              sync_options: [CreateNamespace=true]
`,
  },
  path: PATH,
});

let sent = 0;
async function send(kind: string, payload: Record<string, unknown>): Promise<CommandEnvelope> {
  sent++;
  const key = `op-${clusterId}:${sent}-${kind}`;
  const c: CommandEnvelope = {
    id: `${key}:send-1`,
    kind,
    cluster_id: clusterId,
    issued_at: new Date().toISOString(),
    payload,
    idempotency_key: key,
  };
  await bus.commands(clusterId).send(c);
  return c;
}
const resultOf = (c: CommandEnvelope, ms = 120_000) =>
  eventually(`the result of ${c.id}`, async () => results.find((r) => r.command_id === c.id), ms);
const metric = async (name: string) => {
  const m = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(await agent.metrics());
  return m ? Number(m[1]) : undefined;
};

/** Every object Mooring made for the add-on (its ConfigMap, the release's storage Secrets), by UID. */
async function managedObjects(): Promise<string[]> {
  const cms = await core.listNamespacedConfigMap({ namespace: ns });
  const secrets = await core.listNamespacedSecret({ namespace: ns, labelSelector: 'owner=helm' });
  return [...cms.items.filter((c) => c.metadata?.name === 'kept-message'), ...secrets.items]
    .map((o) => `${o.kind ?? ''}${o.metadata?.name}:${o.metadata?.uid}`)
    .sort();
}

describe('the API server unreachable for 30 s', () => {
  it('the agent reports it, holds its sweeps (prunes nothing), answers what came meanwhile and resumes', async () => {
    const t0 = Date.now();
    const marks: string[] = [];
    const mark = (what: string) => marks.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)}`);
    await eventually('the agent ready', async () => (await agent.readyz())?.status === 200, 60_000);
    const apply = await send('apply', applyPayload('one'));
    expect(await resultOf(apply)).toMatchObject({ ok: true });
    const before = await managedObjects();
    expect(before.length).toBe(2);
    expect((await core.readNamespacedConfigMap({ name: 'kept-message', namespace: ns })).data?.message).toBe(
      'one',
    );
    await eventually(
      'a sweep with the add-on',
      async () => ((await metric('mooring_agent_sweeps_total')) ?? 0) > 1,
    );

    mark('applied');
    await cp.apiServer.stop();
    const downAt = Date.now();
    // reported: /readyz 503 naming the cause, the metric at 0, a warning in the log
    const seen = await eventually(
      'the agent reporting the API server unreachable',
      async () => {
        const r = await agent.readyz();
        return r?.status === 503 && r.body.kubernetes === 'unreachable' ? r : undefined;
      },
      15_000,
    );
    const reportedMs = Date.now() - downAt;
    expect(String(seen.body.reason)).toContain('the Kubernetes API server is unreachable since');
    expect(String(seen.body.kubernetes_error)).toMatch(/ECONNREFUSED|connect/i);
    expect(await metric('mooring_agent_kubernetes_api_reachable')).toBe(0);
    expect(
      agent.logLines().some((l) => String(l.msg).startsWith('the Kubernetes API server is unreachable')),
    ).toBe(true);
    // held: no sweep runs while the server is away (a 5 s interval would run several)
    const sweepsHeld = await metric('mooring_agent_sweeps_total');
    // a command sent meanwhile waits for the server, it is not failed nor lost
    const sweepDuring = await send('sweep', {});
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - downAt))));
    expect(await metric('mooring_agent_sweeps_total')).toBe(sweepsHeld);
    expect((await agent.readyz())?.status).toBe(503);
    expect(results.find((r) => r.command_id === sweepDuring.id)).toBeUndefined();

    mark('outage over');
    await cp.apiServer.start();
    mark('API server ready');
    const upAt = Date.now();
    await eventually('the agent ready again', async () => (await agent.readyz())?.status === 200, 30_000);
    const resumedMs = Date.now() - upAt;
    expect((await agent.readyz())?.body.kubernetes).toBe('reachable');
    expect(await metric('mooring_agent_kubernetes_api_reachable')).toBe(1);
    const back = agent.logLines().find((l) => l.msg === 'the Kubernetes API server is reachable again');
    expect(Number(back?.down_seconds)).toBeGreaterThanOrEqual(OUTAGE_MS / 1000 - 10);

    mark('agent ready');
    // the command sent during the outage is answered, the add-on Synced
    const during = await resultOf(sweepDuring, 60_000);
    expect(during, JSON.stringify(during)).toMatchObject({ ok: true });
    expect(during.sweep?.members).toEqual([expect.objectContaining({ name: 'kept', state: 'Synced' })]);
    // sweeps run again, and after a few of them nothing was pruned, re-created or re-installed
    const sweepsAfter = (await metric('mooring_agent_sweeps_total')) ?? 0;
    await eventually(
      'two more sweeps',
      async () => ((await metric('mooring_agent_sweeps_total')) ?? 0) >= sweepsAfter + 2,
      30_000,
    );
    expect(await managedObjects()).toEqual(before);
    expect((await releases.history('kept', ns)).map((h) => [h.version, h.status])).toEqual([[1, 'deployed']]);
    // no sweep acted: nothing pruned, healed, recovered or installed again
    const check = await resultOf(await send('sweep', {}), 60_000);
    expect(check.sweep?.members.map((m) => [m.name, m.state, m.actions])).toEqual([
      ['kept', 'Synced', ['none']],
    ]);
    expect(during.sweep?.members.map((m) => m.actions)).toEqual([['none']]);

    mark('sweeps checked');
    // and it acts as before: a changed object is put back by the next sweep (self_heal)
    await core.replaceNamespacedConfigMap({
      name: 'kept-message',
      namespace: ns,
      body: {
        ...(await core.readNamespacedConfigMap({ name: 'kept-message', namespace: ns })),
        data: { message: 'edited' },
      },
    });
    await eventually(
      'the drift healed',
      async () =>
        (await core.readNamespacedConfigMap({ name: 'kept-message', namespace: ns })).data?.message === 'one',
      30_000,
    );
    mark('healed');
    console.log(
      `[api outage] ${marks.join(', ')}; reported after ${(reportedMs / 1000).toFixed(1)} s; ready again ${(resumedMs / 1000).toFixed(1)} s after the API server was`,
    );
  }, 240_000);
});
