// One push to a repository that feeds N clusters: how long until every cluster's agent has the
// command, and until every cluster reports it applied. The platform runs as a deployment runs it
// (`node packages/platform/src/main.ts`) on the test kit's PostgreSQL and an operator-mode
// nats-server; the repository is on the kit's Git server (git http-backend) and the push is
// announced by a signed GitHub-style webhook. N simulated agents (bench/simulated-agents.ts:
// the real protocol, check-in, NATS, the agent's CommandDispatcher) acknowledge and apply
// nothing; one real agent on the kit's real cluster applies its add-on with Helm end to end.
// Every push changes the values file all clusters read, so every cluster has one add-on to apply.
//
// Run: npx node bench/gitops-fanout.ts [--clusters 100] [--pushes 3] [--workers 2] [--poll-ms 30000]
//        [--log-level warn]
import type { ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckInSession } from '@mooring/agent';
import {
  installExitHooks,
  startGitServer,
  startKit,
  startNatsOperator,
  startPostgres,
} from '@mooring/testkit';
import pg from 'pg';
import { WorkClone } from '../packages/gitops/test/gitFixtures.ts';
import { startKitAgent } from '../packages/platform/test/support/agentPlatform.ts';
import { forkAgentWorkers, stopAgentWorkers } from './agentWorkers.ts';
import { arg, log, machine, percentile, pool, round, sleep, table, verdict, writeResults } from './lib.ts';
import {
  platformApi as api,
  benchWorkDir,
  killOnExit,
  NOTHING_SCHEDULED,
  printPlatformLogTail,
  signInAsOwner,
  startPlatform,
  stopPlatform,
} from './platformProcess.ts';
import type { SimulatedAgent } from './simulated-agents.ts';

const CLUSTERS = Number(arg('clusters', '100'));
const PUSHES = Math.max(1, Number(arg('pushes', '3')));
const WORKERS = Math.max(1, Number(arg('workers', '2')));
const POLL_MS = Number(arg('poll-ms', '30000'));
const LOG_LEVEL = arg('log-level', 'warn');
const IMPORT_CONCURRENCY = 8;
const TARGET_DISPATCH_S = 2;
const TARGET_REAL_APPLIED_S = 10;
const SECRET = 'gitops-fanout-webhook-secret-0123456789';
const REAL = 'real-cluster';

const clusterFile = (name: string, url: string, chartRepoUrl: string) => `apiVersion: v1
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
        - name: fanout
          chart_name: slow-rollout
          chart_version: "0.1.0"
          repository_url: ${chartRepoUrl}
          namespace: bench-fanout
          configuration:
            from_file: ../../common/values.yaml
          settings:
            sync_policy:
              sync_options: [CreateNamespace=true]
`;
const values = (n: number) => `replicas: ${1 + (n % 2)}\nminReadySeconds: 1\nimage: nginx:1.27\n`;

installExitHooks();
const children: ChildProcess[] = [];
killOnExit(children);

const workDir = benchWorkDir('gitops-fanout');
log(`work directory ${workDir}; ${CLUSTERS} simulated clusters + 1 real, ${PUSHES} pushes`);
const postgres = await startPostgres(workDir);
const nats = await startNatsOperator(workDir);
const kit = await startKit(['kubernetes', 'charts']);
const git = await startGitServer(join(workDir, 'gitserver'));
const url = git.createRepo('acme/fleet');
const clone = new WorkClone(url);
const db = new pg.Client({ connectionString: postgres.url });
await db.connect();

