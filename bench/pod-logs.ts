// Pod logs through the platform: N fake pods (kwok serves each one's log from a file) each
// writing L lines per second, every log followed at once through the platform
// (GET /clusters/{id}/pods/{ns}/{pod}/logs?follow=true: HTTP → platform → NATS in operator
// mode → the real agent → the API server → kwok's kubelet → the file, and back), measured
// against the same logs followed straight from the API server in the same run (the baseline:
// what kwok's file follow and the API server add by themselves).
//
// As a deployment runs them: the platform (`node packages/platform/src/main.ts`, on the kit's
// PostgreSQL and an operator-mode nats-server) and the agent (`node packages/agent/src/main.ts`,
// checked in with its token) are processes of their own; the writers and the readers are this
// process. All of them share the machine's cores with the kit's control plane.
//
// Per line: delay = time read by the client − time written (both taken in this process);
// lost = lines written that never arrived (or arrived twice or out of order).
//
// The two paths take turns (`--rounds`, default 3: baseline, platform, baseline, platform ...), so a
// change of the machine's load during the run falls on both alike. Each phase starts with a warm-up
// (`--warmup-seconds`, default 5: the followers' first seconds, while 50 streams open and the code
// paths are compiled) whose lines are not counted: the figures are the steady state.
//
// Run: npx node bench/pod-logs.ts [--pods 50] [--rate 100] [--seconds 60] [--baseline-seconds 30] [--rounds 3] [--warmup-seconds 5]
//          [--cpu-prof DIR] [--agent-env KEY=VALUE,...]  (e.g. POD_LOGS_HTTP2_ENABLED=true)
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  type AgentProcess,
  criLogLine,
  installExitHooks,
  servePodLogs,
  startKit,
  startNatsOperator,
  startPostgres,
  testNamespace,
} from '@mooring/testkit';
import {
  arg,
  log,
  machine,
  quantile,
  round,
  selfCpuSeconds,
  sleep,
  table,
  verdict,
  writeResults,
} from './lib.ts';
import {
  benchWorkDir,
  killOnExit,
  NOTHING_SCHEDULED,
  platformApi,
  printPlatformLogTail,
  signInAsOwner,
  startCheckedInAgent,
  startPlatform,
  stopPlatform,
} from './platformProcess.ts';
import { machineBusySeconds, pressure, procCpu } from './proc.ts';

const PODS = Number(arg('pods', '50'));
const RATE = Number(arg('rate', '100'));
const SECONDS = Number(arg('seconds', '60'));
const BASELINE_SECONDS = Number(arg('baseline-seconds', '30'));
/** The baseline and the platform take turns this many times (each gets its seconds split evenly). */
const ROUNDS = Math.max(1, Number(arg('rounds', '3')));
/** Seconds of writing after the followers start and before the measured window, on both paths. */
const WARMUP_SECONDS = Number(arg('warmup-seconds', '5'));
/** A directory for V8 CPU profiles of the platform and the agent (written when they stop). */
const CPU_PROF = arg('cpu-prof', '');
const TARGET_P99_MS = 300;
/** More of the agent's settings, `KEY=VALUE` separated by commas. */
const AGENT_ENV = Object.fromEntries(
  arg('agent-env', '')
    .split(',')
    .filter((kv) => kv.includes('='))
    .map((kv) => [kv.slice(0, kv.indexOf('=')).trim(), kv.slice(kv.indexOf('=') + 1).trim()]),
);

interface Follower {
  delays: number[];
  /** The next sequence number expected per pod; anything else is a loss or a repeat. */
  next: Map<number, number>;
  /** Per pod, the first line counted (the earlier ones are the warm-up's). */
  from: Map<number, number>;
  lost: number;
  outOfOrder: number;
  received: number;
  stops: (() => void)[];
  stopped: boolean;
  stop(): void;
}

