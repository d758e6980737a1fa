// The reconcile sweep at 200 add-ons (~1,000 objects) on the kit's real control plane:
//  - quiet sweeps from the watch caches (API requests, wall and CPU time) against the naive method measured
//    in the same run (per release: `helm get manifest` + a GET of every object);
//  - drift heal with a running Reconciler: time from a hand-made change to detection and to the restored state;
//  - engine process memory with ~1,000 and ~10,000 cached objects.
//
// Run: npx node --expose-gc bench/sweep.ts [--addons 200] [--namespaces 10] [--sweeps 5] [--reps 5]
//        [--configmaps 9000] [--concurrency 8]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import {
  type AddonReport,
  applyPlan,
  createEngineContext,
  type EngineContext,
  LiveState,
  parseManifest,
  Reconciler,
  runSweep,
  sweepTargets,
} from '@mooring/engine';
import { WatchCache } from '@mooring/kube';
import { clientNodeConfig, startKit } from '@mooring/testkit';
import { type BenchAddon, clusterText, load } from './defs.ts';
import {
  apiserverRequests,
  arg,
  childrenCpuSeconds,
  fullGc,
  log,
  MemorySampler,
  machine,
  mib,
  pool,
  requestDelta,
  round,
  selfCpuSeconds,
  sleep,
  table,
  total,
  verdict,
  writeResults,
} from './lib.ts';

