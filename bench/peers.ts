// Mooring against Flux (helm-controller v1.6.4 + source-controller v1.9.6) on the same kit cluster,
// the same chart repository (the kit's, podinfo 6.14.1), the same machine, in one run:
//  1. cold apply of N podinfo releases in M namespaces: the engine (`applyPlan`, concurrency 8, its
//     default) vs helm-controller with one HelmRepository and N HelmReleases, at its default
//     concurrency (4) and at the engine's (8); each Flux run has its own namespaces and label, and
//     its own helm-controller (--watch-label-selector);
//  2. no-op: the unchanged definition applied again vs a forced reconcile of every HelmRelease
//     (`reconcile.fluxcd.io/requestedAt`), until every one reports it handled and Ready;
//  3. drift: a Deployment scaled by hand in D releases at random moments within a minute; time to
//     the restored replica count (100 ms poll), p50/p95/max: the engine's Reconciler (watch-driven
//     check, targeted heal) vs helm-controller with `driftDetection: enabled` and `interval: 1m`;
//  4. memory with the releases deployed and idle: the engine's process (its Reconciler watching the
//     releases) vs helm-controller + source-controller (RSS now and peak).
// CPU seconds of every process involved are taken from /proc for each phase.
//
// Run: npx node bench/peers.ts [--releases 100] [--namespaces 10] [--drifts 10] [--concurrency 8]
//        [--idle-seconds 30] [--seed 11]
// Needs ~/.cache/mooring/bin/flux-{helm,source}-controller-*: bench/peers/build-flux.sh (npm run bench runs it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { applyPlan, createEngineContext, Reconciler, sweepTargets } from '@mooring/engine';
import { binaryPath, startKit } from '@mooring/testkit';
import { clusterText, load, podinfoAddons, smallValues } from './defs.ts';
import {
  arg,
  childrenCpuSeconds,
  kitProcesses,
  log,
  MemorySampler,
  machine,
  mib,
  round,
  selfCpuSeconds,
  sleep,
  table,
  verdict,
  writeResults,
} from './lib.ts';
import {
  applyFluxCrds,
  FLUX_VERSIONS,
  type FluxController,
  missingFluxBinaries,
  startHelmController,
  startSourceController,
} from './peers/flux.ts';
import { procCpu, procSample } from './proc.ts';

const RELEASES = Number(arg('releases', '100'));
const NAMESPACES = Number(arg('namespaces', '10'));
const DRIFTS = Number(arg('drifts', '10'));
const MATCHED = Number(arg('concurrency', '8'));
const IDLE_S = Number(arg('idle-seconds', '30'));
let seed = Number(arg('seed', '11'));
const CHART_VERSION = '6.14.1';
const RUN_LABEL = 'bench.mooring.dev/run';

function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : Number.NaN;
};
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** CPU seconds of named processes, this process and its reaped children, between two moments. */
class Meter {
  private readonly procs: Map<number, string>;
  private at = 0;
  private base: Record<string, number> = {};
  constructor(procs: Map<number, string>) {
    this.procs = procs;
  }
  private read(): Record<string, number> {
    const out: Record<string, number> = {
      'bench process (engine)': selfCpuSeconds(),
      'helm (engine children)': childrenCpuSeconds(),
    };
    for (const [pid, name] of this.procs) out[name] = (out[name] ?? 0) + procCpu(pid);
    return out;
  }
  start(): void {
    this.at = performance.now();
    this.base = this.read();
  }
  /** Wall seconds and CPU seconds by process since start(). */
  stop(): { wallSeconds: number; cpuSeconds: Record<string, number> } {
    const now = this.read();
    const cpu: Record<string, number> = {};
    for (const [k, v] of Object.entries(now)) cpu[k] = round(v - (this.base[k] ?? 0));
    return { wallSeconds: round((performance.now() - this.at) / 1000), cpuSeconds: cpu };
  }
}

