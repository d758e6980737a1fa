// One platform process (`node packages/platform/src/main.ts`) on the test kit's PostgreSQL and an
// operator-mode nats-server, with N simulated agents speaking the real protocol (worker processes,
// bench/simulated-agents.ts): check-in every 15 s, NATS with the check-in's credentials, a heartbeat
// every minute, answers to the scheduler's sweeps. API reads (cluster page of 100, one cluster,
// operations) are measured at a fixed rate with no agent connected (the baseline, same platform,
// same clusters) and then under the agents' load; platform CPU and memory come from /proc.
//
// Run: npx node bench/platform-agents.ts [--agents 2000] [--minutes 3] [--workers 2] [--idle-seconds 60]
//        [--read-rps 10] [--ramp-seconds 60] [--settle-seconds 30] [--poll-ms 30000] [--log-level info]
//        [--pool-size N] [--cpu-prof DIR] [--agents-nice 10]
//
// The simulated agents' worker processes run at nice 10 by default (`--agents-nice 0`: not): they stand
// for remote machines, so the platform, PostgreSQL and nats-server get this machine's cores first; the
// load they send is reported (check-ins, heartbeats, sweep answers per second) and is the same as long
// as they keep up.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { installExitHooks, startNatsOperator, startPostgres } from '@mooring/testkit';
import pg from 'pg';
import { forkAgentWorkers, stopAgentWorkers } from './agentWorkers.ts';
import {
  arg,
  log,
  machine,
  percentile,
  pool,
  round,
  selfCpuSeconds,
  sleep,
  table,
  verdict,
  writeResults,
} from './lib.ts';
import { metricsBetween, startMetricsScraper } from './platformMetrics.ts';
import {
  platformApi as api,
  benchWorkDir,
  killOnExit,
  printPlatformLogTail,
  signInAsOwner,
  startPlatform,
  stopPlatform,
} from './platformProcess.ts';
import { machineBusySeconds, pressure, procCpu, procSample, treeCpu } from './proc.ts';
import type { SimulatedAgent, WorkerStats } from './simulated-agents.ts';

const AGENTS = Number(arg('agents', '2000'));
const MINUTES = Number(arg('minutes', '3'));
const WORKERS = Math.max(1, Number(arg('workers', '2')));
const IDLE_SECONDS = Number(arg('idle-seconds', '60'));
const READ_RPS = Number(arg('read-rps', '13.33'));
const RAMP_SECONDS = Number(arg('ramp-seconds', '60'));
const SETTLE_SECONDS = Number(arg('settle-seconds', '30'));
const POLL_MS = Number(arg('poll-ms', '30000'));
const LOG_LEVEL = arg('log-level', 'info');
const IMPORT_CONCURRENCY = Number(arg('import-concurrency', '8'));
const POOL_SIZE = arg('pool-size', '');
const CPU_PROF = arg('cpu-prof', '');
/** The simulated agents' nice value: they stand for 2,000 remote machines, not for this machine's load. */
const AGENTS_NICE = Number(arg('agents-nice', '10'));
const CHECK_IN_SECONDS = 15;
const HEARTBEAT_SECONDS = 60;
const WINDOW_SECONDS = 10;
const TARGET_CORES = 1;
const TARGET_READ_P99_MS = 50;

/**
 * The reads the target is about, and a control: a request the platform answers without the
 * database (an unknown `/api/v1` path: routing, hooks, the error body). Its latency under the
 * same load is what the machine's scheduling alone adds to any request.
 */
const TARGET_READS = ['clusters page of 100', 'cluster by id', 'operations'] as const;
const CONTROL_READ = 'control: no database (404)';
const READS = [...TARGET_READS, CONTROL_READ] as const;
type ReadKind = (typeof READS)[number];

// --- helpers -------------------------------------------------------------------------------------

const ms = (n: number) => (Number.isNaN(n) ? '-' : `${round(n, 1)} ms`);
const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 2) : Number.NaN);

function definitionOf(name: string) {
  return {
    definition: `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
  description: A simulated cluster of the platform-agents benchmark
spec:
  helm_registries:
    - name: podinfo
      url: https://stefanprodan.github.io/podinfo
  stacks:
    - name: base
      deploy_wave: 1
      manifests:
        - name: ns
          from_file: manifests/ns.yaml
      addons:
        - name: podinfo
          chart_name: podinfo
          chart_version: "6.7.1"
          registry_name: podinfo
          namespace: apps
          parents:
            - manifest: ns
`,
    files: { 'manifests/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n' },
  };
}

