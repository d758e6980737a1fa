// Cold apply of 100 podinfo add-ons in 10 namespaces with the native engine, against a plain sequential
// `helm upgrade --install --wait=watcher` loop of the same releases, measured in the same run on the kit's
// real control plane; then a no-op re-apply; plus probes of a single helm call to see where time goes.
//
// Run: npx node bench/apply-podinfo.ts [--addons 100] [--namespaces 10] [--concurrency 4,8,16]
//        [--experiments hookOnly,lean,qps] [--probe-runs 3] [--skip-baseline]
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { applyPlan, createEngineContext, type EngineContext } from '@mooring/engine';
import { clientNodeConfig, startKit } from '@mooring/testkit';
import { clusterText, load, podinfoAddons, smallValues } from './defs.ts';
import {
  apiserverRequests,
  arg,
  type CpuBreakdown,
  CpuMeter,
  childrenCpuSeconds,
  kitProcesses,
  log,
  MemorySampler,
  machine,
  requestDelta,
  round,
  run,
  sleep,
  table,
  total,
  verdict,
  writeResults,
} from './lib.ts';

const ADDONS = Number(arg('addons', '100'));
const NAMESPACES = Number(arg('namespaces', '10'));
const CONCURRENCY = arg('concurrency', '4,8,16').split(',').filter(Boolean).map(Number);
const EXPERIMENTS = arg('experiments', 'hookOnly,lean').split(',').filter(Boolean);
const PROBE_RUNS = Number(arg('probe-runs', '3'));
const SKIP_BASELINE = process.argv.includes('--skip-baseline');
const TARGET_RATIO = 1 / 3;
const hookOnly = (args: string[]) => args.map((x) => (x === '--wait=watcher' ? '--wait=hookOnly' : x));
/** Experiments: the engine's helm flags rewritten in the bench (the engine is not changed). */
const EXPERIMENT_FLAGS: Record<
  string,
  { label: string; rewrite: (args: string[]) => string[]; env?: Record<string, string> }
> = {
  goenv: {
    label: 'helm with GOMAXPROCS=1 GOGC=off GOMEMLIMIT=256MiB',
    rewrite: (a) => a,
    env: { GOMAXPROCS: '1', GOGC: 'off', GOMEMLIMIT: '256MiB' },
  },
  gomaxprocs: { label: 'helm with GOMAXPROCS=1', rewrite: (a) => a, env: { GOMAXPROCS: '1' } },
  hookOnly: { label: 'helm --wait=hookOnly (engine health wait only)', rewrite: hookOnly },
  qps: {
    label: 'helm --qps 100 --burst-limit 200',
    rewrite: (a) => [...a, '--qps', '100', '--burst-limit', '200'],
  },
  lean: {
    label: 'helm --wait=hookOnly --disable-openapi-validation --skip-schema-validation',
    rewrite: (a) => [...hookOnly(a), '--disable-openapi-validation', '--skip-schema-validation'],
  },
};
const TARGET_ABS_S = 40;
const TARGET_NOOP_S = 2;

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const median = (xs: number[]) => pct(xs, 50);