interface Drift {
  namespace: string;
  release: string;
  atMs: number;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const missing = missingFluxBinaries();
  if (missing.length)
    throw new Error(`Flux binaries missing: ${missing.join(', ')} (run bash bench/peers/build-flux.sh)`);
  log(`starting the kit (kubernetes, charts); ${RELEASES} releases in ${NAMESPACES} namespaces`);
  const kit = await startKit(['kubernetes', 'charts']);
  const controllers: FluxController[] = [];
  let reconciler: Reconciler | undefined;
  try {
    const info = kit.info;
    const repo = info.chartRepoUrl!;
    const ctx = createEngineContext({
      cluster: 'bench-peers',
      kubeconfig: info.kubeconfig,
      helmBinary: info.helm,
      helmEnv: info.env,
      chartCacheDir: mkdtempSync(join(tmpdir(), 'bench-peers-charts-')),
    });
    const apps = ctx.kc.makeApiClient(AppsV1Api);
    const custom = ctx.kc.makeApiClient(CustomObjectsApi);
    const kubectl = (args: string[], input?: string) =>
      execFileSync(binaryPath('kubectl'), args, {
        env: { ...process.env, ...info.env },
        input,
        stdio: ['pipe', 'pipe', 'pipe'],
        maxBuffer: 256 * 1024 * 1024,
      }).toString();
    const kitProcs = kitProcesses(info.workDir);
    const sampler = new MemorySampler(100);
    sampler.start();

    // ------------------------------------------------------------ Mooring
    const addons = podinfoAddons('mo', RELEASES, NAMESPACES, smallValues).map((a) => ({
      ...a,
      selfHeal: true,
    }));
    const { def, plan } = load(clusterText('bench-peers', addons, repo));
    const meter = new Meter(kitProcs);
    log(`mooring: cold apply of ${RELEASES} releases at concurrency ${MATCHED}`);
    sampler.reset();
    meter.start();
    const cold = await applyPlan(ctx, def, plan, { concurrency: MATCHED });
    const moCold = {
      ok: cold.ok,
      ...meter.stop(),
      helmCalls: cold.helmCalls,
      peakRssMiB: sampler.peak().rssMiB,
    };
    if (!cold.ok)
      throw new Error(
        `mooring apply failed: ${JSON.stringify(cold.members.filter((m) => m.phase === 'failed').slice(0, 3))}`,
      );
    log(`mooring: cold ${moCold.wallSeconds} s; no-op re-apply`);
    meter.start();
    const again = await applyPlan(ctx, def, plan, { concurrency: MATCHED });
    const moNoop = { ok: again.ok, ...meter.stop(), helmCalls: again.helmCalls };
    log(`mooring: no-op ${moNoop.wallSeconds} s, ${again.helmCalls} helm calls`);

    // drifts: the same count, random releases and moments for both
    const pickDrifts = (list: { name: string; namespace: string }[]): Drift[] => {
      const chosen = new Set<number>();
      while (chosen.size < Math.min(DRIFTS, list.length)) chosen.add(Math.floor(random() * list.length));
      return [...chosen].map((i) => ({
        namespace: list[i]!.namespace,
        release: `${list[i]!.name}-podinfo`,
        atMs: Math.floor(random() * 60_000),
      }));
    };
    const runDrifts = async (who: string, drifts: Drift[], timeoutMs: number) =>
      Promise.all(
        drifts.map(async (d) => {
          await sleep(d.atMs);
          const start = performance.now();
          await apps.patchNamespacedDeploymentScale({
            name: d.release,
            namespace: d.namespace,
            body: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
          });
          const deadline = Date.now() + timeoutMs;
          while (Date.now() < deadline) {
            const dep = await apps.readNamespacedDeployment({ name: d.release, namespace: d.namespace });
            if (dep.spec?.replicas === 1) {
              const ms = round(performance.now() - start, 1);
              log(`${who}: ${d.namespace}/${d.release} restored in ${ms} ms`);
              return ms;
            }
            await sleep(100);
          }
          log(`${who}: ${d.namespace}/${d.release} NOT restored within ${timeoutMs / 1000} s`);
          return Number.NaN;
        }),
      );
    const driftStats = (ms: number[]) => {
      const ok = ms.filter(Number.isFinite);
      return {
        p50: round(quantile(ok, 0.5), 1),
        p95: round(quantile(ok, 0.95), 1),
        max: round(Math.max(...ok), 1),
        restored: ok.length,
        all: ms,
      };
    };

    reconciler = new Reconciler(ctx, { intervalMs: 3_600_000, targetedHeal: true });
    reconciler.setTargets(sweepTargets(def, plan));
    await reconciler.start();
    log(`mooring: ${DRIFTS} drifts within a minute (Reconciler, targeted heal)`);
    meter.start();
    const moDriftMs = await runDrifts('mooring', pickDrifts(addons), 180_000);
    const moDrift = { ...driftStats(moDriftMs), ...meter.stop() };
    log(`mooring: idle ${IDLE_S} s with the Reconciler watching ${RELEASES} releases`);
    meter.start();
    await sleep(IDLE_S * 1000);
    const moIdle = {
      ...meter.stop(),
      rssMiB: mib(process.memoryUsage().rss),
      peakRssMiB: sampler.peak().rssMiB,
    };
    reconciler.stop();
    reconciler = undefined;

    // ------------------------------------------------------------ Flux
    log('flux: CRDs, source-controller, HelmRepository');
    applyFluxCrds(info);
    const source = await startSourceController(info);
    controllers.push(source);
    kubectl(['create', 'namespace', 'flux-system']);
    kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmRepository',
        metadata: { name: 'kit', namespace: 'flux-system' },
        spec: { url: repo, interval: '10m' },
      }),
    );
    const fluxRelease = (run: string, i: number) => ({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: {
        name: `${run}-pi-${pad(i, 3)}`,
        namespace: `${run}-${pad(i % NAMESPACES)}`,
        labels: { [RUN_LABEL]: run },
      },
      spec: {
        interval: '1m',
        chart: {
          spec: {
            chart: 'podinfo',
            version: CHART_VERSION,
            sourceRef: { kind: 'HelmRepository', name: 'kit', namespace: 'flux-system' },
            interval: '10m',
          },
        },
        driftDetection: { mode: 'enabled' },
        values: {
          replicaCount: 1,
          ui: { message: `bench add-on ${i}` },
          podAnnotations: { 'bench.mooring.dev/index': String(i) },
        },
      },
    });
    /** HelmReleases of a run: how many are Ready (and, with `token`, have handled that request). */
    const readyCount = async (run: string, token?: string) => {
      const res = (await custom.listClusterCustomObject({
        group: 'helm.toolkit.fluxcd.io',
        version: 'v2',
        plural: 'helmreleases',
        labelSelector: `${RUN_LABEL}=${run}`,
      })) as {
        items: {
          metadata: { generation?: number };
          status?: {
            observedGeneration?: number;
            lastHandledReconcileAt?: string;
            conditions?: { type: string; status: string }[];
          };
        }[];
      };
      return res.items.filter(
        (h) =>
          h.status?.observedGeneration === h.metadata.generation &&
          h.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
          (!token || h.status?.lastHandledReconcileAt === token),
      ).length;
    };
    const waitReady = async (run: string, token?: string, timeoutMs = 1_800_000) => {
      const deadline = Date.now() + timeoutMs;
      let n = 0;
      let lastLog = Date.now();
      while (Date.now() < deadline) {
        n = await readyCount(run, token);
        if (n === RELEASES) return n;
        if (Date.now() - lastLog > 15_000) {
          log(`flux ${run}: ${n}/${RELEASES} ready`);
          lastLog = Date.now();
        }
        await sleep(250);
      }
      return n;
    };
    const fluxProcs = (hc: FluxController) =>
      new Map<number, string>([
        ...[...kitProcs].filter(([pid]) => pid !== hc.pid && pid !== source.pid),
        [hc.pid, 'helm-controller'],
        [source.pid, 'source-controller'],
      ]);

    const fluxColdRun = async (run: string, concurrent: number | undefined) => {
      const hc = await startHelmController(info, {
        concurrent,
        labelSelector: `${RUN_LABEL}=${run}`,
        name: `helm-controller-${run}`,
      });
      controllers.push(hc);
      const m = new Meter(fluxProcs(hc));
      const objects = Array.from({ length: RELEASES }, (_, i) => fluxRelease(run, i));
      const namespaces = [...new Set(objects.map((o) => o.metadata.namespace))];
      log(
        `flux ${run}: cold apply of ${RELEASES} HelmReleases, helm-controller --concurrent=${concurrent ?? '4 (default)'}`,
      );
      m.start();
      kubectl(
        ['apply', '-f', '-'],
        [
          ...namespaces.map((n) =>
            JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } }),
          ),
          ...objects.map((o) => JSON.stringify(o)),
        ].join('\n---\n'),
      );
      const ready = await waitReady(run);
      const r = {
        concurrency: concurrent ?? 4,
        ready,
        ...m.stop(),
        peakRssMiB: {
          'helm-controller': mib(procSample(hc.pid)?.hwmBytes ?? 0),
          'source-controller': mib(procSample(source.pid)?.hwmBytes ?? 0),
        },
      };
      log(`flux ${run}: ${ready}/${RELEASES} ready in ${r.wallSeconds} s`);
      return { hc, r, objects };
    };

    const fxDefault = await fluxColdRun('fxa', undefined);
    await fxDefault.hc.stop();
    const fxMatched = await fluxColdRun('fxb', MATCHED);
    const hc = fxMatched.hc;

    // no-op: a forced reconcile of every HelmRelease
    const token = String(Date.now());
    log('flux fxb: forced reconcile of every HelmRelease');
    const mNoop = new Meter(fluxProcs(hc));
    mNoop.start();
    kubectl([
      'annotate',
      'helmreleases',
      '-A',
      '-l',
      `${RUN_LABEL}=fxb`,
      '--overwrite',
      `reconcile.fluxcd.io/requestedAt=${token}`,
    ]);
    const handled = await waitReady('fxb', token, 600_000);
    const fxNoop = { handled, ...mNoop.stop() };
    log(`flux fxb: forced reconcile handled by ${handled}/${RELEASES} in ${fxNoop.wallSeconds} s`);

    // drift
    log(`flux fxb: ${DRIFTS} drifts within a minute (driftDetection enabled, interval 1m)`);
    const mDrift = new Meter(fluxProcs(hc));
    mDrift.start();
    const fxDriftMs = await runDrifts(
      'flux',
      pickDrifts(fxMatched.objects.map((o) => ({ name: o.metadata.name, namespace: o.metadata.namespace }))),
      180_000,
    );
    const fxDrift = { ...driftStats(fxDriftMs), ...mDrift.stop() };

    // memory, idle
    log(`flux: idle ${IDLE_S} s`);
    const mIdle = new Meter(fluxProcs(hc));
    mIdle.start();
    await sleep(IDLE_S * 1000);
    const mem = (pid: number) => {
      const s = procSample(pid);
      return { rssMiB: mib(s?.rssBytes ?? 0), peakRssMiB: mib(s?.hwmBytes ?? 0) };
    };
    const fxIdle = {
      ...mIdle.stop(),
      'helm-controller': mem(hc.pid),
      'source-controller': mem(source.pid),
    };
    const fxIdleRss = fxIdle['helm-controller'].rssMiB + fxIdle['source-controller'].rssMiB;

    // ------------------------------------------------------------ tables
    const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 3) : Number.NaN);
    const cpuText = (c: Record<string, number>) =>
      Object.entries(c)
        .filter(([, v]) => v >= 0.05)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
    table(
      `1. Cold apply of ${RELEASES} podinfo releases in ${NAMESPACES} namespaces`,
      ['run', 'wall s', 'ready', 'mooring / this', 'peak RSS MiB', 'CPU s by process'],
      [
        [
          'mooring engine c=' + MATCHED,
          moCold.wallSeconds,
          cold.ok ? RELEASES : 'failed',
          1,
          `engine ${moCold.peakRssMiB}`,
          cpuText(moCold.cpuSeconds),
        ],
        ...[fxDefault.r, fxMatched.r].map((r) => [
          `flux helm-controller c=${r.concurrency}${r.concurrency === 4 ? ' (default)' : ''}`,
          r.wallSeconds,
          r.ready,
          ratio(moCold.wallSeconds, r.wallSeconds),
          `hc ${r.peakRssMiB['helm-controller']}, sc ${r.peakRssMiB['source-controller']}`,
          cpuText(r.cpuSeconds),
        ]),
      ],
    );
    table(
      '2. No-op: unchanged definition applied again vs forced reconcile of every HelmRelease',
      ['run', 'wall s', 'done', 'mooring / this', 'Helm calls', 'CPU s by process'],
      [
        [
          'mooring re-apply',
          moNoop.wallSeconds,
          again.ok ? RELEASES : 'failed',
          1,
          moNoop.helmCalls,
          cpuText(moNoop.cpuSeconds),
        ],
        [
          `flux requestedAt (c=${MATCHED})`,
          fxNoop.wallSeconds,
          fxNoop.handled,
          ratio(moNoop.wallSeconds, fxNoop.wallSeconds),
          '',
          cpuText(fxNoop.cpuSeconds),
        ],
      ],
    );
    table(
      `3. Drift: Deployment scaled in ${DRIFTS} releases at random moments, time to restored (ms)`,
      ['run', 'p50', 'p95', 'max', 'restored', 'mooring / this (p50)', 'CPU s by process'],
      [
        [
          'mooring (watch + targeted heal)',
          moDrift.p50,
          moDrift.p95,
          moDrift.max,
          `${moDrift.restored}/${DRIFTS}`,
          1,
          cpuText(moDrift.cpuSeconds),
        ],
        [
          'flux (driftDetection, interval 1m)',
          fxDrift.p50,
          fxDrift.p95,
          fxDrift.max,
          `${fxDrift.restored}/${DRIFTS}`,
          ratio(moDrift.p50, fxDrift.p50),
          cpuText(fxDrift.cpuSeconds),
        ],
      ],
    );
    table(
      `4. Memory with ${RELEASES} releases deployed, after ${IDLE_S} s idle (MiB)`,
      ['run', 'RSS now', 'peak RSS', 'mooring / this', `CPU s in ${IDLE_S} s idle`],
      [
        [
          'mooring engine process (Reconciler watching)',
          moIdle.rssMiB,
          moIdle.peakRssMiB,
          1,
          cpuText(moIdle.cpuSeconds),
        ],
        [
          'flux helm-controller + source-controller',
          `${round(fxIdleRss, 1)} (${fxIdle['helm-controller'].rssMiB} + ${fxIdle['source-controller'].rssMiB})`,
          `${fxIdle['helm-controller'].peakRssMiB} + ${fxIdle['source-controller'].peakRssMiB}`,
          ratio(moIdle.rssMiB, fxIdleRss),
          cpuText(fxIdle.cpuSeconds),
        ],
      ],
    );
    const fastestFlux = Math.min(fxDefault.r.wallSeconds, fxMatched.r.wallSeconds);
    console.log(
      `\ntargets: cold apply faster than Flux: ${verdict(moCold.wallSeconds < fastestFlux)}; ` +
        `no-op not slower: ${verdict(moNoop.wallSeconds <= fxNoop.wallSeconds)}; ` +
        `drift p50 faster: ${verdict(moDrift.p50 < fxDrift.p50)}; less memory: ${verdict(moIdle.rssMiB < fxIdleRss)}`,
    );
    const file = writeResults('peers', {
      benchmark: 'peers',
      date: new Date().toISOString(),
      command: `npx node bench/peers.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine: machine(),
      versions: { flux: FLUX_VERSIONS, chart: `podinfo ${CHART_VERSION}` },
      sizes: {
        releases: RELEASES,
        namespaces: NAMESPACES,
        drifts: DRIFTS,
        matchedConcurrency: MATCHED,
        idleSeconds: IDLE_S,
      },
      mooring: { cold: moCold, noop: moNoop, drift: moDrift, idle: moIdle },
      flux: {
        coldDefault: fxDefault.r,
        coldMatched: fxMatched.r,
        noop: fxNoop,
        drift: fxDrift,
        idle: fxIdle,
      },
      argocd: 'not measured yet (see bench/README.md)',
      totalSeconds: Math.round((Date.now() - t0) / 1000),
    });
    console.log(`\nresults: ${file}`);
  } finally {
    reconciler?.stop();
    for (const c of controllers.reverse()) await c.stop().catch(() => undefined);
    await kit.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