/** Samples the platform's CPU and RSS (and the other processes' CPU) every second. */
interface Sample {
  at: number;
  platformCpu: number;
  platformRss: number;
  natsCpu: number;
  postgresCpu: number;
  workersCpu: number;
  workersRss: number;
  benchCpu: number;
  /** Every core's busy seconds, and the seconds some task waited for a CPU or for I/O (PSI). */
  machineBusy: number;
  cpuSome: number;
  ioSome: number;
}

/** The platform's CPU over `WINDOW_SECONDS` windows, and its RSS, between two times. */
function platformUse(samples: Sample[], from: number, to: number) {
  const inPhase = samples.filter((s) => s.at >= from && s.at <= to);
  const windows: number[] = [];
  for (let i = 0; i < inPhase.length; i++) {
    const start = inPhase[i]!;
    const end = inPhase.find((s) => s.at >= start.at + WINDOW_SECONDS * 1000);
    if (!end) break;
    windows.push((end.platformCpu - start.platformCpu) / ((end.at - start.at) / 1000));
    i = inPhase.indexOf(end) - 1;
  }
  const first = inPhase[0];
  const last = inPhase.at(-1);
  const seconds = first && last ? (last.at - first.at) / 1000 : 0;
  const per = (f: (s: Sample) => number) =>
    first && last && seconds > 0 ? (f(last) - f(first)) / seconds : 0;
  const rss = inPhase.map((s) => s.platformRss);
  return {
    seconds: round(seconds, 1),
    cpuCoresMean: round(
      per((s) => s.platformCpu),
      3,
    ),
    cpuCoresP95Window: round(percentile(windows, 95), 3),
    cpuCoresMaxWindow: round(Math.max(0, ...windows), 3),
    windows: windows.map((w) => round(w, 3)),
    rssMeanMiB: round(rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length) / 1048576, 1),
    rssPeakMiB: round(Math.max(0, ...rss) / 1048576, 1),
    otherCores: {
      natsServer: round(
        per((s) => s.natsCpu),
        3,
      ),
      postgres: round(
        per((s) => s.postgresCpu),
        3,
      ),
      simulatedAgentWorkers: round(
        per((s) => s.workersCpu),
        3,
      ),
      benchmarkReader: round(
        per((s) => s.benchCpu),
        3,
      ),
    },
    workersRssMiB: round(Math.max(0, ...inPhase.map((s) => s.workersRss)) / 1048576, 1),
    machine: {
      busyCores: round(
        per((s) => s.machineBusy),
        3,
      ),
      /** Share of the time some task waited for a CPU / for I/O (Linux PSI `some`). */
      cpuPressureSome: round(
        per((s) => s.cpuSome),
        3,
      ),
      ioPressureSome: round(
        per((s) => s.ioSome),
        3,
      ),
    },
  };
}

/** Fires reads at a fixed rate (not waiting for the previous one) and records their latency. */
function startReader(base: string, token: string, clusterIds: string[]) {
  const samples: Record<ReadKind, number[]> = {
    'clusters page of 100': [],
    'cluster by id': [],
    operations: [],
    [CONTROL_READ]: [],
  };
  const errors: string[] = [];
  const timed: TimedRead[] = [];
  let n = 0;
  const inflight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const kind = READS[n++ % READS.length]!;
    const path =
      kind === 'clusters page of 100'
        ? `/clusters?page=${1 + (n % Math.max(1, Math.ceil(clusterIds.length / 100)))}&page_size=100`
        : kind === 'cluster by id'
          ? `/clusters/${clusterIds[Math.floor(Math.random() * clusterIds.length)]}`
          : kind === 'operations'
            ? '/operations'
            : '/no-such-route';
    const t0 = performance.now();
    const p = fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status !== (kind === CONTROL_READ ? 404 : 200)) errors.push(`${kind}: HTTP ${res.status}`);
        else {
          const clientMs = performance.now() - t0;
          samples[kind].push(clientMs);
          timed.push({ kind, at: Date.now(), clientMs, ...serverTiming(res.headers.get('server-timing')) });
        }
      })
      .catch((e: unknown) => {
        errors.push(`${kind}: ${(e as Error).message}`);
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }, 1000 / READ_RPS);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inflight);
      return { samples, errors, timed };
    },
  };
}

/** A read as the client and the platform's `Server-Timing` saw it. */
interface TimedRead {
  kind: ReadKind;
  at: number;
  clientMs: number;
  serverMs?: number;
  dbMs?: number;
  poolMs?: number;
  queries?: number;
}