interface EngineTrial {
  label: string;
  concurrency: number;
  helmArgsRewrite?: string;
  cold: {
    ok: boolean;
    seconds: number;
    helmCalls: number;
    failed: string[];
    peak: ReturnType<MemorySampler['peak']>;
    cpu: CpuBreakdown;
    helmCallMs: { p50: number; p95: number; max: number; sum: number };
    memberMs: { p50: number; p95: number; max: number };
    /** Per member: wall time outside the helm process (chart resolve + health wait after helm). */
    outsideHelmMs: { p50: number; p95: number };
    /** kube-apiserver requests during the apply (all clients: helm, engine, control plane). */
    apiRequests: number;
    requests: Record<string, number>;
  };
  noop: { ok: boolean; seconds: number; helmCalls: number; unchanged: number };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  log(
    `starting the kit (kubernetes, charts); ${ADDONS} add-ons in ${NAMESPACES} namespaces; concurrency ${CONCURRENCY.join(',')}`,
  );
  const kit = await startKit(['kubernetes', 'charts']);
  const sampler = new MemorySampler(100);
  sampler.start();
  try {
    const info = kit.info;
    const repo = info.chartRepoUrl!;
    const meter = new CpuMeter(kitProcesses(info.workDir));
    const kitCtx = engineFor(info, 'bench-admin');
    const core = clientNodeConfig(kitCtx.kc).makeApiClient(CoreV1Api);
    const helmEnv = { ...info.env, HELM_NO_PLUGINS: '1' };
    const kube = ['--kubeconfig', info.kubeconfig!];

    // the chart as a local package, for the baseline and the probes (the engine caches it the same way)
    const chartDir = mkdtempSync(join(tmpdir(), 'bench-chart-'));
    const pulled = await run(
      info.helm,
      ['pull', 'podinfo', '--repo', repo, '--version', '6.14.1', '-d', chartDir],
      { env: helmEnv },
    );
    if (pulled.code !== 0) throw new Error(`helm pull failed: ${pulled.stderr}`);
    const chart = join(chartDir, readdirSync(chartDir)[0]!);

    // 1. probes: one helm call at a time on an idle cluster
    log('probes: single helm calls');
    const probes: Record<
      string,
      { wallMs: number; cpuS: number; runs: number; apiRequests: number; requests: Record<string, number> }
    > = {};
    const probe = async (label: string, args: (i: number) => string[], stdin = smallValues(0)) => {
      const walls: number[] = [];
      const cpus: number[] = [];
      let requests: Record<string, number> = {};
      for (let i = 0; i < PROBE_RUNS; i++) {
        const m0 = await apiserverRequests(clientNodeConfig(kitCtx.kc));
        const c0 = childrenCpuSeconds();
        const r = await run(info.helm, [...args(i), ...kube], { env: helmEnv, stdin });
        if (r.code !== 0) throw new Error(`probe ${label} failed: ${r.stderr}`);
        walls.push(r.ms);
        cpus.push(childrenCpuSeconds() - c0);
        // the last run's requests; the control plane's own background requests are included (see the idle row)
        requests = requestDelta(m0, await apiserverRequests(clientNodeConfig(kitCtx.kc)));
      }
      probes[label] = {
        wallMs: Math.round(median(walls)),
        cpuS: round(median(cpus), 3),
        runs: PROBE_RUNS,
        apiRequests: total(requests),
        requests,
      };
    };
    const install =
      (wait: string, extra: string[] = []) =>
      (i: number) => [
        'upgrade',
        '--install',
        `probe-${wait.toLowerCase().replace(/\W/g, '')}-${extra.length}-${i}`,
        chart,
        '--namespace',
        'bench-probe',
        '--create-namespace',
        '--values',
        '-',
        `--wait=${wait}`,
        '--timeout',
        '5m',
        ...extra,
      ];
    const idle0 = await apiserverRequests(clientNodeConfig(kitCtx.kc));
    await sleep(1000);
    const idle = requestDelta(idle0, await apiserverRequests(clientNodeConfig(kitCtx.kc)));
    probes['(idle control plane, 1 s, no helm)'] = {
      wallMs: 1000,
      cpuS: 0,
      runs: 1,
      apiRequests: total(idle),
      requests: idle,
    };
    await probe('helm version (process start)', () => ['version', '--short']);
    await probe('helm template podinfo (render only)', () => ['template', 'x', chart, '--values', '-']);
    await probe('helm list -n default (client + 1 list)', () => ['list', '-n', 'default']);
    await probe('upgrade --install --wait=hookOnly', install('hookOnly'));
    await probe('upgrade --install --wait=watcher', install('watcher'));
    await probe(
      'upgrade --install --wait=watcher --qps 100 --burst-limit 200',
      install('watcher', ['--qps', '100', '--burst-limit', '200']),
    );
    await probe(
      'upgrade --install --wait=watcher --disable-openapi-validation',
      install('watcher', ['--disable-openapi-validation']),
    );
    await probe(
      'upgrade --install --wait=hookOnly --disable-openapi-validation --skip-schema-validation',
      install('hookOnly', ['--disable-openapi-validation', '--skip-schema-validation']),
    );
    await probe('no-op upgrade of an installed release --wait=watcher', () => [
      'upgrade',
      '--install',
      'probe-watcher-0-0',
      chart,
      '--namespace',
      'bench-probe',
      '--values',
      '-',
      '--wait=watcher',
      '--timeout',
      '5m',
    ]);
    await deleteNamespaces(core, ['bench-probe']);

    // 2. baseline: a plain sequential helm loop
    let baseline:
      | { seconds: number; failed: number; cpu: CpuBreakdown; perCallMs: { p50: number; p95: number } }
      | undefined;
    if (!SKIP_BASELINE) {
      log(`baseline: sequential helm upgrade --install --wait=watcher of ${ADDONS} releases`);
      const addons = podinfoAddons('seq', ADDONS, NAMESPACES, smallValues);
      const c0 = meter.snapshot();
      const started = performance.now();
      const walls: number[] = [];
      let failed = 0;
      for (const a of addons) {
        const r = await run(
          info.helm,
          [
            'upgrade',
            '--install',
            a.name,
            chart,
            '--namespace',
            a.namespace,
            '--create-namespace',
            '--values',
            '-',
            '--wait=watcher',
            '--timeout',
            '5m',
            ...kube,
          ],
          { env: helmEnv, stdin: a.values },
        );
        walls.push(r.ms);
        if (r.code !== 0) {
          failed++;
          console.error(`baseline ${a.name}: ${r.stderr.trim().split('\n').at(-1)}`);
        }
      }
      const seconds = (performance.now() - started) / 1000;
      baseline = {
        seconds: round(seconds),
        failed,
        cpu: CpuMeter.delta(c0, meter.snapshot()),
        perCallMs: { p50: Math.round(median(walls)), p95: Math.round(pct(walls, 95)) },
      };
      log(`baseline: ${baseline.seconds} s, ${failed} failed`);
      await deleteNamespaces(core, [...new Set(addons.map((a) => a.namespace))]);
    }

    // 3. the engine, at each concurrency, cold then no-op; then experiments (helm flags rewritten in the engine's calls)
    const trials: EngineTrial[] = [];
    const plan: { label: string; concurrency: number; rewrite?: string }[] = CONCURRENCY.map((c) => ({
      label: `engine c=${c}`,
      concurrency: c,
    }));
    const trial = async (label: string, concurrency: number, rewrite?: string) => {
      const prefix = `e${trials.length}`;
      const cluster = `bench-${prefix}`;
      const ctx = engineFor(info, cluster, rewrite ? EXPERIMENT_FLAGS[rewrite]?.env : undefined);
      const helmByRelease = new Map<string, number>();
      instrumentHelm(ctx, helmByRelease, rewrite);
      const addons = podinfoAddons(prefix, ADDONS, NAMESPACES, smallValues);
      const { def, plan: p } = load(clusterText(cluster, addons, repo));
      log(`${label}: cold apply of ${addons.length} add-ons`);
      sampler.reset();
      const m0 = await apiserverRequests(clientNodeConfig(ctx.kc));
      const c0 = meter.snapshot();
      const started = performance.now();
      const r = await applyPlan(ctx, def, p, { concurrency });
      const seconds = (performance.now() - started) / 1000;
      const cpu = CpuMeter.delta(c0, meter.snapshot());
      const requests = requestDelta(m0, await apiserverRequests(clientNodeConfig(ctx.kc)));
      const peak = sampler.peak();
      const helmCallMs = [...helmByRelease.values()];
      const memberMs = r.members.map((m) => m.durationMs);
      const outside = r.members.map((m) => m.durationMs - (helmByRelease.get(m.name) ?? 0));
      log(`${label}: ok=${r.ok} in ${round(seconds)} s, ${r.helmCalls} helm calls; no-op re-apply`);
      const n0 = performance.now();
      const again = await applyPlan(ctx, def, p, { concurrency });
      const noopSeconds = (performance.now() - n0) / 1000;
      trials.push({
        label,
        concurrency,
        helmArgsRewrite: rewrite,
        cold: {
          ok: r.ok,
          seconds: round(seconds),
          helmCalls: r.helmCalls,
          failed: r.members
            .filter((m) => m.phase !== 'synced')
            .map((m) => `${m.name}: ${m.phase} ${m.message}`)
            .slice(0, 5),
          peak,
          cpu,
          helmCallMs: {
            p50: Math.round(median(helmCallMs)),
            p95: Math.round(pct(helmCallMs, 95)),
            max: Math.round(Math.max(0, ...helmCallMs)),
            sum: Math.round(helmCallMs.reduce((a, b) => a + b, 0)),
          },
          memberMs: { p50: median(memberMs), p95: pct(memberMs, 95), max: Math.max(0, ...memberMs) },
          outsideHelmMs: { p50: Math.round(median(outside)), p95: Math.round(pct(outside, 95)) },
          apiRequests: total(requests),
          requests: Object.fromEntries(Object.entries(requests).slice(0, 12)),
        },
        noop: {
          ok: again.ok,
          seconds: round(noopSeconds, 3),
          helmCalls: again.helmCalls,
          unchanged: again.members.filter((m) => m.phase === 'unchanged').length,
        },
      });
      log(`${label}: no-op ${round(noopSeconds, 3)} s, ${again.helmCalls} helm calls`);
      await deleteNamespaces(core, [...new Set(addons.map((a) => a.namespace))]);
    };
    for (const t of plan) await trial(t.label, t.concurrency, t.rewrite);
    const best =
      [...trials].filter((t) => t.cold.ok).sort((a, b) => a.cold.seconds - b.cold.seconds)[0] ?? trials[0]!;
    for (const e of EXPERIMENTS) {
      if (!EXPERIMENT_FLAGS[e])
        throw new Error(`unknown experiment ${e}: ${Object.keys(EXPERIMENT_FLAGS).join(', ')}`);
      await trial(`experiment c=${best.concurrency} ${EXPERIMENT_FLAGS[e].label}`, best.concurrency, e);
    }

    // 4. report
    table(
      'Probes: one helm process at a time, idle cluster (median)',
      ['call', 'wall ms', 'helm CPU s', 'API requests', 'top requests'],
      Object.entries(probes).map(([k, v]) => [
        k,
        v.wallMs,
        v.cpuS,
        v.apiRequests,
        Object.entries(v.requests)
          .slice(0, 4)
          .map(([r, n]) => `${r}:${n}`)
          .join(' '),
      ]),
    );
    if (baseline) {
      table(
        'Baseline: sequential helm loop',
        ['releases', 'wall s', 'per call p50/p95 ms', 'failed', 'helm CPU s', 'machine busy'],
        [
          [
            ADDONS,
            baseline.seconds,
            `${baseline.perCallMs.p50}/${baseline.perCallMs.p95}`,
            baseline.failed,
            baseline.cpu.helmChildrenCpuSeconds,
            `${Math.round(baseline.cpu.machineUtilisation * 100)}%`,
          ],
        ],
      );
    }
    table(
      'Engine: cold apply and no-op re-apply',
      [
        'run',
        'ok',
        'cold s',
        'vs seq',
        `≤1/3 seq`,
        `<${TARGET_ABS_S} s`,
        'helm calls',
        'peak RSS MiB',
        'peak heap MiB',
        'no-op s',
        'no-op helm',
        'no-op <2 s, 0 helm',
      ],
      trials.map((t) => {
        const ratio = baseline ? t.cold.seconds / baseline.seconds : Number.NaN;
        return [
          t.label,
          t.cold.ok ? 'yes' : 'NO',
          t.cold.seconds,
          baseline ? `${round(ratio, 3)} (1/${round(1 / ratio, 1)})` : 'n/a',
          baseline ? verdict(ratio <= TARGET_RATIO) : 'n/a',
          verdict(t.cold.seconds < TARGET_ABS_S),
          t.cold.helmCalls,
          t.cold.peak.rssMiB,
          t.cold.peak.heapUsedMiB,
          t.noop.seconds,
          t.noop.helmCalls,
          verdict(t.noop.seconds < TARGET_NOOP_S && t.noop.helmCalls === 0),
        ];
      }),
    );
    const kitNames = [
      ...new Set([
        ...(baseline ? Object.keys(baseline.cpu.kitCpuSeconds) : []),
        ...trials.flatMap((t) => Object.keys(t.cold.cpu.kitCpuSeconds)),
      ]),
    ].sort();
    const cpuRows: (string | number)[][] = [];
    const cpuRow = (label: string, c: CpuBreakdown) => [
      label,
      c.wallSeconds,
      `${Math.round(c.machineUtilisation * 100)}%`,
      c.machineBusyCpuSeconds,
      c.helmChildrenCpuSeconds,
      c.engineNodeCpuSeconds,
      ...kitNames.map((k) => c.kitCpuSeconds[k] ?? 0),
      round(
        c.machineBusyCpuSeconds -
          c.helmChildrenCpuSeconds -
          c.engineNodeCpuSeconds -
          Object.values(c.kitCpuSeconds).reduce((a, b) => a + b, 0),
      ),
    ];
    if (baseline) cpuRows.push(cpuRow('baseline seq', baseline.cpu));
    for (const t of trials) cpuRows.push(cpuRow(t.label, t.cold.cpu));
    table(
      'Where the CPU went (CPU seconds during the cold apply; 2 cores = 2 CPU s per wall s)',
      [
        'run',
        'wall s',
        'machine busy',
        'all CPU s',
        'helm',
        'engine node',
        ...kitNames,
        'other (not this run)',
      ],
      cpuRows,
    );
    table(
      'Engine: per-call and per-member wall time',
      [
        'run',
        'helm call p50/p95/max ms',
        'member p50/p95/max ms',
        'outside helm p50/p95 ms',
        'API requests',
        'top requests',
      ],
      trials.map((t) => [
        t.label,
        `${t.cold.helmCallMs.p50}/${t.cold.helmCallMs.p95}/${t.cold.helmCallMs.max}`,
        `${t.cold.memberMs.p50}/${t.cold.memberMs.p95}/${t.cold.memberMs.max}`,
        `${t.cold.outsideHelmMs.p50}/${t.cold.outsideHelmMs.p95}`,
        t.cold.apiRequests,
        Object.entries(t.cold.requests)
          .slice(0, 5)
          .map(([k, n]) => `${k}:${n}`)
          .join(' '),
      ]),
    );
    const mainTrials = trials.filter((t) => !t.helmArgsRewrite && t.cold.ok);
    const bestMain = [...mainTrials].sort((a, b) => a.cold.seconds - b.cold.seconds)[0];
    const summary = bestMain
      ? {
          bestConcurrency: bestMain.concurrency,
          coldSeconds: bestMain.cold.seconds,
          sequentialSeconds: baseline?.seconds,
          ratio: baseline ? round(bestMain.cold.seconds / baseline.seconds, 3) : undefined,
          targetRatio: `<= ${round(TARGET_RATIO, 3)}`,
          ratioMet: baseline ? bestMain.cold.seconds / baseline.seconds <= TARGET_RATIO : undefined,
          absoluteTarget: `< ${TARGET_ABS_S} s`,
          absoluteMet: bestMain.cold.seconds < TARGET_ABS_S,
          peakRssMiB: bestMain.cold.peak.rssMiB,
          peakHeapUsedMiB: bestMain.cold.peak.heapUsedMiB,
          noopSeconds: bestMain.noop.seconds,
          noopHelmCalls: bestMain.noop.helmCalls,
          noopMet: bestMain.noop.seconds < TARGET_NOOP_S && bestMain.noop.helmCalls === 0,
        }
      : undefined;
    console.log(`\nSummary: ${JSON.stringify(summary)}`);
    if (summary) {
      console.log(
        `best: concurrency ${summary.bestConcurrency}: ${summary.coldSeconds} s vs sequential ${summary.sequentialSeconds} s = ratio ${summary.ratio} ` +
          `(target ${summary.targetRatio}: ${summary.ratioMet === undefined ? 'n/a' : verdict(summary.ratioMet)}); absolute ${summary.absoluteTarget}: ${verdict(summary.absoluteMet)}; ` +
          `no-op ${summary.noopSeconds} s, ${summary.noopHelmCalls} helm calls: ${verdict(summary.noopMet)}`,
      );
    }
    const file = writeResults('apply-podinfo', {
      benchmark: 'apply-podinfo',
      date: new Date().toISOString(),
      command: `npx node bench/apply-podinfo.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine: machine(),
      sizes: { addons: ADDONS, namespaces: NAMESPACES },
      targets: {
        ratio: '<= 1/3 of sequential',
        absolute: `< ${TARGET_ABS_S} s`,
        noop: `< ${TARGET_NOOP_S} s and 0 helm calls`,
      },
      summary,
      probes,
      baseline,
      trials,
      totalSeconds: Math.round((Date.now() - t0) / 1000),
    });
    console.log(`\nresults: ${file}`);
    if (trials.some((t) => !t.helmArgsRewrite && !t.cold.ok))
      throw new Error('an engine apply failed (see the table)');
  } finally {
    sampler.stop();
    await kit.stop();
  }
}

function engineFor(
  info: { kubeconfig?: string; helm: string; env: Record<string, string> },
  cluster: string,
  extraEnv: Record<string, string> = {},
): EngineContext {
  return createEngineContext({
    cluster,
    kubeconfig: info.kubeconfig,
    helmBinary: info.helm,
    helmEnv: { ...info.env, ...extraEnv },
    chartCacheDir: mkdtempSync(join(tmpdir(), 'bench-engine-charts-')),
  });
}

/** Times every helm process of the engine; optionally rewrites its flags (experiments only). */
function instrumentHelm(ctx: EngineContext, times: Map<string, number>, rewrite?: string): void {
  const runner = ctx.helm.runner;
  const orig = runner.run.bind(runner);
  runner.run = async (args, o) => {
    let a = args;
    if (args[0] === 'upgrade' && rewrite) a = EXPERIMENT_FLAGS[rewrite]!.rewrite(args);
    const t = performance.now();
    try {
      return await orig(a, o);
    } finally {
      if (args[0] === 'upgrade') times.set(args[2]!, (times.get(args[2]!) ?? 0) + performance.now() - t);
    }
  };
}

async function deleteNamespaces(core: CoreV1Api, names: string[]): Promise<void> {
  await Promise.all(names.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const left = (await core.listNamespace()).items.filter((n) =>
      names.includes(n.metadata?.name ?? ''),
    ).length;
    if (left === 0) return;
    await sleep(500);
  }
  log(`warning: namespaces still terminating after 180 s: ${names.join(',')}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
