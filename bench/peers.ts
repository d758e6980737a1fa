// Mooring against Flux (helm-controller v1.6.4 + source-controller v1.9.6) and Argo CD v3.6.1 on the
// same kit cluster, the same chart repository (the kit's, podinfo 6.14.1), the same machine, in one run.
// Each peer runs alone: the previous one is stopped and its releases' namespaces deleted first, so every
// peer works on a cluster that holds only its own releases.
//  1. cold apply of N podinfo releases in M namespaces: the Mooring agent process (an `apply` command
//     over NATS, concurrency 8) vs helm-controller with one HelmRepository and N HelmReleases, at its
//     default concurrency (4) and at Mooring's (8), each Flux run in its own namespaces with its own
//     label and helm-controller (--watch-label-selector) vs Argo CD with N Applications (the ones
//     Mooring's argocd engine writes: Helm source on the kit's repository, automated with selfHeal),
//     written through its API, until every one is Synced and Healthy;
//  2. no-op: the unchanged definition applied again vs a forced reconcile of every HelmRelease
//     (`reconcile.fluxcd.io/requestedAt`) vs a refresh of every Application
//     (`argocd.argoproj.io/refresh: normal`), until every one has handled it and is Ready / Synced+Healthy;
//  3. drift: a Deployment scaled by hand in D releases at random moments within a minute; time to
//     the restored replica count (100 ms poll), p50/p95/max: the agent's Reconciler (watch-driven
//     check, targeted heal) vs helm-controller with `driftDetection: enabled` and `interval: 1m` vs
//     Argo CD self-heal;
//  4. memory with the releases deployed and idle: the agent process (and its tree) vs helm-controller +
//     source-controller vs argocd-server + repo-server + application-controller + redis (RSS now and peak).
// CPU seconds of every process involved are taken from /proc for each phase.
//
// Run: npx node bench/peers.ts [--releases 100] [--namespaces 10] [--drifts 10] [--concurrency 8]
//        [--idle-seconds 30] [--seed 11] [--peers flux,argocd]
// Needs ~/.cache/mooring/bin/flux-{helm,source}-controller-*: bench/peers/build-flux.sh (npm run bench
// runs it), and ~/.cache/mooring/bin/argocd-v3.6.1 (the kit's prepare step builds it).
import { execFileSync } from 'node:child_process';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { binaryPath, startKit } from '@mooring/testkit';
import { type BenchAddon, clusterText, load, podinfoAddons, smallValues } from './defs.ts';
import {
  arg,
  kitProcesses,
  log,
  machine,
  mib,
  pool,
  round,
  sleep,
  table,
  verdict,
  writeResults,
} from './lib.ts';
import {
  ARGOCD_NAMESPACE,
  ARGOCD_VERSION,
  type ArgoPeer,
  applicationsOf,
  argocdBuilt,
  listApps,
  REFRESH_ANNOTATION,
  reconciledAt,
  refreshed,
  startArgoPeer,
  stopArgoPeer,
  syncedHealthy,
  writeApplications,
} from './peers/argocd.ts';
import {
  applyFluxCrds,
  FLUX_VERSIONS,
  type FluxController,
  missingFluxBinaries,
  startHelmController,
  startSourceController,
} from './peers/flux.ts';
import { type MooringAgent, startMooringAgent } from './peers/mooringAgent.ts';
import { procCpu, procSample, treeCpu } from './proc.ts';

const RELEASES = Number(arg('releases', '100'));
const NAMESPACES = Number(arg('namespaces', '10'));
const DRIFTS = Number(arg('drifts', '10'));
const MATCHED = Number(arg('concurrency', '8'));
const IDLE_S = Number(arg('idle-seconds', '30'));
const PEERS = arg('peers', 'flux,argocd').split(',').filter(Boolean);
let seed = Number(arg('seed', '11'));
const CHART_VERSION = '6.14.1';
const RUN_LABEL = 'bench.mooring.dev/run';
const CLUSTER_ID = 'bench-peers';
const WITH_FLUX = PEERS.includes('flux');
const WITH_ARGO = PEERS.includes('argocd');

function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : Number.NaN;
};
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 3) : Number.NaN);