/** The platform's `Server-Timing` header (`db;dur=…;desc="N queries", pool;dur=…, total;dur=…`). */
function serverTiming(header: string | null): Pick<TimedRead, 'serverMs' | 'dbMs' | 'poolMs' | 'queries'> {
  if (!header) return {};
  const dur = (name: string) => {
    const m = new RegExp(`(?:^|,)\\s*${name};dur=([\\d.]+)`).exec(header);
    return m ? Number(m[1]) : undefined;
  };
  const queries = /desc="(\d+) quer/.exec(header)?.[1];
  const out: Pick<TimedRead, 'serverMs' | 'dbMs' | 'poolMs' | 'queries'> = {};
  const total = dur('total');
  const db = dur('db');
  const pool = dur('pool');
  if (total !== undefined) out.serverMs = round(total, 1);
  if (db !== undefined) out.dbMs = round(db, 1);
  if (pool !== undefined) out.poolMs = round(pool, 1);
  if (queries) out.queries = Number(queries);
  return out;
}

/**
 * Where the slowest reads spent their time (the slowest 2 %, at least 5): inside the platform
 * (`serverMs`: from its first hook to its reply) of which on the database (`dbMs`: connections
 * held, overlapping when a list asks its page and total at once; `poolMs`: waits for one), and
 * outside it (`outsideMs` = client − server: the sockets, the client's and the platform's event
 * loops before the request is read). Seconds are from `from`.
 */
function slowestReads(timed: TimedRead[], from: number) {
  const n = Math.max(5, Math.ceil(timed.length * 0.02));
  return [...timed]
    .sort((a, b) => b.clientMs - a.clientMs)
    .slice(0, n)
    .map((r) => ({
      kind: r.kind,
      atSecond: round((r.at - from) / 1000, 1),
      clientMs: round(r.clientMs, 1),
      serverMs: r.serverMs,
      dbMs: r.dbMs,
      poolMs: r.poolMs,
      queries: r.queries,
      outsideMs: r.serverMs === undefined ? undefined : round(r.clientMs - r.serverMs, 1),
    }));
}

function readFigures(samples: Record<ReadKind, number[]>) {
  return Object.fromEntries(
    READS.map((k) => [
      k,
      {
        n: samples[k].length,
        p50Ms: round(percentile(samples[k], 50), 1),
        p99Ms: round(percentile(samples[k], 99), 1),
        maxMs: round(Math.max(0, ...samples[k]), 1),
      },
    ]),
  ) as Record<ReadKind, { n: number; p50Ms: number; p99Ms: number; maxMs: number }>;
}

/** `mooring_http_request_duration_seconds` count and sum of one route with status 200. */
async function routeCounter(base: string, route: string): Promise<{ count: number; sum: number }> {
  const out = { count: Number.NaN, sum: Number.NaN };
  const text = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(60_000) })
    .then((r) => r.text())
    .catch(() => '');
  if (!text) return out;
  out.count = 0;
  out.sum = 0;
  for (const line of text.split('\n')) {
    const m = /^mooring_http_request_duration_seconds_(count|sum)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || !m[2]!.includes(`route="${route}"`) || !m[2]!.includes('status="200"')) continue;
    out[m[1] as 'count' | 'sum'] += Number(m[3]);
  }
  return out;
}

// --- the run -------------------------------------------------------------------------------------

installExitHooks();
const children: ChildProcess[] = [];
killOnExit(children);

const workDir = benchWorkDir('platform-agents');
log(`work directory ${workDir}; ${AGENTS} agents, ${WORKERS} worker process(es), ${MINUTES} min of load`);
const postgres = await startPostgres(workDir);
const nats = await startNatsOperator(workDir);
const db = new pg.Client({ connectionString: postgres.url });
/** Transactions committed in the platform's database so far (`pg_stat_database`). */
const commits = async () =>
  Number(
    (
      await db.query(
        'select xact_commit::bigint as n from pg_stat_database where datname = current_database()',
      )
    ).rows[0]?.n ?? 0,
  );
await db.connect();
log(`PostgreSQL ${postgres.url}, nats-server ${nats.url} (operator mode)`);

