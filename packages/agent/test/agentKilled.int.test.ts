// F1: the agent SIGKILLed during a Helm upgrade. The agent runs as a child process (its own
// process group: the kill takes its helm with it, as a container's end does) against the kit's
// NATS and cluster; the test sends commands as the platform does. The upgrade is held in
// pending-upgrade by a pre-upgrade hook whose Pod waits for a node label (the "gate").
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchV1Api } from '@kubernetes/client-node';
import { type CommandEnvelope, NatsBus } from '@mooring/bus';
import { CoreApi, KubeConfig, ReleaseStore } from '@mooring/kube';
import {
  type AgentProcess,
  createNamespace,
  eventually,
  kitClients,
  startAgentProcess,
  testNamespace,
} from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CommandResult, resultSubject } from '../src/results.ts';

const kit = inject('kit');
const { kc, core } = kitClients(kit);
const releases = new ReleaseStore(new CoreApi(KubeConfig.from(kc)));
const ns = testNamespace('agent-killed');
const clusterId = `killed-${ns.slice(-6)}`;
const work = mkdtempSync(join(tmpdir(), 'mooring-agent-killed-'));
const NODE = 'kwok-node-0';
let dropNamespace: (() => Promise<void>) | undefined;
let bus: NatsBus;
const results: CommandResult[] = [];
const agents: AgentProcess[] = [];