let platform: ChildProcess | undefined;
let session: CheckInSession | undefined;
const workers: ChildProcess[] = [];
let exitCode = 0;
try {
  const started = await startPlatform({
    workDir,
    postgres,
    nats,
    logLevel: LOG_LEVEL,
    // only the webhook triggers syncs; no sweep competes with the applies
    env: NOTHING_SCHEDULED,
    children,
  });
  platform = started.child;
  const { base } = started;
  const token = await signInAsOwner(started);

  // the repository: one cluster file per cluster, one values file they all read
  const names = [...Array.from({ length: CLUSTERS }, (_, i) => `sim-${String(i).padStart(4, '0')}`), REAL];
  const chartRepoUrl = kit.info.chartRepoUrl!;
  const files = (n: number) => ({
    'common/values.yaml': values(n),
    ...Object.fromEntries(
      names.map((c) => [`clusters/${c}/cluster.yaml`, clusterFile(c, url, chartRepoUrl)]),
    ),
  });
  clone.commit(files(0), 'the fleet');
  await clone.push();

  const tImport = performance.now();
  const imported = await pool(names, IMPORT_CONCURRENCY, async (name) => {
    const r = await api<{ cluster: { id: string }; agent_token: string }>(base, token, 'POST', '/clusters', {
      definition: clusterFile(name, url, chartRepoUrl),
      path: `clusters/${name}/cluster.yaml`,
      files: { 'common/values.yaml': values(0) },
    });
    if (r.status !== 201)
      throw new Error(`import ${name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return { name, id: r.body.cluster.id, token: r.body.agent_token };
  });
  log(`${imported.length} clusters imported in ${round((performance.now() - tImport) / 1000, 1)} s`);
  const repos = await api<{ items: { id: string; clusters: number }[] }>(base, token, 'GET', '/repositories');
  if (repos.body.items.length !== 1 || repos.body.items[0]!.clusters !== names.length)
    throw new Error(
      `expected one repository feeding ${names.length} clusters: ${JSON.stringify(repos.body)}`,
    );
  await api(base, token, 'PUT', `/repositories/${repos.body.items[0]!.id}/webhook-secret`, {
    secret: SECRET,
  });

  // the simulated agents
  const simulated: SimulatedAgent[] = imported
    .filter((c) => c.name !== REAL)
    .map((c, index) => ({ id: c.id, token: c.token, index }));
  const received = new Map<string, number[]>();
  let connected = new Map<number, number>();
  const collect = forkAgentWorkers({
    count: WORKERS,
    agents: simulated,
    settings: { platformUrl: base, rampMs: 5000, checkInMs: 15_000, heartbeatMs: 60_000, pollMs: POLL_MS },
    workers,
    children,
    onStats: (w, s) => {
      connected.set(w, s.connected);
      for (const r of s.applyReceived) received.set(r.cluster, [...(received.get(r.cluster) ?? []), r.at]);
    },
  });
  for (let i = 0; ; i++) {
    await collect();
    const n = [...connected.values()].reduce((a, b) => a + b, 0);
    if (n === simulated.length) break;
    if (i > 240) throw new Error(`only ${n} of ${simulated.length} simulated agents connected after 2 min`);
    await sleep(500);
  }
  connected = new Map();

  // the real agent on the kit's cluster, over NATS with the credentials of its check-in
  const real = imported.find((c) => c.name === REAL)!;
  session = await startKitAgent(kit.info, {
    baseUrl: base,
    clusterId: real.id,
    token: real.token,
    workDir,
    env: { MOORING_RECONCILE_INTERVAL_SECONDS: '3600' },
  });
  log(`${simulated.length} simulated agents and the real agent connected`);

  const webhook = async (commit: string) => {
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: '0'.repeat(40),
      after: commit,
      repository: { full_name: 'acme/fleet' },
      sender: { login: 'bench' },
    });
    const res = await fetch(`${base}/api/v1/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
      body,
    });
    const answer = await res.text();
    if (res.status !== 202) throw new Error(`webhook: HTTP ${res.status} ${answer}`);
    return JSON.parse(answer) as { status: string; syncs: number };
  };

  const idOf = new Map(imported.map((c) => [c.id, c.name]));
  /** Pushes commit `n`, announces it, waits until every cluster's sync of it ended. */
  const measure = async (n: number) => {
    received.clear();
    clone.commit({ 'common/values.yaml': values(n) }, `values ${n}`);
    await clone.push();
    const sha = clone.git('rev-parse', 'HEAD');
    const t0 = Date.now();
    const hook = await webhook(sha);
    const hookMs = Date.now() - t0;
    for (let i = 0; ; i++) {
      const r = await db.query<{ n: string }>(
        "select count(*) as n from sync_runs where commit_sha = $1 and status <> 'running'",
        [sha],
      );
      if (Number(r.rows[0]!.n) >= names.length) break;
      if (i > 2400) throw new Error(`push ${n}: not every cluster finished its sync within 10 min`);
      await sleep(250);
    }
    await collect();
    const rows = (
      await db.query<{ cluster_id: string; status: string; finished_at: Date; message: string }>(
        'select cluster_id, status, finished_at, message from sync_runs where commit_sha = $1',
        [sha],
      )
    ).rows;
    const failed = rows.filter((r) => r.status !== 'success');
    const applied = rows.map((r) => r.finished_at.getTime() - t0);
    const realRow = rows.find((r) => idOf.get(r.cluster_id) === REAL);
    const dispatch = simulated.map((a) => {
      const at = received.get(a.id);
      return at ? Math.min(...at) - t0 : Number.NaN;
    });
    const got = dispatch.filter((d) => !Number.isNaN(d));
    return {
      push: n,
      commit: sha,
      webhookAnswerMs: hookMs,
      webhookSyncs: hook.syncs,
      simulatedWithCommand: got.length,
      dispatchP50S: round(percentile(got, 50) / 1000, 3),
      dispatchP99S: round(percentile(got, 99) / 1000, 3),
      dispatchAllS: round(Math.max(...got) / 1000, 3),
      appliedP50S: round(percentile(applied, 50) / 1000, 3),
      appliedAllS: round(Math.max(...applied) / 1000, 3),
      realAppliedS: realRow ? round((realRow.finished_at.getTime() - t0) / 1000, 3) : Number.NaN,
      realStatus: realRow?.status ?? 'missing',
      failed: failed.length,
      failedSamples: failed.slice(0, 3).map((f) => `${idOf.get(f.cluster_id)}: ${f.message}`),
    };
  };

  // the first push installs everywhere (not measured), then the measured pushes upgrade
  const warm = await measure(1);
  log(
    `first sync (installs): all applied in ${warm.appliedAllS} s, real cluster ${warm.realAppliedS} s (${warm.realStatus})`,
  );
  const runs: Awaited<ReturnType<typeof measure>>[] = [];
  for (let i = 2; i <= PUSHES + 1; i++) {
    const r = await measure(i);
    runs.push(r);
    log(
      `push ${i - 1}: dispatched to all ${r.simulatedWithCommand} in ${r.dispatchAllS} s, all applied ${r.appliedAllS} s, real cluster ${r.realAppliedS} s (${r.realStatus}), ${r.failed} failed`,
    );
  }
  const worst = (f: (r: (typeof runs)[number]) => number) => Math.max(...runs.map(f));
  const allReceived = runs.every((r) => r.simulatedWithCommand === simulated.length);
  const targets = {
    dispatchedAllAtMost2s: verdict(allReceived && worst((r) => r.dispatchAllS) <= TARGET_DISPATCH_S),
    realAppliedAtMost10s: verdict(
      runs.every((r) => r.realStatus === 'success') && worst((r) => r.realAppliedS) <= TARGET_REAL_APPLIED_S,
    ),
  };
  table(
    `One push → ${names.length} clusters (${simulated.length} simulated agents + 1 real cluster), seconds after the push`,
    [
      'push',
      'webhook answered',
      'agents with the command',
      'dispatch p50 / p99 / all',
      'applied p50 / all',
      'real cluster applied',
      'failed',
    ],
    runs.map((r) => [
      r.push - 1,
      `${r.webhookAnswerMs} ms (${r.webhookSyncs} syncs)`,
      `${r.simulatedWithCommand}/${simulated.length}`,
      `${r.dispatchP50S} / ${r.dispatchP99S} / ${r.dispatchAllS}`,
      `${r.appliedP50S} / ${r.appliedAllS}`,
      `${r.realAppliedS} (${r.realStatus})`,
      r.failed,
    ]),
  );
  table(
    'Targets (worst push)',
    ['target', 'figure', 'ratio to target', 'verdict'],
    [
      [
        `all dispatched ≤ ${TARGET_DISPATCH_S} s`,
        `${worst((r) => r.dispatchAllS)} s`,
        round(worst((r) => r.dispatchAllS) / TARGET_DISPATCH_S, 2),
        targets.dispatchedAllAtMost2s,
      ],
      [
        `real cluster applied ≤ ${TARGET_REAL_APPLIED_S} s`,
        `${worst((r) => r.realAppliedS)} s`,
        round(worst((r) => r.realAppliedS) / TARGET_REAL_APPLIED_S, 2),
        targets.realAppliedAtMost10s,
      ],
      ['(Argo CD default: polls every 180 s)', '180 s', round(180 / TARGET_REAL_APPLIED_S, 1), ''],
    ],
  );
  for (const r of runs)
    if (r.failedSamples.length) console.log(`push ${r.push} failures: ${r.failedSamples.join('; ')}`);
  const file = writeResults('gitops-fanout', {
    date: new Date().toISOString(),
    command: `npx node bench/gitops-fanout.ts ${process.argv.slice(2).join(' ')}`.trim(),
    settings: { clusters: CLUSTERS, pushes: PUSHES, workers: WORKERS, commandPollMs: POLL_MS },
    machine: machine(),
    firstSync: warm,
    runs,
    targets,
  });
  log(`results: ${file}`);
} catch (e) {
  console.error(e);
  printPlatformLogTail(workDir);
  exitCode = 1;
} finally {
  await session?.stop().catch(() => undefined);
  await stopAgentWorkers(workers);
  await stopPlatform(platform);
  await db.end().catch(() => undefined);
  await git.stop();
  await kit.stop();
  await nats.stop();
  await postgres.stop();
  rmSync(workDir, { recursive: true, force: true });
  rmSync(clone.dir, { recursive: true, force: true });
}
process.exit(exitCode);