let platform: ChildProcess | undefined;
const workers: ChildProcess[] = [];
let exitCode = 0;
try {
  // the platform, as a deployment runs it
  const started = await startPlatform({
    workDir,
    postgres,
    nats,
    logLevel: LOG_LEVEL,
    cpuProf: CPU_PROF,
    // each reply says where its time went (database, pool waits, whole): the slowest reads are broken down
    env: { MOORING_SERVER_TIMING: 'true', ...(POOL_SIZE ? { MOORING_DATABASE_POOL_SIZE: POOL_SIZE } : {}) },
    children,
  });
  platform = started.child;
  const { base, pid: platformPid } = started;
  const token = await signInAsOwner(started);
  log(`platform PID ${platformPid} at ${base}`);

  // sampling from /proc every second for the whole run
  const samples: Sample[] = [];
  const natsPid = nats.process.pid!;
  const pgPid = postgres.process.pid!;
  const sampler = setInterval(() => {
    const p = procSample(platformPid);
    if (!p) return;
    let workersCpu = 0;
    let workersRss = 0;
    for (const w of workers) {
      const s = w.pid ? procSample(w.pid) : undefined;
      workersCpu += s?.cpuSeconds ?? 0;
      workersRss += s?.rssBytes ?? 0;
    }
    samples.push({
      at: Date.now(),
      platformCpu: p.cpuSeconds,
      platformRss: p.rssBytes,
      natsCpu: procCpu(natsPid),
      postgresCpu: treeCpu(pgPid),
      workersCpu,
      workersRss,
      benchCpu: selfCpuSeconds(),
      machineBusy: machineBusySeconds(),
      ...pressure(),
    });
  }, 1000);

  const scraper = startMetricsScraper(base);
  const scraped = () => {
    const m = scraper.latest();
    return m
      ? `; loop p99 ${Math.round(m.eventLoopP99Ms)} ms max ${Math.round(m.eventLoopMaxMs)} ms, pool in use ${m.poolInUse} waiting ${m.poolWaiting}, load ${m.loadAverage1m.toFixed(1)}`
      : '';
  };

  // set-up: N clusters through the API, each agent token kept
  const tImport = performance.now();
  const importErrors: string[] = [];
  const imported = await pool(
    Array.from({ length: AGENTS }, (_, i) => i),
    IMPORT_CONCURRENCY,
    async (i): Promise<SimulatedAgent | undefined> => {
      const name = `bench-${String(i).padStart(4, '0')}`;
      for (let attempt = 0; attempt < 3; attempt++) {
        const r = await api<{ cluster: { id: string }; agent_token: string }>(
          base,
          token,
          'POST',
          '/clusters',
          definitionOf(name),
        ).catch((e: unknown) => ({ status: 0, body: { error: String(e) } }) as never);
        if (r.status === 201) return { id: r.body.cluster.id, token: r.body.agent_token, index: i };
        if (attempt === 2)
          importErrors.push(`${name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      }
      return undefined;
    },
  );
  const agents = imported.filter((a): a is SimulatedAgent => a !== undefined);
  const importSeconds = (performance.now() - tImport) / 1000;
  log(`${agents.length} clusters imported in ${round(importSeconds, 1)} s (${importErrors.length} errors)`);
  if (agents.length === 0)
    throw new Error(`no cluster could be imported: ${importErrors.slice(0, 3).join('; ')}`);
  const ids = agents.map((a) => a.id);

  // baseline: the same reads, same platform and clusters, no agent connected
  await sleep(5000);
  log(`idle: reads at ${READ_RPS}/s for ${IDLE_SECONDS} s, no agent connected`);
  const idleFrom = Date.now();
  const idleReader = startReader(base, token, ids);
  await sleep(IDLE_SECONDS * 1000);
  const idleReads = await idleReader.stop();
  const idleTo = Date.now();

  // the agents: worker processes, agents dealt round-robin
  const latest = new Map<number, WorkerStats>();
  const acc = { checkInMs: [] as number[], commandMs: [] as number[], errorSamples: [] as string[] };
  const ask = forkAgentWorkers({
    count: WORKERS,
    agents,
    settings: {
      platformUrl: base,
      rampMs: RAMP_SECONDS * 1000,
      checkInMs: CHECK_IN_SECONDS * 1000,
      heartbeatMs: HEARTBEAT_SECONDS * 1000,
      pollMs: POLL_MS,
    },
    workers,
    children,
    nice: AGENTS_NICE,
    onStats: (w, s) => {
      latest.set(w, s);
      acc.checkInMs.push(...s.checkInMs);
      acc.commandMs.push(...s.commandMs);
      if (acc.errorSamples.length < 20) acc.errorSamples.push(...s.errorSamples);
    },
  });
  const sum = (all: WorkerStats[]) => {
    const commands: Record<string, number> = {};
    for (const s of all)
      for (const [k, v] of Object.entries(s.commands)) commands[k] = (commands[k] ?? 0) + v;
    const add = (f: (s: WorkerStats) => number) => all.reduce((a, s) => a + f(s), 0);
    return {
      connected: add((s) => s.connected),
      checkIns: add((s) => s.checkIns),
      checkInsWithCredentials: add((s) => s.checkInsWithCredentials),
      checkInErrors: add((s) => s.checkInErrors),
      heartbeats: add((s) => s.heartbeats),
      heartbeatErrors: add((s) => s.heartbeatErrors),
      resultErrors: add((s) => s.resultErrors),
      dispatcherWarnings: add((s) => s.dispatcherWarnings),
      disconnects: add((s) => s.disconnects),
      commands,
    };
  };

  // ramp: every agent checked in and connected
  log(`ramp: ${agents.length} agents start over ${RAMP_SECONDS} s`);
  const rampFrom = Date.now();
  const rampDeadline = rampFrom + (RAMP_SECONDS + 180) * 1000;
  let connected = 0;
  while (Date.now() < rampDeadline) {
    await sleep(5000);
    const now = sum(await ask());
    connected = now.connected;
    const last = platformUse(samples, Date.now() - 6000, Date.now());
    log(
      `  ${connected}/${agents.length} connected, ${now.checkIns} check-ins, ${now.checkInErrors} failed; cores: platform ${last.cpuCoresMean}, nats-server ${last.otherCores.natsServer}, PostgreSQL ${last.otherCores.postgres}, agents ${last.otherCores.simulatedAgentWorkers}${scraped()}`,
    );
    if (connected >= agents.length) break;
  }
  const rampSeconds = (Date.now() - rampFrom) / 1000;
  const rampTo = Date.now();
  const rampCounters = sum([...latest.values()]);
  const rampCheckInMs = acc.checkInMs.splice(0);
  acc.commandMs.splice(0);
  log(`ramp done in ${round(rampSeconds, 1)} s; settling ${SETTLE_SECONDS} s`);
  await sleep(SETTLE_SECONDS * 1000);

  // load: steady state with the reader at the same rate
  const before = sum(await ask());
  acc.checkInMs.splice(0);
  acc.commandMs.splice(0);
  const metricsBefore = await routeCounter(base, '/api/v1/agent/check-in');
  const commitsBefore = await commits();
  log(`load: ${MINUTES} min with ${before.connected} agents, reads at ${READ_RPS}/s`);
  const loadFrom = Date.now();
  const loadReader = startReader(base, token, ids);
  for (let left = MINUTES * 60; left > 0; left -= 30) {
    await sleep(Math.min(30, left) * 1000);
    const s = platformUse(samples, loadFrom, Date.now());
    log(`  platform ${s.cpuCoresMean} cores (mean so far), RSS ${s.rssPeakMiB} MiB peak${scraped()}`);
  }
  const loadReads = await loadReader.stop();
  const loadTo = Date.now();
  const after = sum(await ask());
  const metricsAfter = await routeCounter(base, '/api/v1/agent/check-in');
  const commitsAfter = await commits();
  const loadSeconds = (loadTo - loadFrom) / 1000;
  const checkInMs = acc.checkInMs.splice(0);
  const commandMs = acc.commandMs.splice(0);
  const q = async (text: string, params: unknown[]) => Number((await db.query(text, params)).rows[0]?.n ?? 0);
  const window = [new Date(loadFrom), new Date(loadTo)];
  const heartbeatsStored = await q(
    'select count(*)::int as n from heartbeat_history where received_at >= $1 and received_at < $2',
    window,
  );
  const sweepsStarted = await q(
    "select count(*)::int as n from operations where type = 'sweep' and created_at >= $1 and created_at < $2",
    window,
  );
  const sweepsSucceeded = await q(
    "select count(*)::int as n from operations where type = 'sweep' and state = 'success' and finished_at >= $1 and finished_at < $2",
    window,
  );
  const operationStates = Object.fromEntries(
    (
      await db.query('select state, count(*)::int as n from operations group by state order by state')
    ).rows.map((r: { state: string; n: number }) => [r.state, r.n]),
  );
  // the tables the agents' traffic rewrites: updates (HOT: on the same page, no index entry), dead rows, vacuums
  const tables = (
    await db.query(
      `select relname as table, n_tup_ins::int as inserts, n_tup_upd::int as updates, n_tup_hot_upd::int as hot_updates,
              n_live_tup::int as live_rows, n_dead_tup::int as dead_rows, autovacuum_count::int as autovacuums,
              pg_total_relation_size(relid)::bigint / 1024 as kib
         from pg_stat_user_tables order by n_tup_upd + n_tup_ins desc limit 8`,
    )
  ).rows as { table: string; updates: number; hot_updates: number; dead_rows: number; kib: string }[];
  const hwm = procSample(platformPid)?.hwmBytes ?? 0;
  clearInterval(sampler);
  scraper.stop();
  const inside = {
    idle: metricsBetween(scraper.scrapes, idleFrom, idleTo),
    ramp: metricsBetween(scraper.scrapes, rampFrom, rampTo),
    loaded: metricsBetween(scraper.scrapes, loadFrom, loadTo),
  };

  // --- figures ---------------------------------------------------------------------------------
  const idle = platformUse(samples, idleFrom, idleTo);
  const ramp = platformUse(samples, rampFrom, rampTo);
  const load = platformUse(samples, loadFrom, loadTo);
  const idleR = readFigures(idleReads.samples);
  const loadR = readFigures(loadReads.samples);
  const commandsDelta: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.commands)) commandsDelta[k] = v - (before.commands[k] ?? 0);
  const handled = {
    checkInsPerSecond: round((metricsAfter.count - metricsBefore.count) / loadSeconds, 1),
    checkInServerMeanMs: round(
      ((metricsAfter.sum - metricsBefore.sum) / Math.max(1, metricsAfter.count - metricsBefore.count)) * 1000,
      1,
    ),
    heartbeatsPerSecond: round(heartbeatsStored / loadSeconds, 2),
    sweepsStartedPerSecond: round(sweepsStarted / loadSeconds, 2),
    sweepResultsPerSecond: round(sweepsSucceeded / loadSeconds, 2),
    /** PostgreSQL transactions committed (each statement outside a transaction is one). */
    databaseCommitsPerSecond: round((commitsAfter - commitsBefore) / loadSeconds, 1),
  };
  const sent = {
    checkIns: after.checkIns - before.checkIns,
    checkInsPerSecond: round((after.checkIns - before.checkIns) / loadSeconds, 1),
    heartbeats: after.heartbeats - before.heartbeats,
    heartbeatsPerSecond: round((after.heartbeats - before.heartbeats) / loadSeconds, 2),
    commandsAnswered: commandsDelta,
    checkInP50Ms: round(percentile(checkInMs, 50), 1),
    checkInP99Ms: round(percentile(checkInMs, 99), 1),
    commandIssuedToResultP50Ms: round(percentile(commandMs, 50), 1),
    commandIssuedToResultP99Ms: round(percentile(commandMs, 99), 1),
  };
  const errors = {
    checkIns: after.checkInErrors - before.checkInErrors,
    heartbeats: after.heartbeatErrors - before.heartbeatErrors,
    results: after.resultErrors - before.resultErrors,
    agentWarnings: after.dispatcherWarnings - before.dispatcherWarnings,
    busDisconnects: after.disconnects - before.disconnects,
    readsIdle: idleReads.errors.length,
    readsLoaded: loadReads.errors.length,
    imports: importErrors.length,
    duringRamp: {
      checkIns: rampCounters.checkInErrors,
      agentWarnings: rampCounters.dispatcherWarnings,
      disconnects: rampCounters.disconnects,
    },
    samples: [...acc.errorSamples, ...idleReads.errors, ...loadReads.errors, ...importErrors].slice(0, 20),
  };
  const worstP99 = Math.max(...TARGET_READS.map((k) => loadR[k].p99Ms));
  const targets = {
    platformCpuMeanAtMost1Core: verdict(load.cpuCoresMean <= TARGET_CORES),
    platformCpuP95WindowAtMost1Core: verdict(load.cpuCoresP95Window <= TARGET_CORES),
    readsP99AtMost50ms: verdict(worstP99 <= TARGET_READ_P99_MS),
  };

  table(
    `Platform process (PID ${platformPid}): CPU in cores over ${WINDOW_SECONDS} s windows, RSS`,
    ['phase', 'seconds', 'CPU mean', 'CPU p95', 'CPU max', 'RSS mean', 'RSS peak'],
    [
      [
        'idle (reads only)',
        idle.seconds,
        idle.cpuCoresMean,
        idle.cpuCoresP95Window,
        idle.cpuCoresMaxWindow,
        `${idle.rssMeanMiB} MiB`,
        `${idle.rssPeakMiB} MiB`,
      ],
      [
        `ramp (${agents.length} first check-ins)`,
        ramp.seconds,
        ramp.cpuCoresMean,
        ramp.cpuCoresP95Window,
        ramp.cpuCoresMaxWindow,
        `${ramp.rssMeanMiB} MiB`,
        `${ramp.rssPeakMiB} MiB`,
      ],
      [
        `loaded (${before.connected} agents)`,
        load.seconds,
        load.cpuCoresMean,
        load.cpuCoresP95Window,
        load.cpuCoresMaxWindow,
        `${load.rssMeanMiB} MiB`,
        `${load.rssPeakMiB} MiB`,
      ],
    ],
  );
  console.log(`platform VmHWM at the end: ${round(hwm / 1048576, 1)} MiB`);
  table(
    `API reads at ${READ_RPS}/s (each kind a quarter; the control answers without the database), idle vs loaded`,
    ['read', 'idle p50', 'idle p99', 'loaded p50', 'loaded p99', 'p50 ratio', 'p99 ratio', 'n idle/loaded'],
    READS.map((k) => [
      k,
      ms(idleR[k].p50Ms),
      ms(idleR[k].p99Ms),
      ms(loadR[k].p50Ms),
      ms(loadR[k].p99Ms),
      ratio(loadR[k].p50Ms, idleR[k].p50Ms),
      ratio(loadR[k].p99Ms, idleR[k].p99Ms),
      `${idleR[k].n}/${loadR[k].n}`,
    ]),
  );
  const slowest = slowestReads(loadReads.timed, loadFrom);
  table(
    `The slowest ${slowest.length} reads under load: where the time went (Server-Timing)`,
    ['read', 's into load', 'client', 'platform', 'database (queries)', 'pool wait', 'outside the platform'],
    slowest.map((r) => [
      r.kind,
      String(r.atSecond),
      ms(r.clientMs),
      r.serverMs === undefined ? '-' : ms(r.serverMs),
      r.dbMs === undefined ? '-' : `${ms(r.dbMs)} (${r.queries})`,
      r.poolMs === undefined ? '-' : ms(r.poolMs),
      r.outsideMs === undefined ? '-' : ms(r.outsideMs),
    ]),
  );
  table(
    'PostgreSQL tables at the end (most rows written first)',
    ['table', 'inserts', 'updates', 'of them HOT', 'live rows', 'dead rows', 'autovacuums', 'KiB'],
    tables.map((t) => Object.values(t).map(String)),
  );
  table(
    'Agent traffic during the loaded phase',
    ['measure', 'figure'],
    [
      [
        'check-ins handled by the platform (HTTP 200)',
        `${handled.checkInsPerSecond}/s (server mean ${handled.checkInServerMeanMs} ms)`,
      ],
      [
        'check-ins sent by the agents',
        `${sent.checkInsPerSecond}/s, client p50 ${sent.checkInP50Ms} ms, p99 ${sent.checkInP99Ms} ms`,
      ],
      ['heartbeats stored by the platform', `${handled.heartbeatsPerSecond}/s (${heartbeatsStored})`],
      ['heartbeats published by the agents', `${sent.heartbeatsPerSecond}/s (${sent.heartbeats})`],
      ['sweeps started by the scheduler', `${handled.sweepsStartedPerSecond}/s (${sweepsStarted})`],
      ['sweep results ending an operation', `${handled.sweepResultsPerSecond}/s (${sweepsSucceeded})`],
      ['commands answered by the agents', JSON.stringify(commandsDelta)],
      [
        'PostgreSQL commits (statements outside a transaction count one each)',
        `${handled.databaseCommitsPerSecond}/s`,
      ],
      [
        'command issued → result published',
        `p50 ${sent.commandIssuedToResultP50Ms} ms, p99 ${sent.commandIssuedToResultP99Ms} ms`,
      ],
      ['operations by state (whole run)', JSON.stringify(operationStates)],
    ],
  );
  table(
    'Other processes on the machine (cores, loaded phase)',
    ['process', 'cores'],
    [
      ['nats-server', load.otherCores.natsServer],
      ['PostgreSQL (all backends)', load.otherCores.postgres],
      [
        `simulated agents (${WORKERS} worker processes, ${load.workersRssMiB} MiB RSS)`,
        load.otherCores.simulatedAgentWorkers,
      ],
      ['benchmark + reader', load.otherCores.benchmarkReader],
      [`the whole machine (${cpus().length} cores)`, load.machine.busyCores],
      ['time some task waited for a CPU (PSI)', `${round(load.machine.cpuPressureSome * 100, 1)} %`],
      ['time some task waited for I/O (PSI)', `${round(load.machine.ioPressureSome * 100, 1)} %`],
    ],
  );
  table(
    'Errors',
    ['what', 'count'],
    [
      ['check-ins (loaded)', errors.checkIns],
      ['heartbeat publishes (loaded)', errors.heartbeats],
      ['result publishes / bus errors (loaded)', errors.results],
      ['agent warnings: pulls, acks (loaded)', errors.agentWarnings],
      ['bus disconnects (loaded)', errors.busDisconnects],
      ['reads idle / loaded', `${errors.readsIdle} / ${errors.readsLoaded}`],
      ['imports', errors.imports],
      [
        'during the ramp: check-ins, warnings, disconnects',
        `${errors.duringRamp.checkIns}, ${errors.duringRamp.agentWarnings}, ${errors.duringRamp.disconnects}`,
      ],
    ],
  );
  table(
    'Inside the platform (its /metrics every 5 s)',
    [
      'phase',
      'load avg 1m',
      'loop p99 (median / worst scrape)',
      'loop max',
      'pool in use / waiting max',
      'pool wait mean',
      'handlers mean ms',
      'check-in mean',
    ],
    (['idle', 'ramp', 'loaded'] as const).map((k) => {
      const m = inside[k];
      return [
        k,
        m.loadAverage1m.mean,
        `${m.eventLoopDelayMs.p99OfScrapesP50} / ${m.eventLoopDelayMs.p99OfScrapesMax} ms`,
        `${m.eventLoopDelayMs.max} ms`,
        `${m.pool.inUseMax} / ${m.pool.waitingMax}`,
        `${m.pool.acquireMeanMs} ms`,
        JSON.stringify(m.busHandlerMeanMs),
        `${m.routeMeanMs['POST /api/v1/agent/check-in'] ?? '-'} ms`,
      ];
    }),
  );
  if (errors.samples.length > 0) console.log(`error samples:\n  ${errors.samples.join('\n  ')}`);
  table(
    'Targets',
    ['target', 'figure', 'verdict'],
    [
      ['platform ≤ 1 core (mean)', `${load.cpuCoresMean} cores`, targets.platformCpuMeanAtMost1Core],
      [
        'platform ≤ 1 core (p95 of 10 s windows)',
        `${load.cpuCoresP95Window} cores`,
        targets.platformCpuP95WindowAtMost1Core,
      ],
      ['reads p99 ≤ 50 ms (worst of the three, loaded)', ms(worstP99), targets.readsP99AtMost50ms],
    ],
  );

  const file = writeResults('platform-agents', {
    date: new Date().toISOString(),
    command: `npx node bench/platform-agents.ts ${process.argv.slice(2).join(' ')}`.trim(),
    settings: {
      agents: AGENTS,
      agentsConnected: before.connected,
      minutes: MINUTES,
      workers: WORKERS,
      workersNice: AGENTS_NICE,
      idleSeconds: IDLE_SECONDS,
      readRps: READ_RPS,
      rampSeconds: RAMP_SECONDS,
      settleSeconds: SETTLE_SECONDS,
      commandPollMs: POLL_MS,
      checkInSeconds: CHECK_IN_SECONDS,
      heartbeatSeconds: HEARTBEAT_SECONDS,
      platformLogLevel: LOG_LEVEL,
      sweepIntervalSeconds: 60,
      databasePoolSize: POOL_SIZE ? Number(POOL_SIZE) : 'default',
    },
    machine: machine(),
    import: { clusters: agents.length, seconds: round(importSeconds, 1), concurrency: IMPORT_CONCURRENCY },
    ramp: {
      secondsUntilAllConnected: round(rampSeconds, 1),
      checkInP50Ms: round(percentile(rampCheckInMs, 50), 1),
      checkInP99Ms: round(percentile(rampCheckInMs, 99), 1),
      platform: ramp,
    },
    platform: { idle, loaded: load, vmHwmMiB: round(hwm / 1048576, 1) },
    reads: {
      idle: idleR,
      loaded: loadR,
      slowestLoaded: slowest,
      slowestIdle: slowestReads(idleReads.timed, idleFrom),
    },
    handled,
    sent,
    tables,
    insidePlatform: inside,
    operationStates,
    errors,
    targets,
  });
  log(`results: ${file}`);
} catch (e) {
  console.error(e);
  printPlatformLogTail(workDir);
  exitCode = 1;
} finally {
  await stopAgentWorkers(workers);
  await stopPlatform(platform);
  await db.end().catch(() => undefined);
  await nats.stop();
  await postgres.stop();
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(exitCode);