/** Reads `pod-<i> <seq> <t>` lines from streams, one per pod. */
function follower(): Follower & { feed(pod: number, text: string): void } {
  const f = {
    delays: [] as number[],
    next: new Map<number, number>(),
    from: new Map<number, number>(),
    lost: 0,
    outOfOrder: 0,
    received: 0,
    partial: new Map<number, string>(),
    stops: [] as (() => void)[],
    stopped: false,
    feed(pod: number, text: string) {
      const now = Date.now();
      const all = (f.partial.get(pod) ?? '') + text;
      const cut = all.lastIndexOf('\n') + 1;
      f.partial.set(pod, all.slice(cut));
      for (const line of all.slice(0, cut).split('\n')) {
        const m = /^p(\d+) (\d+) (\d+)$/.exec(line);
        if (!m) continue;
        const seq = Number(m[2]);
        if (seq < (f.from.get(pod) ?? 0)) continue;
        const want = f.next.get(pod) ?? 0;
        if (seq > want) f.lost += seq - want;
        else if (seq < want) f.outOfOrder++;
        f.next.set(pod, Math.max(want, seq + 1));
        f.received++;
        f.delays.push(now - Number(m[3]));
      }
    },
    stop() {
      f.stopped = true;
      for (const s of f.stops) s();
    },
  };
  return f;
}

/**
 * Appends one line per pod every 1000/RATE ms for `seconds`; resolves with the lines written per pod.
 * Each file stays open for the phase, as a container runtime keeps a container's log open: one
 * write per line, not an open, a write and a close.
 */