const kubectl = (args: string[]) =>
  execFileSync(join(kit.binDir, 'kubectl'), args, {
    env: { ...process.env, KUBECONFIG: kit.kubeconfig! },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();

function agent(n: number): Promise<AgentProcess> {
  return startAgentProcess({
    logFile: join(work, `agent-${n}.log`),
    env: {
      ...kit.env,
      MOORING_CLUSTER_ID: clusterId,
      MOORING_NATS_URL: kit.natsUrl,
      MOORING_KUBECONFIG: kit.kubeconfig,
      MOORING_HELM: kit.helm,
      MOORING_CHART_CACHE: join(work, `charts-${n}`),
      MOORING_RECONCILE_INTERVAL_SECONDS: '300',
      MOORING_SHUTDOWN_TIMEOUT_SECONDS: '10',
    },
  });
}

const PATH = 'clusters/killed/import-cluster.yaml';
function applyPayload(values: string) {
  return {
    files: {
      [PATH]: `apiVersion: v1
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
      'clusters/killed/values.yaml': values,
    },
    path: PATH,
  };
}

let sent = 0;
/** Sends a command as the platform does: a new id, the step's idempotency key. */
async function send(kind: string, payload: Record<string, unknown>): Promise<CommandEnvelope> {
  sent++;
  const c: CommandEnvelope = {
    id: `op-${clusterId}:${sent}-${kind}:send-1`,
    kind,
    cluster_id: clusterId,
    issued_at: new Date().toISOString(),
    payload,
    idempotency_key: `op-${clusterId}:${sent}-${kind}`,
  };
  await bus.commands(clusterId).send(c);
  return c;
}
const resultsOf = (c: CommandEnvelope) => results.filter((r) => r.command_id === c.id);

beforeAll(async () => {
  dropNamespace = await createNamespace(core, ns);
  bus = await NatsBus.connect({ servers: kit.natsUrl!, name: 'test-platform' });
  await bus.subscribe<CommandResult>(resultSubject(clusterId), (m) => {
    results.push(m.data);
  });
}, 60_000);

afterAll(async () => {
  for (const a of agents) await a.stop().catch(() => undefined);
  try {
    kubectl(['label', 'node', NODE, `mooring.dev/gate-${ns}-`]);
  } catch {
    /* not labelled */
  }
  await bus?.close();
  await dropNamespace?.();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('F1: the agent killed during a Helm upgrade', () => {
  it('the restarted agent unlocks the pending-upgrade release and the same command completes once', async () => {
    const first = await agent(1);
    agents.push(first);
    const install = await send('apply', applyPayload('message: one\n'));
    await eventually('the install result', async () => resultsOf(install)[0], 120_000);
    expect(resultsOf(install)[0], JSON.stringify(resultsOf(install)[0])).toMatchObject({ ok: true });
    expect((await releases.latest('hooked', ns))?.version).toBe(1);

    // the upgrade's pre-upgrade hook waits for a node labelled with the gate: helm holds the release
    const upgrade = await send(
      'apply',
      applyPayload(`message: two\nhook:\n  gate: ${ns}\n  deadlineSeconds: 600\n`),
    );
    await eventually(
      'the release pending-upgrade with its hook Job waiting',
      async () => {
        const r = await releases.latest('hooked', ns);
        if (r?.status !== 'pending-upgrade') return undefined;
        const jobs = await kc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: ns });
        return jobs.items.some((j) => j.metadata?.name === 'hooked-pre-upgrade') || undefined;
      },
      60_000,
    );
    const helmBefore = execFileSync('pgrep', ['-g', String(first.pid)])
      .toString()
      .trim()
      .split('\n');
    expect(helmBefore.length, 'the agent and its helm').toBeGreaterThanOrEqual(2);
    const killedAt = Date.now();
    await first.kill();
    // the whole group is gone: no helm finishes the upgrade behind the test's back
    await eventually(
      'no process of the killed group left',
      async () => {
        try {
          execFileSync('pgrep', ['-g', String(first.pid)]);
          return false;
        } catch {
          return true;
        }
      },
      5000,
    );
    expect((await releases.latest('hooked', ns))?.status).toBe('pending-upgrade');
    expect(resultsOf(upgrade)).toEqual([]);

    // the hook may now run; the release stays locked: nobody is left to record the outcome
    kubectl(['label', 'node', NODE, `mooring.dev/gate-${ns}=open`]);
    const second = await agent(2);
    agents.push(second);
    // the queue delivers the unacknowledged command again once its ack wait (30 s) ran out
    await eventually(
      'the upgrade’s result from the restarted agent',
      async () => resultsOf(upgrade)[0],
      120_000,
    );
    const recoveredMs = Date.now() - killedAt;
    const r = resultsOf(upgrade)[0]!;
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true, outcome: 'ok', kind: 'apply' });
    expect(r.apply?.members.map((m) => [m.id, m.phase, m.revision])).toEqual([['addon/hooked', 'synced', 3]]);

    // the history says what happened: the interrupted revision failed, one new revision deployed
    const history = (await releases.history('hooked', ns)).map((h) => [h.version, h.status]);
    expect(history).toEqual([
      [1, 'superseded'],
      [2, 'failed'],
      [3, 'deployed'],
    ]);
    const interrupted = (await releases.history('hooked', ns)).find((h) => h.version === 2)!;
    expect(interrupted.description).toContain('interrupted while pending-upgrade');
    const cm = await core.readNamespacedConfigMap({ name: 'hooked-message', namespace: ns });
    expect(cm.data?.message).toBe('two');
    const unlocked = second
      .logLines()
      .filter((l) => String(l.msg).includes('left pending by an interrupted operation'));
    expect(unlocked.map((l) => [l.release, l.revision, l.was])).toEqual([['hooked', 2, 'pending-upgrade']]);

    // not applied twice: no other result for the command comes, and a sweep finds the add-on in sync
    await new Promise((res) => setTimeout(res, 2000));
    expect(resultsOf(upgrade)).toHaveLength(1);
    const sweep = await send('sweep', {});
    await eventually('the sweep result', async () => resultsOf(sweep)[0], 60_000);
    expect(resultsOf(sweep)[0]?.sweep?.members).toEqual([
      expect.objectContaining({ name: 'hooked', state: 'Synced' }),
    ]);
    expect((await releases.history('hooked', ns)).length).toBe(3);
    console.log(`[F1] killed → completed by the restarted agent in ${(recoveredMs / 1000).toFixed(1)} s`);
  }, 240_000);
});
