// Memory of the agent process (`node packages/agent/src/main.ts`, as the chart runs it), against the
// kit's real control plane and NATS, for the code of this checkout and for the code of a base commit
// (the previous behaviour) in the same run:
//  - idle: started, connected, first sweep done, nothing applied (RSS after 10 s);
//  - peak of the whole process tree (the agent + its helm children, what a container memory limit
//    counts) while it applies 100 podinfo releases sent as one `apply` command (default worker counts);
//  - 200 releases and ~4,000 cached objects: 100 more releases, then small ConfigMaps until the kinds
//    the releases use hold ~4,000 objects; RSS after a sweep command and 20 s.
// The base commit's packages are extracted with `git archive` beside this checkout's node_modules.
//
// Variants (`--variants`, default all, comma-separated): `current` (this checkout's sources),
// `chart` (the same with the chart's runtime env), `bundle` (`packages/agent/dist/agent.mjs`, built
// with `npm run build:agent -w @mooring/agent` first, with the chart's env, as the image runs it).
//
// `tuned` is the bundle with `--extra-env K=V,K=V` added to its environment (allocator or V8 settings
// to try, e.g. MALLOC_MMAP_THRESHOLD_=131072).
//
// Run: npx node bench/memory.ts [--base COMMIT|none] [--releases 100] [--objects 4000] [--variants current,chart,bundle,tuned] [--extra-env K=V,...]
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { type CommandEnvelope, NatsBus, resultSubject } from '@mooring/bus';
import { startKit } from '@mooring/testkit';
import { memoryAddons as addons, type BenchAddon, clusterText } from './defs.ts';
import { arg, BENCH_DIR, log, machine, pool, round, sleep, table, verdict, writeResults } from './lib.ts';
import { killOnExit } from './platformProcess.ts';
import { procSample } from './proc.ts';

const BASE = arg('base', 'cfce8e4');
const RELEASES = Number(arg('releases', '100'));
const OBJECTS = Number(arg('objects', '4000'));
/** `K=V,K=V` → an environment (pure). */
function extraEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of text.split(',').filter(Boolean)) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`--extra-env: ${JSON.stringify(kv)} is not K=V`);
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

const ROOT = join(BENCH_DIR, '..');
const TARGET_IDLE_MIB = 100;
const TARGET_4K_MIB = 150;
const TARGET_TREE_MIB = 512;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const MiB = (b: number) => round(b / 1048576, 1);

/** The base commit's packages beside this checkout's node_modules (its own @mooring/* links). */
function baseTree(commit: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mooring-base-'));
  execFileSync('sh', ['-c', `git -C "${ROOT}" archive ${commit} packages | tar -x -C "${dir}"`]);
  const nm = join(dir, 'node_modules');
  mkdirSync(join(nm, '@mooring'), { recursive: true });
  for (const e of readdirSync(join(ROOT, 'node_modules'))) {
    if (e === '@mooring' || e === '.bin') continue;
    symlinkSync(join(ROOT, 'node_modules', e), join(nm, e));
  }
  for (const p of readdirSync(join(dir, 'packages')))
    symlinkSync(join(dir, 'packages', p), join(nm, '@mooring', p));
  return dir;
}

/** Every process below `pid` (children, grandchildren), with `pid`. */
function tree(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      parent.set(Number(d), parentOf(Number(d)));
    } catch {
      /* gone */
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [c, p] of parent) if (p === out[i]) out.push(c);
  return out;
}

function parentOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(f.slice(f.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Samples the RSS of a process and of its tree every 100 ms; the peaks since `reset`. */
class TreeSampler {
  private timer?: NodeJS.Timeout;
  peakTree = 0;
  /** Σ PSS: shared pages (the helm binary mapped by every helm process) counted once, as a cgroup does. */
  peakTreePss = 0;
  peakAgent = 0;
  peakHelm = 0;
  private readonly pid: number;
  constructor(pid: number) {
    this.pid = pid;
  }
  start(): void {
    this.timer = setInterval(() => this.sample(), 100);
  }
  reset(): void {
    this.peakTree = 0;
    this.peakTreePss = 0;
    this.peakAgent = 0;
    this.peakHelm = 0;
  }
  sample(): void {
    let sum = 0;
    let pss = 0;
    let helm = 0;
    for (const p of tree(this.pid)) {
      const s = procSample(p);
      if (!s) continue;
      sum += s.rssBytes;
      pss += pssOf(p);
      if (p === this.pid) this.peakAgent = Math.max(this.peakAgent, s.rssBytes);
      else helm += s.rssBytes;
    }
    this.peakTree = Math.max(this.peakTree, sum);
    this.peakTreePss = Math.max(this.peakTreePss, pss);
    this.peakHelm = Math.max(this.peakHelm, helm);
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/** Proportional set size of a process in bytes (0 when it is gone). */
function pssOf(pid: number): number {
  try {
    const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+) kB/m.exec(t)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

function rssNow(pid: number): { rssMiB: number; anonMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (n: string) => Number(new RegExp(`${n}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rssMiB: MiB(kb('VmRSS')), anonMiB: MiB(kb('RssAnon')) };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  log(`starting the kit (nats, kubernetes, charts); base ${BASE}`);
  const kit = await startKit(['nats', 'kubernetes', 'charts']);
  const kc = new KubeConfig();
  kc.loadFromFile(kit.info.kubeconfig!);
  const core = kc.makeApiClient(CoreV1Api);
  const platform = await NatsBus.connect({ servers: kit.info.natsUrl!, name: 'bench-platform' });
  const results: { command_id: string; ok: boolean; apply?: { members: { phase: string }[] } }[] = [];
  // the chart's runtime settings for the agent container (charts/mooring-agent, _helpers.tpl)
  const compileCache = mkdtempSync(join(tmpdir(), 'bench-mem-compile-cache-'));
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(join(ROOT, 'packages/agent/src/index.ts'))})`,
    ],
    { env: { ...process.env, NODE_COMPILE_CACHE: compileCache } },
  );
  const chartEnv = {
    NODE_OPTIONS: '--max-semi-space-size=1',
    MALLOC_ARENA_MAX: '2',
    MALLOC_MMAP_THRESHOLD_: '131072',
    MALLOC_TRIM_THRESHOLD_: '131072',
    NODE_COMPILE_CACHE: compileCache,
  };
  const agentSrc = join('packages', 'agent', 'src', 'main.ts');
  const wanted = new Set(arg('variants', 'current,chart,bundle').split(','));
  const variants: { key?: string; name: string; root: string; entry: string; env: Record<string, string> }[] =
    [
      { key: 'current', name: 'current', root: ROOT, entry: agentSrc, env: {} },
      { key: 'chart', name: 'current + chart env', root: ROOT, entry: agentSrc, env: chartEnv },
      {
        key: 'bundle',
        name: 'bundle + chart env',
        root: ROOT,
        entry: join('packages', 'agent', 'dist', 'agent.mjs'),
        env: chartEnv,
      },
      {
        key: 'tuned',
        name: `bundle + chart env + ${arg('extra-env', '')}`,
        root: ROOT,
        entry: join('packages', 'agent', 'dist', 'agent.mjs'),
        env: { ...chartEnv, ...extraEnv(arg('extra-env', '')) },
      },
    ].filter((v) => wanted.has(v.key));
  if (wanted.has('bundle') || wanted.has('tuned')) {
    log('building packages/agent/dist/agent.mjs');
    execFileSync('npm', ['run', 'build:agent', '-w', '@mooring/agent'], { cwd: ROOT, stdio: 'ignore' });
  }
  if (BASE !== 'none')
    variants.unshift({ name: `base ${BASE}`, root: baseTree(BASE), entry: agentSrc, env: {} });
  const out: Record<string, unknown>[] = [];
  try {
    for (const [vi, v] of variants.entries()) {
      const clusterId = `mem-${vi}`;
      const prefix = `mem${vi}`;
      await platform.subscribe<(typeof results)[number]>(resultSubject(clusterId), (m) => {
        results.push(m.data);
      });
      const send = async (kind: string, payload: Record<string, unknown>) => {
        const c: CommandEnvelope = {
          id: `${kind}-${Math.random().toString(36).slice(2, 8)}`,
          kind,
          cluster_id: clusterId,
          issued_at: new Date().toISOString(),
          payload,
        };
        await platform.commands(clusterId).send(c);
        const end = Date.now() + 900_000;
        while (Date.now() < end) {
          const r = results.find((x) => x.command_id === c.id);
          if (r) return r;
          await sleep(200);
        }
        throw new Error(`no result for ${kind}`);
      };
      const agent: ChildProcess = spawn(process.execPath, [join(v.root, v.entry)], {
        cwd: v.root,
        env: {
          ...process.env,
          ...kit.info.env,
          MOORING_CLUSTER_ID: clusterId,
          MOORING_NATS_URL: kit.info.natsUrl,
          MOORING_KUBECONFIG: kit.info.kubeconfig,
          MOORING_HELM: kit.info.helm,
          MOORING_CHART_CACHE: mkdtempSync(join(tmpdir(), 'bench-mem-charts-')),
          MOORING_HTTP_PORT: '0',
          MOORING_RECONCILE_INTERVAL_SECONDS: '3600',
          MOORING_LOG_LEVEL: 'WARNING',
          ...v.env,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      killOnExit([agent]);
      const pid = agent.pid!;
      const sampler = new TreeSampler(pid);
      sampler.start();
      try {
        await sleep(10_000);
        await send('sweep', {});
        await sleep(5_000);
        const idle = rssNow(pid);
        log(`${v.name}: idle agent RSS ${idle.rssMiB} MiB (anon ${idle.anonMiB})`);

        const files = (list: BenchAddon[]) => ({
          files: { 'import-cluster.yaml': clusterText(clusterId, list, kit.info.chartRepoUrl!) },
          path: 'import-cluster.yaml',
        });
        sampler.reset();
        const a0 = Date.now();
        const first = await send('apply', files(addons(prefix, 0, RELEASES)));
        const applySeconds = round((Date.now() - a0) / 1000, 1);
        const peak = {
          treeMiB: MiB(sampler.peakTree),
          treePssMiB: MiB(sampler.peakTreePss),
          agentMiB: MiB(sampler.peakAgent),
          helmMiB: MiB(sampler.peakHelm),
        };
        log(
          `${v.name}: ${RELEASES}-release apply ${first.ok ? 'ok' : 'FAILED'} in ${applySeconds} s; peak tree ${peak.treeMiB} MiB RSS, ${peak.treePssMiB} MiB PSS (agent ${peak.agentMiB}, helm children ${peak.helmMiB})`,
        );
        const second = await send('apply', files(addons(prefix, 0, 2 * RELEASES)));
        log(`${v.name}: ${2 * RELEASES} releases applied (${second.ok ? 'ok' : 'FAILED'})`);
        // ConfigMaps (a kind the releases use) until ~OBJECTS objects of the watched kinds exist
        const kinds = ['configmaps', 'serviceaccounts', 'services', 'deployments'];
        const count = async () => {
          let n = 0;
          for (const k of kinds) {
            const path = k === 'deployments' ? '/apis/apps/v1/deployments' : `/api/v1/${k}`;
            const r = (await (await kcFetch(kc, `${path}?limit=1`)).json()) as {
              metadata?: { remainingItemCount?: number };
              items?: unknown[];
            };
            n += (r.metadata?.remainingItemCount ?? 0) + (r.items?.length ?? 0);
          }
          return n;
        };
        const have = await count();
        const extra = Math.max(0, OBJECTS - have);
        const cmNs = `${prefix}-cm`;
        await core.createNamespace({ body: { metadata: { name: cmNs } } });
        await pool(
          Array.from({ length: extra }, (_, i) => i),
          16,
          (i) =>
            core.createNamespacedConfigMap({
              namespace: cmNs,
              body: {
                metadata: { name: `cm-${pad(i, 5)}` },
                data: { index: String(i), note: `a small ConfigMap ${i}` },
              },
            }),
        );
        const objects = await count();
        await send('sweep', {});
        await sleep(20_000);
        const at4k = rssNow(pid);
        log(
          `${v.name}: ${objects} objects of the watched kinds, ${2 * RELEASES} releases: agent RSS ${at4k.rssMiB} MiB`,
        );
        out.push({ variant: v.name, idle, applySeconds, applyOk: first.ok, peak, objects, at4k });
      } finally {
        sampler.stop();
        agent.kill('SIGTERM');
        await new Promise((r) => agent.once('exit', r));
      }
      // the next variant starts from the same cluster state
      log(`${v.name}: deleting its namespaces`);
      const mine = (await core.listNamespace()).items
        .map((n) => n.metadata!.name!)
        .filter((n) => n.startsWith(`${prefix}-`));
      for (const n of mine) await core.deleteNamespace({ name: n }).catch(() => undefined);
      for (let i = 0; i < 600; i++) {
        const left = (await core.listNamespace()).items.filter((n) =>
          n.metadata!.name!.startsWith(`${prefix}-`),
        );
        if (left.length === 0) break;
        await sleep(1000);
      }
    }

    type Row = {
      variant: string;
      idle: { rssMiB: number };
      peak: { treeMiB: number; treePssMiB: number; agentMiB: number; helmMiB: number };
      objects: number;
      at4k: { rssMiB: number };
      applySeconds: number;
    };
    const rowsOf = out as unknown as Row[];
    const cells = (x: Row) => [
      x.idle.rssMiB,
      x.peak.treeMiB,
      x.peak.treePssMiB,
      x.peak.agentMiB,
      x.peak.helmMiB,
      x.applySeconds,
      x.objects,
      x.at4k.rssMiB,
    ];
    const rows: (string | number)[][] = rowsOf.map((x) => [x.variant, ...cells(x)]);
    const base = BASE !== 'none' ? rowsOf[0] : undefined;
    if (base)
      for (const x of rowsOf.slice(1))
        rows.push([`ratio ${x.variant} / base`, ...cells(x).map((c, i) => round(c / cells(base)[i]!, 3))]);
    table(
      'Agent memory (MiB)',
      [
        'agent code',
        'idle RSS',
        `peak tree Σ RSS, ${RELEASES}-release apply`,
        'peak tree Σ PSS',
        'agent RSS at peak',
        'helm children Σ RSS',
        'apply s',
        'watched objects',
        `${2 * RELEASES} releases, RSS`,
      ],
      rows,
    );
    const cur = rowsOf.at(-1)!;
    console.log(
      `targets (${cur.variant}): idle ≤ ${TARGET_IDLE_MIB} MiB ${verdict(cur.idle.rssMiB <= TARGET_IDLE_MIB)}; ≤ ${TARGET_4K_MIB} MiB at ~${OBJECTS} objects ${verdict(cur.at4k.rssMiB <= TARGET_4K_MIB)}; tree < ${TARGET_TREE_MIB} MiB (Σ PSS) ${verdict(cur.peak.treePssMiB < TARGET_TREE_MIB)}`,
    );
    const file = writeResults('memory', {
      benchmark: 'memory',
      date: new Date().toISOString(),
      command: `npx node bench/memory.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine: machine(),
      sizes: { releases: RELEASES, objects: OBJECTS, base: BASE },
      results: out,
      totalSeconds: Math.round((Date.now() - t0) / 1000),
    });
    console.log(`\nresults: ${file}`);
  } finally {
    await platform.close().catch(() => undefined);
    for (const v of variants)
      if (v.root !== ROOT && existsSync(v.root)) rmSync(v.root, { recursive: true, force: true });
    rmSync(compileCache, { recursive: true, force: true });
    await kit.stop();
  }
}

/** A GET against the API server with the kubeconfig's credentials. */
async function kcFetch(kc: KubeConfig, path: string): Promise<Response> {
  const { request } = await import('node:https');
  const opts: import('node:https').RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const url = `${kc.getCurrentCluster()!.server}${path}`;
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(url, { ...opts, method: 'GET' }, (r) => {
      let b = '';
      r.setEncoding('utf8');
      r.on('data', (c) => {
        b += c;
      });
      r.on('end', () => resolve(b));
    });
    req.on('error', reject);
    req.end();
  });
  return new Response(body);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