async function write(files: string[], seconds: number, seqs: number[]): Promise<void> {
  const period = 1000 / RATE;
  const start = Date.now();
  const fds = files.map((f) => openSync(f, 'a'));
  try {
    let tick = 0;
    while (Date.now() - start < seconds * 1000) {
      const now = new Date();
      for (let i = 0; i < fds.length; i++) {
        writeSync(fds[i] as number, criLogLine(`p${i} ${seqs[i]} ${now.getTime()}`, now));
        seqs[i] = (seqs[i] as number) + 1;
      }
      tick++;
      const wait = start + tick * period - Date.now();
      if (wait > 0) await sleep(wait);
    }
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

/**
 * kwok's kubelet follows each log with its own inotify instance; the baseline's and the platform's
 * followers together need 2 × pods of them, over Linux's default of 128 per user (shared with every
 * other program of the user). Raised to 1024 when this process may (as kind's docs advise for nodes).
 */
function ensureInotifyInstances(needed: number): string {
  const file = '/proc/sys/fs/inotify/max_user_instances';
  let limit: number;
  try {
    limit = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return 'unknown (no /proc/sys/fs/inotify)';
  }
  if (limit >= needed) return String(limit);
  try {
    writeFileSync(file, '1024\n');
    log(`fs.inotify.max_user_instances raised from ${limit} to 1024 (${needed} log follows need as many)`);
    return `1024 (raised from ${limit})`;
  } catch {
    log(
      `WARNING: fs.inotify.max_user_instances is ${limit}, under the ${needed} log follows; followed logs beyond it get no lines`,
    );
    return `${limit} (too low, could not raise it)`;
  }
}

installExitHooks();
const children: ChildProcess[] = [];
killOnExit(children);
let agentProc: AgentProcess | undefined;
process.once('exit', () => {
  if (agentProc)
    try {
      process.kill(-agentProc.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
});

async function main() {
  const t0 = Date.now();
  log(`starting the kit (kubernetes), PostgreSQL and nats-server for ${PODS} pods × ${RATE} lines/s`);
  const inotifyInstances = ensureInotifyInstances(2 * PODS + 28);
  const workDir = benchWorkDir('pod-logs');
  const postgres = await startPostgres(workDir);
  const nats = await startNatsOperator(workDir);
  const kit = await startKit(['kubernetes']);
  let platform: ChildProcess | undefined;
  let ok = false;
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(kit.info.kubeconfig as string);
    const core = kc.makeApiClient(CoreV1Api);
    const ns = testNamespace('bench-logs');
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const dir = mkdtempSync(join(tmpdir(), 'bench-logs-'));
    const files = Array.from({ length: PODS }, (_, i) => join(dir, `p${i}.log`));
    for (let i = 0; i < PODS; i++) {
      writeFileSync(files[i] as string, '');
      await core.createNamespacedPod({
        namespace: ns,
        body: { metadata: { name: `p${i}` }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      });
      await servePodLogs(kc, {
        namespace: ns,
        pod: `p${i}`,
        logs: [{ containers: ['c'], file: files[i] as string }],
      });
    }
    for (;;) {
      const pods = await core.listNamespacedPod({ namespace: ns });
      if (pods.items.filter((p) => p.status?.phase === 'Running').length === PODS) break;
      await sleep(500);
    }
    log('pods running; starting the platform and the agent');
    const started = await startPlatform({
      workDir,
      postgres,
      nats,
      logLevel: 'warn',
      env: NOTHING_SCHEDULED,
      ...(CPU_PROF ? { cpuProf: CPU_PROF } : {}),
      children,
    });
    platform = started.child;
    const ownerToken = await signInAsOwner(started);
    const imported = await platformApi<{ cluster: { id: string }; agent_token: string }>(
      started.base,
      ownerToken,
      'POST',
      '/clusters',
      {
        definition: 'apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: pod-logs\nspec:\n  stacks: []\n',
      },
    );
    if (imported.status !== 201 && imported.status !== 200)
      throw new Error(`import: HTTP ${imported.status} ${imported.text}`);
    const clusterId = imported.body.cluster.id;
    agentProc = await startCheckedInAgent({
      kit: kit.info,
      base: started.base,
      ownerToken,
      clusterId,
      agentToken: imported.body.agent_token,
      workDir,
      env: AGENT_ENV,
      ...(CPU_PROF ? { cpuProf: CPU_PROF } : {}),
    });
    const h = { baseUrl: started.base, clusterId, adminToken: ownerToken };
    const pids = { platform: started.pid, agent: agentProc.pid };
    // the rest of the path and of the machine: the kit's control plane (kwok serves the logs),
    // nats-server and PostgreSQL, and every core's busy time
    const otherPids: Record<string, number> = {
      ...kit.controlPlanePids(),
      'nats-server': nats.process.pid as number,
      postgres: postgres.process.pid as number,
    };
    const cpuOf = () => ({
      self: selfCpuSeconds(),
      platform: procCpu(pids.platform),
      agent: procCpu(pids.agent),
      machine: machineBusySeconds(),
      ...pressure(),
      others: Object.fromEntries(Object.entries(otherPids).map(([k, pid]) => [k, procCpu(pid)])),
    });
    log(`platform PID ${pids.platform}, agent PID ${pids.agent} online`);
    const seqs = files.map(() => 0);
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const server = kc.getCurrentCluster()?.server as string;

    /** The baseline's followers: every log straight from the API server. */
    const followDirect = async (): Promise<Follower & { feed(pod: number, text: string): void }> => {
      const direct = follower();
      for (let i = 0; i < PODS; i++) {
        await new Promise<void>((resolve, reject) => {
          const req = httpsRequest(
            new URL(`${server}/api/v1/namespaces/${ns}/pods/p${i}/log?follow=true&tailLines=0`),
            { ...opts, method: 'GET' },
            (res: IncomingMessage) => {
              res.setEncoding('utf8');
              res.on('data', (d: string) => direct.feed(i, d));
              resolve();
            },
          );
          req.on('error', reject);
          direct.stops.push(() => req.destroy());
          req.end();
          // kwok sends the headers with the first line
          setTimeout(resolve, 200);
        });
      }
      return direct;
    };
    /** Every log through the platform. */
    const followThrough = async (): Promise<Follower & { feed(pod: number, text: string): void }> => {
      const through = follower();
      const base = new URL(h.baseUrl);
      await Promise.all(
        files.map(
          (_, i) =>
            new Promise<void>((resolve, reject) => {
              // node:http as the baseline's reader, so both paths are read alike
              const req = httpRequest(
                {
                  host: base.hostname,
                  port: base.port,
                  method: 'GET',
                  path: `/api/v1/clusters/${h.clusterId}/pods/${ns}/p${i}/logs?container=c&follow=true&tail_lines=0`,
                  headers: { authorization: `Bearer ${h.adminToken}` },
                },
                (res: IncomingMessage) => {
                  if (res.statusCode !== 200) {
                    reject(new Error(`p${i}: HTTP ${res.statusCode}`));
                    return;
                  }
                  res.setEncoding('utf8');
                  res.on('data', (d: string) => through.feed(i, d));
                  res.on('error', () => undefined);
                  resolve();
                },
              );
              req.on('error', (err) => (through.stopped ? undefined : reject(err)));
              through.stops.push(() => req.destroy());
              req.end();
            }),
        ),
      );
      return through;
    };
    interface PathTotals {
      delays: number[];
      lost: number;
      outOfOrder: number;
      received: number;
      written: number;
      seconds: number;
      cpu: {
        self: number;
        platform: number;
        agent: number;
        machine: number;
        cpuSome: number;
        ioSome: number;
        others: Record<string, number>;
      };
    }
    const totals = (): PathTotals => ({
      delays: [],
      lost: 0,
      outOfOrder: 0,
      received: 0,
      written: 0,
      seconds: 0,
      cpu: { self: 0, platform: 0, agent: 0, machine: 0, cpuSome: 0, ioSome: 0, others: {} },
    });
    const paths = { direct: totals(), through: totals() };
    /** One phase: the followers counted from now, `seconds` of writing, then what is in flight read. */
    const phase = async (
      t: PathTotals,
      f: Follower,
      seconds: number,
      drainMs: number,
      label: string,
    ): Promise<void> => {
      // lines written before the window starts (the warm-up) are not counted, wherever they arrive
      for (let i = 0; i < PODS; i++) f.from.set(i, Number.POSITIVE_INFINITY);
      await sleep(1000);
      if (WARMUP_SECONDS > 0) await write(files, WARMUP_SECONDS, seqs);
      const before = [...seqs];
      for (let i = 0; i < PODS; i++) {
        f.from.set(i, before[i] as number);
        f.next.set(i, before[i] as number);
      }
      log(`${label}: ${PODS} logs followed for ${seconds}s`);
      const c0 = cpuOf();
      await write(files, seconds, seqs);
      // CPU while the lines are written (the drain after it is quiet)
      const c1 = cpuOf();
      await sleep(drainMs);
      f.stop();
      const written = seqs.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0);
      for (const d of f.delays) t.delays.push(d);
      t.lost += Math.max(written - f.received, f.lost);
      t.outOfOrder += f.outOfOrder;
      t.received += f.received;
      t.written += written;
      t.seconds += seconds;
      t.cpu.self += c1.self - c0.self;
      t.cpu.platform += c1.platform - c0.platform;
      t.cpu.agent += c1.agent - c0.agent;
      t.cpu.machine += c1.machine - c0.machine;
      t.cpu.cpuSome += c1.cpuSome - c0.cpuSome;
      t.cpu.ioSome += c1.ioSome - c0.ioSome;
      for (const [k, v] of Object.entries(c1.others))
        t.cpu.others[k] = (t.cpu.others[k] ?? 0) + v - (c0.others[k] ?? 0);
    };
    // the two paths in turns, so a change of the machine's load falls on both alike
    for (let round = 1; round <= ROUNDS; round++) {
      await phase(
        paths.direct,
        await followDirect(),
        BASELINE_SECONDS / ROUNDS,
        3000,
        `round ${round}/${ROUNDS}, baseline`,
      );
      await phase(
        paths.through,
        await followThrough(),
        SECONDS / ROUNDS,
        5000,
        `round ${round}/${ROUNDS}, through the platform`,
      );
    }
    const row = (name: string, t: PathTotals) => ({
      name,
      written: t.written,
      received: t.received,
      lost: t.lost,
      outOfOrder: t.outOfOrder,
      linesPerSecond: round(t.received / t.seconds, 0),
      p50: quantile(t.delays, 0.5),
      p95: quantile(t.delays, 0.95),
      p99: quantile(t.delays, 0.99),
      max: quantile(t.delays, 1),
    });
    const results = [
      row('API server directly (baseline)', paths.direct),
      row('through the platform', paths.through),
    ];
    // CPU is counted while the lines are written
    const BASELINE_WALL = BASELINE_SECONDS;
    const THROUGH_WALL = SECONDS;
    const cpuBaseline = paths.direct.cpu.self;
    const cpuPlatform = paths.through.cpu.self;
    const cpuPlatformProcess = paths.through.cpu.platform;
    const cpuAgent = paths.through.cpu.agent;
    {
      table(
        `Pod logs: ${PODS} pods × ${RATE} lines/s (delay in ms from write to read)`,
        ['path', 'written', 'received', 'lost', 'out of order', 'lines/s', 'p50', 'p95', 'p99', 'max'],
        results.map((r) => [
          r.name,
          r.written,
          r.received,
          r.lost,
          r.outOfOrder,
          r.linesPerSecond,
          r.p50,
          r.p95,
          r.p99,
          r.max,
        ]),
      );
      const r = results[1] as (typeof results)[number];
      const b = results[0] as (typeof results)[number];
      table(
        'Targets',
        ['target', 'measured', 'verdict'],
        [
          [
            `p99 delay ≤ ${TARGET_P99_MS} ms`,
            `${r.p99} ms (baseline ${b.p99} ms)`,
            verdict(r.p99 <= TARGET_P99_MS),
          ],
          [
            'no line lost',
            `${r.lost} lost, ${r.outOfOrder} out of order`,
            verdict(r.lost === 0 && r.outOfOrder === 0),
          ],
        ],
      );
      const cores = (sec: number, wall: number) => round(sec / wall);
      const machineCores = cpus().length;
      table(
        'CPU (the readers and writers are this process)',
        ['phase', 'process', 'cpu seconds', 'cores'],
        [
          ['baseline', 'this process', round(cpuBaseline), cores(cpuBaseline, BASELINE_WALL)],
          ['through the platform', 'this process', round(cpuPlatform), cores(cpuPlatform, THROUGH_WALL)],
          [
            'through the platform',
            'platform',
            round(cpuPlatformProcess),
            cores(cpuPlatformProcess, THROUGH_WALL),
          ],
          ['through the platform', 'agent', round(cpuAgent), cores(cpuAgent, THROUGH_WALL)],
          ...(['direct', 'through'] as const).flatMap((k) => {
            const t = paths[k];
            const wall = k === 'direct' ? BASELINE_WALL : THROUGH_WALL;
            const phaseName = k === 'direct' ? 'baseline' : 'through the platform';
            return [
              ...Object.entries(t.cpu.others).map(([name, sec]) => [
                phaseName,
                name,
                round(sec),
                cores(sec, wall),
              ]),
              [
                phaseName,
                `the whole machine (${machineCores} cores)`,
                round(t.cpu.machine),
                cores(t.cpu.machine, wall),
              ],
              [
                phaseName,
                'time some task waited for a CPU (PSI)',
                round(t.cpu.cpuSome),
                `${round((t.cpu.cpuSome / wall) * 100, 1)} %`,
              ],
            ];
          }),
        ],
      );
      const file = writeResults(`pod-logs-${PODS}x${RATE}`, {
        machine: machine(),
        pods: PODS,
        rate: RATE,
        seconds: SECONDS,
        baselineSeconds: BASELINE_SECONDS,
        rounds: ROUNDS,
        warmupSeconds: WARMUP_SECONDS,
        inotifyInstances,
        agentEnv: AGENT_ENV,
        results,
        cpu: {
          baseline: round(cpuBaseline),
          throughPlatform: {
            self: round(cpuPlatform),
            platform: round(cpuPlatformProcess),
            agent: round(cpuAgent),
          },
          // cores (seconds of CPU over the phases' wall time) of the rest of the path and of the machine
          coresByPhase: Object.fromEntries(
            (['direct', 'through'] as const).map((k) => {
              const t = paths[k];
              const wall = k === 'direct' ? BASELINE_WALL : THROUGH_WALL;
              return [
                k === 'direct' ? 'baseline' : 'throughPlatform',
                {
                  ...Object.fromEntries(
                    Object.entries(t.cpu.others).map(([n, sec]) => [n, cores(sec, wall)]),
                  ),
                  machine: cores(t.cpu.machine, wall),
                  cpuPressureSome: round(t.cpu.cpuSome / wall, 3),
                  ioPressureSome: round(t.cpu.ioSome / wall, 3),
                },
              ];
            }),
          ),
        },
        targets: { p99Ms: TARGET_P99_MS },
        wallSeconds: Math.round((Date.now() - t0) / 1000),
      });
      log(`results in ${file}`);
    }
    ok = true;
  } catch (err) {
    printPlatformLogTail(workDir);
    throw err;
  } finally {
    await agentProc?.stop(15_000).catch(() => undefined);
    await stopPlatform(platform);
    await kit.stop().catch(() => undefined);
    await nats.stop().catch(() => undefined);
    await postgres.stop().catch(() => undefined);
    // the logs stay for a failed run
    if (ok) rmSync(workDir, { recursive: true, force: true, maxRetries: 2 });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