/** CPU seconds of named processes (and extra readings) between two moments. */
class Meter {
  private readonly procs: Map<number, string>;
  private readonly extra: () => Record<string, number>;
  private at = 0;
  private base: Record<string, number> = {};
  constructor(procs: Map<number, string>, extra: () => Record<string, number> = () => ({})) {
    this.procs = procs;
    this.extra = extra;
  }
  private read(): Record<string, number> {
    const out: Record<string, number> = { ...this.extra() };
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

/** The largest value `read()` gives while sampled every 200 ms. */
class PeakSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(read: () => number) {
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, read());
    }, 200);
  }
  stop(): number {
    clearInterval(this.timer);
    return this.peak;
  }
}

interface Drift {
  namespace: string;
  release: string;
  atMs: number;
}

const mem = (pid: number) => {
  const s = procSample(pid);
  return { rssMiB: mib(s?.rssBytes ?? 0), peakRssMiB: mib(s?.hwmBytes ?? 0) };
};

async function main(): Promise<void> {
  const t0 = Date.now();
  const missing = WITH_FLUX ? missingFluxBinaries() : [];
  if (missing.length)
    throw new Error(`Flux binaries missing: ${missing.join(', ')} (run bash bench/peers/build-flux.sh)`);
  if (WITH_ARGO && !argocdBuilt())
    throw new Error(
      `Argo CD missing: ${binaryPath('argocd')} (run node packages/testkit/src/bin/prepare.ts)`,
    );
  log(
    `starting the kit (nats, kubernetes, charts); ${RELEASES} releases in ${NAMESPACES} namespaces; peers: ${PEERS.join(', ') || 'none'}`,
  );
  const kit = await startKit(['nats', 'kubernetes', 'charts']);
  const controllers: FluxController[] = [];
  let agent: MooringAgent | undefined;
  let argoPeer: ArgoPeer | undefined;
  try {
    const info = kit.info;
    const repo = info.chartRepoUrl!;
    const kc = new KubeConfig();
    kc.loadFromFile(info.kubeconfig!);
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const kubectl = (args: string[], input?: string) =>
      execFileSync(binaryPath('kubectl'), args, {
        env: { ...process.env, ...info.env },
        input,
        stdio: ['pipe', 'pipe', 'pipe'],
        maxBuffer: 256 * 1024 * 1024,
      }).toString();
    const kitProcs = kitProcesses(info.workDir);
    const cpuText = (c: Record<string, number>) =>
      Object.entries(c)
        .filter(([, v]) => v >= 0.05)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');

    // drifts: the same count, random releases and moments for every peer
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
    /** Deletes the namespaces whose names start with one of `prefixes` and waits until they are gone. */
    const deleteNamespaces = async (prefixes: string[]) => {
      const t = performance.now();
      const mine = async () =>
        (await core.listNamespace()).items
          .map((n) => n.metadata!.name!)
          .filter((n) => prefixes.some((p) => n.startsWith(`${p}-`)));
      await pool(await mine(), 8, (n) => core.deleteNamespace({ name: n }).catch(() => undefined));
      for (let i = 0; i < 600; i++) {
        if ((await mine()).length === 0) break;
        await sleep(1000);
      }
      const left = await mine();
      log(
        `namespaces ${prefixes.join(', ')}-*: ${left.length ? `${left.length} still terminating` : 'gone'} after ${round((performance.now() - t) / 1000, 1)} s`,
      );
    };

    // ------------------------------------------------------------ Mooring (the agent process)
    const addons: BenchAddon[] = podinfoAddons('mo', RELEASES, NAMESPACES, smallValues).map((a) => ({
      ...a,
      selfHeal: true,
    }));
    const files = {
      files: { 'import-cluster.yaml': clusterText(CLUSTER_ID, addons, repo) },
      path: 'import-cluster.yaml',
    };
    log('mooring: starting the agent process');
    agent = await startMooringAgent(info, CLUSTER_ID);
    const ag = agent;
    const first = await ag.send('sweep', {}, 300_000);
    if (!first.ok) throw new Error(`the agent's first sweep failed: ${first.message}`);
    const agentIdleEmpty = mem(ag.pid);
    log(`mooring: agent up (pid ${ag.pid}), RSS ${agentIdleEmpty.rssMiB} MiB with nothing applied`);
    const agentMeter = () => new Meter(kitProcs, () => ({ 'mooring-agent (+ its helm)': treeCpu(ag.pid) }));
    log(`mooring: cold apply of ${RELEASES} releases at concurrency ${MATCHED}`);
    let m = agentMeter();
    const treePeak = new PeakSampler(() => ag.treeRssBytes());
    m.start();
    const cold = await ag.send('apply', { ...files, options: { concurrency: MATCHED } });
    const moCold = {
      ok: cold.ok,
      ...m.stop(),
      helmCalls: cold.apply?.helm_calls,
      peakRssMiB: { agent: mem(ag.pid).peakRssMiB, 'agent + helm children': mib(treePeak.stop()) },
      agentRssAfterMiB: mem(ag.pid).rssMiB,
    };
    if (!cold.ok)
      throw new Error(
        `mooring apply failed: ${cold.message} ${JSON.stringify(cold.apply?.members.filter((x) => x.phase === 'failed').slice(0, 3))}`,
      );
    log(`mooring: cold ${moCold.wallSeconds} s, agent RSS ${moCold.agentRssAfterMiB} MiB; no-op re-apply`);
    m = agentMeter();
    m.start();
    const again = await ag.send('apply', { ...files, options: { concurrency: MATCHED } });
    const moNoop = {
      ok: again.ok,
      ...m.stop(),
      helmCalls: again.apply?.helm_calls,
      agentRssAfterMiB: mem(ag.pid).rssMiB,
    };
    log(
      `mooring: no-op ${moNoop.wallSeconds} s, ${moNoop.helmCalls} helm calls, agent RSS ${moNoop.agentRssAfterMiB} MiB`,
    );

    log(`mooring: ${DRIFTS} drifts within a minute (the agent's Reconciler, targeted heal)`);
    m = agentMeter();
    m.start();
    const moDriftMs = await runDrifts('mooring', pickDrifts(addons), 180_000);
    const moDrift = { ...driftStats(moDriftMs), ...m.stop(), agentRssAfterMiB: mem(ag.pid).rssMiB };
    log(
      `mooring: agent RSS ${moDrift.agentRssAfterMiB} MiB after the drifts; idle ${IDLE_S} s with the agent watching ${RELEASES} releases`,
    );
    m = agentMeter();
    m.start();
    await sleep(IDLE_S * 1000);
    const moIdle = {
      ...m.stop(),
      ...mem(ag.pid),
      treeRssMiB: mib(ag.treeRssBytes()),
      emptyRssMiB: agentIdleEmpty.rssMiB,
    };
    log(`mooring: agent RSS ${moIdle.rssMiB} MiB (peak ${moIdle.peakRssMiB})`);
    await ag.stop();
    agent = undefined;
    await deleteNamespaces(['mo']);

    // ------------------------------------------------------------ Flux
    let flux:
      | {
          coldDefault: {
            concurrency: number;
            ready: number;
            wallSeconds: number;
            cpuSeconds: Record<string, number>;
            peakRssMiB: Record<string, number>;
          };
          coldMatched: {
            concurrency: number;
            ready: number;
            wallSeconds: number;
            cpuSeconds: Record<string, number>;
            peakRssMiB: Record<string, number>;
          };
          noop: { handled: number; wallSeconds: number; cpuSeconds: Record<string, number> };
          drift: ReturnType<typeof driftStats> & { wallSeconds: number; cpuSeconds: Record<string, number> };
          idle: {
            wallSeconds: number;
            cpuSeconds: Record<string, number>;
            'helm-controller': { rssMiB: number; peakRssMiB: number };
            'source-controller': { rssMiB: number; peakRssMiB: number };
          };
          idleRssMiB: number;
        }
      | undefined;
    if (WITH_FLUX) {
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
      type HelmReleaseObject = {
        metadata: { name: string; namespace: string; generation?: number };
        status?: {
          observedGeneration?: number;
          lastHandledReconcileAt?: string;
          conditions?: { type: string; status: string }[];
        };
      };
      const listReleases = async (run: string) =>
        (
          (await custom.listClusterCustomObject({
            group: 'helm.toolkit.fluxcd.io',
            version: 'v2',
            plural: 'helmreleases',
            labelSelector: `${RUN_LABEL}=${run}`,
          })) as { items: HelmReleaseObject[] }
        ).items;
      /** HelmReleases of a run: how many are Ready (and, with `token`, have handled that request). */
      const readyCount = async (run: string, token?: string) =>
        (await listReleases(run)).filter(
          (h) =>
            h.status?.observedGeneration === h.metadata.generation &&
            h.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
            (!token || h.status?.lastHandledReconcileAt === token),
        ).length;
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
          ...kitProcs,
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
        const fm = new Meter(fluxProcs(hc));
        const objects = Array.from({ length: RELEASES }, (_, i) => fluxRelease(run, i));
        const namespaces = [...new Set(objects.map((o) => o.metadata.namespace))];
        log(
          `flux ${run}: cold apply of ${RELEASES} HelmReleases, helm-controller --concurrent=${concurrent ?? '4 (default)'}`,
        );
        fm.start();
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
          ...fm.stop(),
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
        pickDrifts(
          fxMatched.objects.map((o) => ({ name: o.metadata.name, namespace: o.metadata.namespace })),
        ),
        180_000,
      );
      const fxDrift = { ...driftStats(fxDriftMs), ...mDrift.stop() };

      // memory, idle
      log(`flux: idle ${IDLE_S} s`);
      const mIdle = new Meter(fluxProcs(hc));
      mIdle.start();
      await sleep(IDLE_S * 1000);
      const fxIdle = {
        ...mIdle.stop(),
        'helm-controller': mem(hc.pid),
        'source-controller': mem(source.pid),
      };
      flux = {
        coldDefault: fxDefault.r,
        coldMatched: fxMatched.r,
        noop: fxNoop,
        drift: fxDrift,
        idle: fxIdle,
        idleRssMiB: round(fxIdle['helm-controller'].rssMiB + fxIdle['source-controller'].rssMiB, 1),
      };
      // Flux leaves the cluster: controllers stopped, their finalizers lifted, namespaces deleted
      for (const c of controllers.splice(0).reverse()) await c.stop().catch(() => undefined);
      for (const run of ['fxa', 'fxb'])
        await pool(await listReleases(run), 8, (h) =>
          custom
            .patchNamespacedCustomObject({
              group: 'helm.toolkit.fluxcd.io',
              version: 'v2',
              plural: 'helmreleases',
              namespace: h.metadata.namespace,
              name: h.metadata.name,
              body: [{ op: 'remove', path: '/metadata/finalizers' }],
            })
            .catch(() => undefined),
        );
      await deleteNamespaces(['fxa', 'fxb']);
    }

    // ------------------------------------------------------------ Argo CD
    let argocd:
      | {
          upSeconds: number;
          cold: {
            ready: number;
            wallSeconds: number;
            cpuSeconds: Record<string, number>;
            peakRssMiB: Record<string, number>;
          };
          noop: { handled: number; wallSeconds: number; cpuSeconds: Record<string, number> };
          drift: ReturnType<typeof driftStats> & { wallSeconds: number; cpuSeconds: Record<string, number> };
          idle: {
            wallSeconds: number;
            cpuSeconds: Record<string, number>;
            processes: Record<string, { rssMiB: number; peakRssMiB: number }>;
          };
          idleRssMiB: number;
        }
      | undefined;
    if (WITH_ARGO) {
      log(`argocd: starting Argo CD ${ARGOCD_VERSION} in ${ARGOCD_NAMESPACE}`);
      const tUp = performance.now();
      argoPeer = await startArgoPeer(info);
      const upSeconds = round((performance.now() - tUp) / 1000, 1);
      const ap = argoPeer;
      const argoProcs = new Map<number, string>([...kitProcs, ...ap.procs]);
      const argoMem = () =>
        Object.fromEntries([...ap.procs].map(([pid, name]) => [name.replace(/^argocd-/, ''), mem(pid)]));
      const arAddons = podinfoAddons('ar', RELEASES, NAMESPACES, smallValues).map((a) => ({
        ...a,
        selfHeal: true,
      }));
      const { def: arDef } = load(clusterText(CLUSTER_ID, arAddons, repo));
      const applications = applicationsOf(arDef);
      const waitApps = async (
        what: string,
        done: (a: Awaited<ReturnType<typeof listApps>>[number]) => boolean,
        timeoutMs: number,
      ) => {
        const deadline = Date.now() + timeoutMs;
        let n = 0;
        let lastLog = Date.now();
        while (Date.now() < deadline) {
          const list = await listApps(custom);
          n = list.filter(done).length;
          if (n === RELEASES && list.length === RELEASES) return n;
          if (Date.now() - lastLog > 15_000) {
            log(`argocd: ${n}/${RELEASES} ${what}`);
            lastLog = Date.now();
          }
          await sleep(250);
        }
        return n;
      };
      log(`argocd: up in ${upSeconds} s; cold apply of ${RELEASES} Applications`);
      let am = new Meter(argoProcs);
      am.start();
      await writeApplications(ap, applications, MATCHED);
      const ready = await waitApps('Synced/Healthy', syncedHealthy, 1_800_000);
      const arCold = {
        ready,
        ...am.stop(),
        peakRssMiB: Object.fromEntries(Object.entries(argoMem()).map(([k, v]) => [k, v.peakRssMiB])),
      };
      log(`argocd: ${ready}/${RELEASES} Synced/Healthy in ${arCold.wallSeconds} s`);

      // no-op: a refresh of every Application (what `argocd app get --refresh` asks for)
      log('argocd: refresh of every Application');
      const before = await reconciledAt(custom);
      am = new Meter(argoProcs);
      am.start();
      kubectl([
        'annotate',
        'applications.argoproj.io',
        '-n',
        ARGOCD_NAMESPACE,
        '--all',
        '--overwrite',
        `${REFRESH_ANNOTATION}=normal`,
      ]);
      const handled = await waitApps('refreshed', (a) => refreshed(a, before), 600_000);
      const arNoop = { handled, ...am.stop() };
      log(`argocd: refresh handled by ${handled}/${RELEASES} in ${arNoop.wallSeconds} s`);

      log(`argocd: ${DRIFTS} drifts within a minute (automated, selfHeal)`);
      am = new Meter(argoProcs);
      am.start();
      const arDriftMs = await runDrifts('argocd', pickDrifts(arAddons), 180_000);
      const arDrift = { ...driftStats(arDriftMs), ...am.stop() };

      log(`argocd: idle ${IDLE_S} s`);
      am = new Meter(argoProcs);
      am.start();
      await sleep(IDLE_S * 1000);
      const processes = argoMem();
      const arIdle = { ...am.stop(), processes };
      argocd = {
        upSeconds,
        cold: arCold,
        noop: arNoop,
        drift: arDrift,
        idle: arIdle,
        idleRssMiB: round(
          Object.values(processes).reduce((s, p) => s + p.rssMiB, 0),
          1,
        ),
      };
      await stopArgoPeer(ap);
      argoPeer = undefined;
    }

    // ------------------------------------------------------------ tables
    const mo = 'mooring agent';
    table(
      `1. Cold apply of ${RELEASES} podinfo releases in ${NAMESPACES} namespaces`,
      ['run', 'wall s', 'ready', 'mooring / this', 'peak RSS MiB', 'CPU s by process'],
      [
        [
          `${mo} c=${MATCHED}`,
          moCold.wallSeconds,
          cold.ok ? RELEASES : 'failed',
          1,
          `agent ${moCold.peakRssMiB.agent}, Σ with helm children ${moCold.peakRssMiB['agent + helm children']}`,
          cpuText(moCold.cpuSeconds),
        ],
        ...(flux
          ? [flux.coldDefault, flux.coldMatched].map((r) => [
              `flux helm-controller c=${r.concurrency}${r.concurrency === 4 ? ' (default)' : ''}`,
              r.wallSeconds,
              r.ready,
              ratio(moCold.wallSeconds, r.wallSeconds),
              `hc ${r.peakRssMiB['helm-controller']}, sc ${r.peakRssMiB['source-controller']}`,
              cpuText(r.cpuSeconds),
            ])
          : []),
        ...(argocd
          ? [
              [
                'argocd (automated sync, defaults)',
                argocd.cold.wallSeconds,
                argocd.cold.ready,
                ratio(moCold.wallSeconds, argocd.cold.wallSeconds),
                Object.entries(argocd.cold.peakRssMiB)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', '),
                cpuText(argocd.cold.cpuSeconds),
              ],
            ]
          : []),
      ],
    );
    table(
      '2. No-op: unchanged definition applied again vs forced reconcile / refresh of every release',
      ['run', 'wall s', 'done', 'mooring / this', 'Helm calls', 'CPU s by process'],
      [
        [
          `${mo} re-apply`,
          moNoop.wallSeconds,
          again.ok ? RELEASES : 'failed',
          1,
          moNoop.helmCalls ?? '',
          cpuText(moNoop.cpuSeconds),
        ],
        ...(flux
          ? [
              [
                `flux requestedAt (c=${MATCHED})`,
                flux.noop.wallSeconds,
                flux.noop.handled,
                ratio(moNoop.wallSeconds, flux.noop.wallSeconds),
                '',
                cpuText(flux.noop.cpuSeconds),
              ],
            ]
          : []),
        ...(argocd
          ? [
              [
                'argocd refresh=normal',
                argocd.noop.wallSeconds,
                argocd.noop.handled,
                ratio(moNoop.wallSeconds, argocd.noop.wallSeconds),
                '',
                cpuText(argocd.noop.cpuSeconds),
              ],
            ]
          : []),
      ],
    );
    const driftRow = (
      name: string,
      d: ReturnType<typeof driftStats> & { cpuSeconds: Record<string, number> },
    ) => [
      name,
      d.p50,
      d.p95,
      d.max,
      `${d.restored}/${DRIFTS}`,
      ratio(moDrift.p50, d.p50),
      cpuText(d.cpuSeconds),
    ];
    table(
      `3. Drift: Deployment scaled in ${DRIFTS} releases at random moments, time to restored (ms)`,
      ['run', 'p50', 'p95', 'max', 'restored', 'mooring / this (p50)', 'CPU s by process'],
      [
        driftRow(`${mo} (watch + targeted heal)`, moDrift),
        ...(flux ? [driftRow('flux (driftDetection, interval 1m)', flux.drift)] : []),
        ...(argocd ? [driftRow('argocd (automated, selfHeal)', argocd.drift)] : []),
      ],
    );
    table(
      `4. Memory with ${RELEASES} releases deployed, after ${IDLE_S} s idle (MiB)`,
      ['run', 'RSS now', 'peak RSS', 'mooring / this', `CPU s in ${IDLE_S} s idle`],
      [
        [
          `${mo} process (node packages/agent/dist/agent.mjs, the image's bundle)`,
          moIdle.rssMiB,
          moIdle.peakRssMiB,
          1,
          cpuText(moIdle.cpuSeconds),
        ],
        ...(flux
          ? [
              [
                'flux helm-controller + source-controller',
                `${flux.idleRssMiB} (${flux.idle['helm-controller'].rssMiB} + ${flux.idle['source-controller'].rssMiB})`,
                `${flux.idle['helm-controller'].peakRssMiB} + ${flux.idle['source-controller'].peakRssMiB}`,
                ratio(moIdle.rssMiB, flux.idleRssMiB),
                cpuText(flux.idle.cpuSeconds),
              ],
            ]
          : []),
        ...(argocd
          ? [
              [
                'argocd server + repo-server + controller + redis',
                `${argocd.idleRssMiB} (${Object.entries(argocd.idle.processes)
                  .map(([k, v]) => `${k} ${v.rssMiB}`)
                  .join(' + ')})`,
                Object.values(argocd.idle.processes)
                  .map((v) => v.peakRssMiB)
                  .join(' + '),
                ratio(moIdle.rssMiB, argocd.idleRssMiB),
                cpuText(argocd.idle.cpuSeconds),
              ],
            ]
          : []),
      ],
    );
    const verdicts: string[] = [];
    if (flux) {
      const fastest = Math.min(flux.coldDefault.wallSeconds, flux.coldMatched.wallSeconds);
      verdicts.push(
        `vs Flux: cold ${verdict(moCold.wallSeconds < fastest)}, no-op ${verdict(moNoop.wallSeconds <= flux.noop.wallSeconds)}, drift p50 ${verdict(moDrift.p50 < flux.drift.p50)}, memory ${verdict(moIdle.rssMiB < flux.idleRssMiB)}`,
      );
    }
    if (argocd)
      verdicts.push(
        `vs Argo CD: cold ${verdict(moCold.wallSeconds < argocd.cold.wallSeconds)}, no-op ${verdict(moNoop.wallSeconds <= argocd.noop.wallSeconds)}, drift p50 ${verdict(moDrift.p50 < argocd.drift.p50)}, memory ${verdict(moIdle.rssMiB < argocd.idleRssMiB)}`,
      );
    console.log(`\ntargets: ${verdicts.join('; ') || 'no peer measured'}`);
    const file = writeResults('peers', {
      benchmark: 'peers',
      date: new Date().toISOString(),
      command: `npx node bench/peers.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine: machine(),
      versions: { flux: FLUX_VERSIONS, argocd: ARGOCD_VERSION, chart: `podinfo ${CHART_VERSION}` },
      sizes: {
        releases: RELEASES,
        namespaces: NAMESPACES,
        drifts: DRIFTS,
        matchedConcurrency: MATCHED,
        idleSeconds: IDLE_S,
      },
      mooring: { cold: moCold, noop: moNoop, drift: moDrift, idle: moIdle },
      flux: flux ?? 'not measured (--peers)',
      argocd: argocd ?? 'not measured (--peers)',
      totalSeconds: Math.round((Date.now() - t0) / 1000),
    });
    console.log(`\nresults: ${file}`);
  } finally {
    await agent?.stop().catch(() => undefined);
    if (argoPeer) await stopArgoPeer(argoPeer).catch(() => undefined);
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