const ADDONS = Number(arg('addons', '200'));
const NAMESPACES = Number(arg('namespaces', '10'));
const SWEEPS = Number(arg('sweeps', '5'));
const REPS = Number(arg('reps', '5'));
const CONFIGMAPS = Number(arg('configmaps', '9000'));
const CONCURRENCY = Number(arg('concurrency', '8'));
const TARGET_SWEEP_RATIO = 1 / 20;
const TARGET_REQUESTS = 10;
const TARGET_DETECT_MS = 1000;
const TARGET_RESTORE_MS = 5000;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * ~5 objects per add-on, 1,000 for 200 (the kit's Service range is a /24, so at most one Service per add-on):
 *  i%4 = 0, 2: no podinfo Service; ServiceAccount; redis (Deployment, Service, ConfigMap)  → 5 objects
 *  i%4 = 1:    2 replicas; Service; ServiceAccount; PodDisruptionBudget                    → 4 objects
 *  i%4 = 3:    2 replicas; no podinfo Service; ServiceAccount; PDB; redis                  → 6 objects
 */
function addons(): BenchAddon[] {
  const out: BenchAddon[] = [];
  for (let i = 0; i < ADDONS; i++) {
    const v = [`ui:\n  message: "sweep ${i}"`, 'serviceAccount:\n  enabled: true'];
    if (i % 4 === 1 || i % 4 === 3) v.push('replicaCount: 2', 'podDisruptionBudget:\n  maxUnavailable: 1');
    else v.push('replicaCount: 1');
    if (i % 4 !== 1) v.push('service:\n  enabled: false', 'redis:\n  enabled: true');
    out.push({
      name: `sw-${pad(i, 3)}`,
      namespace: `sweep-${pad(i % NAMESPACES)}`,
      values: v.join('\n'),
      selfHeal: true,
    });
  }
  return out;
}

function engineFor(
  info: { kubeconfig?: string; helm: string; env: Record<string, string> },
  cluster: string,
): EngineContext {
  return createEngineContext({
    cluster,
    kubeconfig: info.kubeconfig,
    helmBinary: info.helm,
    helmEnv: info.env,
    chartCacheDir: mkdtempSync(join(tmpdir(), 'bench-sweep-charts-')),
  });
}

async function memoryNow(): Promise<{
  heapUsedMiB: number;
  heapTotalMiB: number;
  rssMiB: number;
  externalMiB: number;
  gc: boolean;
}> {
  const gc = await fullGc();
  const m = process.memoryUsage();
  return {
    heapUsedMiB: mib(m.heapUsed),
    heapTotalMiB: mib(m.heapTotal),
    rssMiB: mib(m.rss),
    externalMiB: mib(m.external + m.arrayBuffers),
    gc,
  };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  log(`starting the kit; ${ADDONS} add-ons in ${NAMESPACES} namespaces`);
  const kit = await startKit(['kubernetes', 'charts']);
  const sampler = new MemorySampler(100);
  sampler.start();
  const stops: (() => void)[] = [];
  try {
    const info = kit.info;
    const cluster = 'bench-sweep';
    const ctx = engineFor(info, cluster);
    const core = clientNodeConfig(ctx.kc).makeApiClient(CoreV1Api);
    const apps = clientNodeConfig(ctx.kc).makeApiClient(AppsV1Api);
    const list = addons();
    const { def, plan } = load(clusterText(cluster, list, info.chartRepoUrl!));
    const targets = sweepTargets(def, plan);

    // 0. deploy
    log(`deploying ${list.length} add-ons with applyPlan (concurrency ${CONCURRENCY})`);
    const d0 = performance.now();
    const applied = await applyPlan(ctx, def, plan, { concurrency: CONCURRENCY });
    const deploySeconds = round((performance.now() - d0) / 1000);
    if (!applied.ok) {
      throw new Error(
        `deploy failed: ${applied.members
          .filter((m) => m.phase !== 'synced')
          .slice(0, 5)
          .map((m) => `${m.name}: ${m.message}`)
          .join('; ')}`,
      );
    }
    log(`deployed in ${deploySeconds} s (${applied.helmCalls} helm calls)`);
    const memBefore = await memoryNow();

    // 1. quiet sweeps from the caches
    const live = new LiveState(
      new WatchCache(ctx.kc, { labelSelector: 'owner=helm' }),
      new WatchCache(ctx.kc),
    );
    stops.push(() => {
      live.objects.stop();
      live.releases.stop();
    });
    const w0 = performance.now();
    await live.start();
    const memory = new Map();
    const warm = await runSweep(ctx, live, targets, memory, { concurrency: CONCURRENCY });
    const warmMs = Math.round(performance.now() - w0);
    const objectsInReleases = targets.reduce(
      (n, t) => n + (live.latest(t.addon.name, t.addon.namespace)?.objects.length ?? 0),
      0,
    );
    const cachedObjects = live.objects.kinds().reduce((n, k) => n + k.count, 0);
    log(
      `warm-up sweep: ${warmMs} ms, ${warm.apiRequests} API requests; ${objectsInReleases} objects in releases; cache: ${cachedObjects} objects of ${live.objects.kinds().length} kinds`,
    );
    const quiet: {
      ms: number;
      cpuMs: number;
      apiRequests: number;
      serverRequests: number;
      drifted: number;
      helmCalls: number;
    }[] = [];
    for (let i = 0; i < SWEEPS; i++) {
      const m0 = await apiserverRequests(clientNodeConfig(ctx.kc));
      const c0 = selfCpuSeconds();
      const s0 = performance.now();
      const r = await runSweep(ctx, live, targets, memory, { concurrency: CONCURRENCY });
      const ms = performance.now() - s0;
      const cpu = selfCpuSeconds() - c0;
      const server = requestDelta(m0, await apiserverRequests(clientNodeConfig(ctx.kc)));
      quiet.push({
        ms: round(ms, 1),
        cpuMs: round(cpu * 1000, 1),
        apiRequests: r.apiRequests,
        serverRequests: total(server),
        drifted: r.addons.filter((a) => a.drift.length > 0).length,
        helmCalls: r.helmCalls,
      });
    }
    live.objects.stop();
    live.releases.stop();

    // 2. the naive method: helm get manifest + GET of every object, sequential (and with 8 at once, for reference)
    const naive = async (parallel: number) => {
      const client = KubernetesObjectApi.makeApiClient(clientNodeConfig(ctx.kc));
      let gets = 0;
      let missing = 0;
      const m0 = await apiserverRequests(clientNodeConfig(ctx.kc));
      const c0 = selfCpuSeconds();
      const h0 = childrenCpuSeconds();
      const s0 = performance.now();
      await pool(targets, parallel, async (t) => {
        const manifest = await ctx.helm.getManifest(t.addon.name, t.addon.namespace);
        for (const o of parseManifest(manifest, t.addon.namespace)) {
          gets++;
          try {
            await client.read(o as never);
          } catch {
            missing++;
          }
        }
      });
      const ms = performance.now() - s0;
      const server = requestDelta(m0, await apiserverRequests(clientNodeConfig(ctx.kc)));
      return {
        parallel,
        ms: Math.round(ms),
        engineCpuMs: Math.round((selfCpuSeconds() - c0) * 1000),
        helmCpuMs: Math.round((childrenCpuSeconds() - h0) * 1000),
        helmCalls: targets.length,
        objectGets: gets,
        missing,
        serverRequests: total(server),
        topServerRequests: Object.fromEntries(Object.entries(server).slice(0, 5)),
      };
    };
    log('naive baseline: sequential');
    const naiveSeq = await naive(1);
    log(`naive sequential: ${naiveSeq.ms} ms; with 8 at once`);
    const naivePar = await naive(8);
    log(`naive x8: ${naivePar.ms} ms`);

    // 3. drift heal with a Reconciler
    const checks: { at: number; report: AddonReport }[] = [];
    const rec = new Reconciler(ctx, {
      intervalMs: 3_600_000,
      onCheck: (r) => checks.push({ at: Date.now(), report: r }),
    });
    stops.push(() => rec.stop());
    rec.setTargets(targets);
    const r0 = performance.now();
    await rec.start();
    const recStartMs = Math.round(performance.now() - r0);
    log(`reconciler started (first full sweep) in ${recStartMs} ms`);
    const victim = list[1]!; // 2 replicas desired
    const deployment = `${victim.name}-podinfo`;
    const desired = 2;
    const reps: {
      rep: number;
      replicas: number;
      detectMs: number;
      checkMs: number;
      restoreMs: number;
      actions: string;
      detectSource: string;
    }[] = [];
    for (let rep = 1; rep <= REPS; rep++) {
      await sleep(1500);
      const from = checks.length;
      const scaled = desired + rep + 1;
      const start = Date.now();
      await apps.patchNamespacedDeploymentScale({
        name: deployment,
        namespace: victim.namespace,
        body: [{ op: 'replace', path: '/spec/replicas', value: scaled }],
      });
      let restoredAt = 0;
      const deadline = start + 30_000;
      while (Date.now() < deadline) {
        const d = await apps.readNamespacedDeployment({ name: deployment, namespace: victim.namespace });
        if (d.spec?.replicas === desired) {
          restoredAt = Date.now();
          break;
        }
        await sleep(50);
      }
      // the check that saw the drift: detectedAt is when its evaluation began
      let found: { at: number; report: AddonReport } | undefined;
      for (let i = 0; i < 100 && !found; i++) {
        found = checks
          .slice(from)
          .find(
            (c) =>
              c.report.name === victim.name &&
              (c.report.drift.length > 0 || c.report.actions.includes('healed')),
          );
        if (!found) await sleep(50);
      }
      const detectedAt = found?.report.detectedAt ? Date.parse(found.report.detectedAt) : Number.NaN;
      const valid = Number.isFinite(detectedAt) && detectedAt >= start;
      reps.push({
        rep,
        replicas: scaled,
        detectMs: found ? (valid ? detectedAt - start : found.at - start) : Number.NaN,
        checkMs: found ? found.at - start : Number.NaN,
        restoreMs: restoredAt ? restoredAt - start : Number.NaN,
        actions: found?.report.actions.join(',') ?? 'none seen',
        detectSource: valid ? 'report.detectedAt' : 'onCheck time',
      });
      log(
        `rep ${rep}: detect ${reps.at(-1)!.detectMs} ms, restored ${reps.at(-1)!.restoreMs} ms (${reps.at(-1)!.actions})`,
      );
    }

    // 4. memory with ~1,000 and ~10,000 cached objects (the Reconciler's caches)
    await sleep(1000);
    const cacheCount = () => rec.live.objects.kinds().reduce((n, k) => n + k.count, 0);
    const releaseSecrets = () => rec.live.releases.kinds().reduce((n, k) => n + k.count, 0);
    const mem1k = { objects: cacheCount(), releaseSecrets: releaseSecrets(), ...(await memoryNow()) };
    log(`memory at ${mem1k.objects} cached objects: heap ${mem1k.heapUsedMiB} MiB, RSS ${mem1k.rssMiB} MiB`);
    const cmNamespaces = Math.max(1, Math.ceil(CONFIGMAPS / 1000));
    for (let i = 0; i < cmNamespaces; i++)
      await core.createNamespace({ body: { metadata: { name: `bench-cm-${i}` } } });
    const c0 = performance.now();
    const items = Array.from({ length: CONFIGMAPS }, (_, i) => i);
    await pool(items, 16, async (i) => {
      await core.createNamespacedConfigMap({
        namespace: `bench-cm-${i % cmNamespaces}`,
        body: {
          metadata: { name: `cm-${pad(i, 5)}`, labels: { bench: 'sweep' } },
          data: { index: String(i), note: `a small ConfigMap number ${i}` },
        },
      });
    });
    const createSeconds = round((performance.now() - c0) / 1000);
    const expected = mem1k.objects + CONFIGMAPS;
    for (let i = 0; i < 600 && cacheCount() < expected; i++) await sleep(100);
    const mem10k = { objects: cacheCount(), releaseSecrets: releaseSecrets(), ...(await memoryNow()) };
    log(
      `created ${CONFIGMAPS} ConfigMaps in ${createSeconds} s; memory at ${mem10k.objects} cached objects: heap ${mem10k.heapUsedMiB} MiB, RSS ${mem10k.rssMiB} MiB`,
    );
    // a quiet sweep with the bigger cache
    const big: { ms: number; cpuMs: number; apiRequests: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const cc = selfCpuSeconds();
      const s0 = performance.now();
      const r = await rec.sweepNow();
      big.push({
        ms: round(performance.now() - s0, 1),
        cpuMs: round((selfCpuSeconds() - cc) * 1000, 1),
        apiRequests: r.apiRequests,
      });
    }
    const kinds = rec.live.objects.kinds();
    rec.stop();

    // 5. report
    const q = {
      ms: round(avg(quiet.map((x) => x.ms)), 1),
      cpuMs: round(avg(quiet.map((x) => x.cpuMs)), 1),
      apiRequests: avg(quiet.map((x) => x.apiRequests)),
      serverRequests: round(avg(quiet.map((x) => x.serverRequests)), 1),
    };
    const ratio = q.ms / naiveSeq.ms;
    table(
      'Quiet sweeps (after warm caches)',
      [
        'sweep',
        'wall ms',
        'CPU ms',
        'API requests (sweep)',
        'apiserver requests (all clients)',
        'drifted',
        'helm calls',
      ],
      [
        ...quiet.map((x, i) => [
          i + 1,
          x.ms,
          x.cpuMs,
          x.apiRequests,
          x.serverRequests,
          x.drifted,
          x.helmCalls,
        ]),
        ['avg', q.ms, q.cpuMs, q.apiRequests, q.serverRequests, '', ''],
      ],
    );
    table(
      'Sweep vs the naive method (helm get manifest + GET every object)',
      ['method', 'wall ms', 'CPU ms (node + helm)', 'API requests', 'ratio sweep/method', `≤1/20`],
      [
        ['cached sweep (avg)', q.ms, q.cpuMs, q.apiRequests, '', ''],
        [
          `naive sequential (${naiveSeq.helmCalls} helm + ${naiveSeq.objectGets} GETs)`,
          naiveSeq.ms,
          naiveSeq.engineCpuMs + naiveSeq.helmCpuMs,
          naiveSeq.serverRequests,
          `${round(ratio, 4)} (1/${Math.round(1 / ratio)})`,
          verdict(ratio <= TARGET_SWEEP_RATIO),
        ],
        [
          `naive, 8 at once`,
          naivePar.ms,
          naivePar.engineCpuMs + naivePar.helmCpuMs,
          naivePar.serverRequests,
          `${round(q.ms / naivePar.ms, 4)} (1/${Math.round(naivePar.ms / q.ms)})`,
          verdict(q.ms / naivePar.ms <= TARGET_SWEEP_RATIO),
        ],
      ],
    );
    console.log(
      `quiet sweep API requests: ${q.apiRequests} (target < ${TARGET_REQUESTS}: ${verdict(q.apiRequests < TARGET_REQUESTS)})`,
    );
    table(
      'Drift heal: scale a Deployment by hand, Reconciler with self_heal',
      [
        'rep',
        'scaled to',
        'detect ms',
        `<${TARGET_DETECT_MS}`,
        'check done ms',
        'restored ms',
        `<${TARGET_RESTORE_MS}`,
        'actions',
      ],
      reps.map((r) => [
        r.rep,
        r.replicas,
        r.detectMs,
        verdict(r.detectMs < TARGET_DETECT_MS),
        r.checkMs,
        r.restoreMs,
        verdict(r.restoreMs < TARGET_RESTORE_MS),
        r.actions,
      ]),
    );
    const detectOk = reps.every((r) => r.detectMs < TARGET_DETECT_MS);
    const restoreOk = reps.every((r) => r.restoreMs < TARGET_RESTORE_MS);
    const half = Math.floor(reps.length / 2);
    const growing =
      reps.length >= 4 &&
      avg(reps.slice(-half).map((r) => r.restoreMs)) > 1.5 * avg(reps.slice(0, half).map((r) => r.restoreMs));
    console.log(
      `detection < ${TARGET_DETECT_MS} ms every time: ${verdict(detectOk)}; restore < ${TARGET_RESTORE_MS} ms every time: ${verdict(restoreOk)}; growing delay across reps: ${growing ? 'YES (MISSED)' : 'no (met)'}`,
    );
    const perObjKiB =
      mem10k.objects > mem1k.objects
        ? round(((mem10k.heapUsedMiB - mem1k.heapUsedMiB) * 1024) / (mem10k.objects - mem1k.objects), 2)
        : Number.NaN;
    table(
      `Engine process memory${mem1k.gc ? ' (after full GC)' : ' (no --expose-gc: without GC)'}`,
      [
        'state',
        'cached objects',
        'release Secrets cached',
        'heap used MiB',
        'heap total MiB',
        'RSS MiB',
        'external MiB',
      ],
      [
        [
          'after deploy, before caches',
          0,
          0,
          memBefore.heapUsedMiB,
          memBefore.heapTotalMiB,
          memBefore.rssMiB,
          memBefore.externalMiB,
        ],
        [
          '~1,000 objects',
          mem1k.objects,
          mem1k.releaseSecrets,
          mem1k.heapUsedMiB,
          mem1k.heapTotalMiB,
          mem1k.rssMiB,
          mem1k.externalMiB,
        ],
        [
          '~10,000 objects',
          mem10k.objects,
          mem10k.releaseSecrets,
          mem10k.heapUsedMiB,
          mem10k.heapTotalMiB,
          mem10k.rssMiB,
          mem10k.externalMiB,
        ],
      ],
    );
    console.log(
      `heap per extra cached ConfigMap: ${perObjKiB} KiB; cache kinds: ${kinds.map((k) => `${k.kind}:${k.count}`).join(' ')}`,
    );
    table(
      'Quiet sweeps with ~10,000 cached objects (Reconciler.sweepNow)',
      ['sweep', 'wall ms', 'CPU ms', 'API requests'],
      big.map((b, i) => [i + 1, b.ms, b.cpuMs, b.apiRequests]),
    );

    const summary = {
      quietSweepMs: q.ms,
      quietSweepCpuMs: q.cpuMs,
      quietSweepApiRequests: q.apiRequests,
      requestsTarget: `< ${TARGET_REQUESTS}`,
      requestsMet: q.apiRequests < TARGET_REQUESTS,
      naiveSequentialMs: naiveSeq.ms,
      ratio: round(ratio, 4),
      ratioTarget: '<= 1/20',
      ratioMet: ratio <= TARGET_SWEEP_RATIO,
      detectMs: reps.map((r) => r.detectMs),
      restoreMs: reps.map((r) => r.restoreMs),
      detectMet: detectOk,
      restoreMet: restoreOk,
      growingDelay: growing,
      heapMiB1k: mem1k.heapUsedMiB,
      rssMiB1k: mem1k.rssMiB,
      heapMiB10k: mem10k.heapUsedMiB,
      rssMiB10k: mem10k.rssMiB,
      cachedObjects: [mem1k.objects, mem10k.objects],
    };
    console.log(`\nSummary: ${JSON.stringify(summary)}`);
    const file = writeResults('sweep', {
      benchmark: 'sweep',
      date: new Date().toISOString(),
      command: `npx node ${process.execArgv.join(' ')} bench/sweep.ts ${process.argv.slice(2).join(' ')}`
        .replace(/\s+/g, ' ')
        .trim(),
      machine: machine(),
      sizes: {
        addons: ADDONS,
        namespaces: NAMESPACES,
        objectsInReleases,
        sweeps: SWEEPS,
        reps: REPS,
        configMaps: CONFIGMAPS,
        concurrency: CONCURRENCY,
      },
      targets: {
        ratio: '<= 1/20 of naive',
        apiRequests: `< ${TARGET_REQUESTS} per quiet sweep`,
        detect: `< ${TARGET_DETECT_MS} ms`,
        restore: `< ${TARGET_RESTORE_MS} ms`,
        growing: 'no growing delay',
      },
      summary,
      deploy: { seconds: deploySeconds, helmCalls: applied.helmCalls },
      warmup: { ms: warmMs, apiRequests: warm.apiRequests, cachedObjects },
      quiet,
      naive: { sequential: naiveSeq, parallel8: naivePar },
      drift: { reconcilerStartMs: recStartMs, deployment: `${victim.namespace}/${deployment}`, reps },
      memory: {
        beforeCaches: memBefore,
        at1k: mem1k,
        at10k: mem10k,
        heapKiBPerExtraObject: perObjKiB,
        configMapCreateSeconds: createSeconds,
        kinds,
        peakDuringRun: sampler.peak(),
      },
      bigCacheSweeps: big,
      totalSeconds: Math.round((Date.now() - t0) / 1000),
    });
    console.log(`\nresults: ${file}`);
  } finally {
    for (const s of stops) {
      try {
        s();
      } catch {
        /* stopping */
      }
    }
    sampler.stop();
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
