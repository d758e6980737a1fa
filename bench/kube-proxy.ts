// kubectl through the platform vs straight to the API server: the latency the platform adds to a `get`.
//
// Starts the kit's control plane, PostgreSQL and a nats-server in operator mode (as a deployment runs
// them), one platform process (`node packages/platform/src/main.ts`) and one agent process
// (`node packages/agent/src/main.ts`, checked in with its token, on NATS with the credentials of its
// check-in). A user with a `view` grant (the cluster's RBAC binds `mooring:view` to `view`) and a user
// without a grant. Then, in one run:
//
// 1. Raw API requests, keep-alive connections both ways: `GET /api/v1/namespaces/NS/pods/POD` (get) and
//    `GET /api/v1/namespaces/NS/pods` (list of N pods), sequential and at each concurrency, by four paths,
//    interleaved in blocks of 50 so the machine's load falls on every path alike:
//    - direct: the API server with the kit's admin client certificate (the baseline);
//    - direct + impersonation: the same with the `Impersonate-User`/`Impersonate-Group` headers the
//      agent sends (what the API server's own share of the proxied request costs);
//    - platform refusal: the user without a grant through the platform: HTTP, token, cluster and grant
//      look-ups, answered 403 by the platform without the bus (the platform's own share);
//    - through the platform: the user's kube token (bearer) on `/api/v1/clusters/ID/k8s/...`: HTTP →
//      platform → NATS → agent → API server (impersonating) → back.
//    Per block: the platform's /metrics (server time of the k8s route by status), the API server's
//    /metrics (apiserver_request_duration_seconds of pods GET/LIST), and the CPU of each process (/proc).
// 2. The real `kubectl get pod POD -o name` (the kit's kubectl), M runs each, interleaved: direct (kit
//    kubeconfig); through the platform with the kubeconfig of `mooring cluster kubeconfig` (its exec
//    credential plugin starts `mooring cluster kube-token`, a node process, on every run; TLS in front of
//    the platform as a deployment has); the same with a static token kubeconfig (the token from
//    `kube-token`, no plugin). Wall time per run, and the CPU of kubectl and its plugin (reaped children).
//
// Run: npx node bench/kube-proxy.ts [--requests 300] [--kubectl-runs 30] [--concurrency 1,8] [--objects 50]
//        [--cpu-prof DIR]
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import {
  type AgentProcess,
  installExitHooks,
  startKit,
  startNatsOperator,
  startPostgres,
} from '@mooring/testkit';
import { encodeUser, fmtCreds } from '@nats-io/jwt';
import { createUser, fromSeed } from '@nats-io/nkeys';
import { credsAuthenticator, connect as natsConnect } from '@nats-io/transport-node';
import { parse as parseYaml } from 'yaml';
import {
  arg,
  BENCH_DIR,
  childrenCpuSeconds,
  kitProcesses,
  log,
  machine,
  quantile,
  round,
  run,
  selfCpuSeconds,
  sleep,
  table,
  writeResults,
} from './lib.ts';
import {
  benchWorkDir,
  killOnExit,
  login as loginAs,
  NOTHING_SCHEDULED,
  platformApi,
  signInAsOwner,
  startCheckedInAgent,
  startPlatform,
  stopPlatform,
} from './platformProcess.ts';
import { procCpu, treeCpu } from './proc.ts';

const REQUESTS = Number(arg('requests', '300'));
const KUBECTL_RUNS = Number(arg('kubectl-runs', '30'));
const CONCURRENCY = arg('concurrency', '1,8')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => n >= 1);
const OBJECTS = Number(arg('objects', '50'));
/** A directory for V8 CPU profiles of the platform and the agent (written when they stop). */
const CPU_PROF = arg('cpu-prof', '');
const BLOCK = 50;
const WARMUP = 10;
const ROOT = resolve(BENCH_DIR, '..');
const MOORING_CLI = join(ROOT, 'packages/cli/bin/mooring.js');
const K8S_ROUTE = '/api/v1/clusters/:id/k8s/*';

const uptime = () => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`;
  }
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const ms1 = (n: number) => (Number.isFinite(n) ? round(n, 1) : Number.NaN);
const fmt = (n: number) => (Number.isFinite(n) ? String(round(n, 1)) : '-');
const signed = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${round(n, 1)}` : '-');
const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 2) : Number.NaN);

function stats(xs: number[]) {
  return {
    n: xs.length,
    p50: ms1(quantile(xs, 0.5)),
    p95: ms1(quantile(xs, 0.95)),
    p99: ms1(quantile(xs, 0.99)),
    max: ms1(quantile(xs, 1)),
    mean: ms1(mean(xs)),
  };
}

// --- HTTP -----------------------------------------------------------------------------------------

interface Answer {
  status: number;
  bytes: number;
  body: string;
}

/** One GET, body read to the end. */
function get(url: URL, agent: HttpAgent | HttpsAgent, headers: Record<string, string | string[]>) {
  return new Promise<Answer>((ok, fail) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', agent, headers }, (res) => {
      const parts: Buffer[] = [];
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (res.statusCode !== 200) parts.push(c);
      });
      res.on('end', () =>
        ok({ status: res.statusCode ?? 0, bytes, body: Buffer.concat(parts).toString('utf8').slice(0, 500) }),
      );
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

/** `${base}/metrics` as text (the API server's with the admin certificate). */
async function metricsText(url: URL, agent: HttpAgent | HttpsAgent): Promise<string> {
  return new Promise((ok, fail) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', agent }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        b += c;
      });
      res.on('end', () => ok(b));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

type Sums = Record<string, { count: number; sum: number }>;
const add = (m: Sums, k: string, field: 'count' | 'sum', v: number) => {
  m[k] ??= { count: 0, sum: 0 };
  m[k][field] += v;
};
const labelOf = (labels: string, k: string) => new RegExp(`(?:^|,)${k}="([^"]*)"`).exec(labels)?.[1];

/** The platform's server time of the k8s route, by status. */
function platformRoute(text: string): Sums {
  const out: Sums = {};
  for (const line of text.split('\n')) {
    const m = /^mooring_http_request_duration_seconds_(count|sum)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || labelOf(m[2] as string, 'route') !== K8S_ROUTE) continue;
    add(out, labelOf(m[2] as string, 'status') ?? '?', m[1] as 'count' | 'sum', Number(m[3]));
  }
  return out;
}

/** kube-apiserver's own time for pods GET and LIST (apiserver_request_duration_seconds). */
function apiserverPods(text: string): Sums {
  const out: Sums = {};
  for (const line of text.split('\n')) {
    const m = /^apiserver_request_duration_seconds_(count|sum)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const l = m[2] as string;
    if (labelOf(l, 'resource') !== 'pods' || (labelOf(l, 'subresource') ?? '') !== '') continue;
    const verb = labelOf(l, 'verb');
    if (verb !== 'GET' && verb !== 'LIST') continue;
    add(out, verb, m[1] as 'count' | 'sum', Number(m[3]));
  }
  return out;
}

const delta = (a: Sums, b: Sums): Sums => {
  const out: Sums = {};
  for (const [k, v] of Object.entries(b)) {
    const c = v.count - (a[k]?.count ?? 0);
    if (c > 0) out[k] = { count: c, sum: v.sum - (a[k]?.sum ?? 0) };
  }
  return out;
};

// --- the run ----------------------------------------------------------------------------------------

const VARIANTS = [
  'direct',
  'direct + impersonation',
  'direct, new TLS connection each',
  'platform refusal (no bus)',
  'through the platform',
] as const;
type Variant = (typeof VARIANTS)[number];
const KINDS = ['get', 'list'] as const;
type Kind = (typeof KINDS)[number];

interface VariantAcc {
  latencies: number[];
  wallMs: number;
  bytes: number;
  platform: Sums;
  apiserver: Sums;
  cpu: Record<string, number>;
}

installExitHooks();
const children: ChildProcess[] = [];
let agentProc: AgentProcess | undefined;
killOnExit(children);
process.once('exit', () => {
  if (agentProc) {
    try {
      process.kill(-agentProc.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

const t0 = Date.now();
const uptimeStart = uptime();
const workDir = benchWorkDir('kube-proxy');
log(`work directory ${workDir}; ${uptimeStart}`);
log(`${REQUESTS} requests per path and concurrency, ${KUBECTL_RUNS} kubectl runs per path, ${OBJECTS} pods`);
const postgres = await startPostgres(workDir);
const nats = await startNatsOperator(workDir);
const kit = await startKit(['kubernetes']);
const kubeconfigPath = kit.info.kubeconfig as string;
const kubectl = join(kit.info.binDir, 'kubectl');

let platform: ChildProcess | undefined;
let tls: TlsServer | undefined;
let exitCode = 0;
try {
  // the kit's admin credentials, for the baseline
  const kcDoc = parseYaml(readFileSync(kubeconfigPath, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const server = (kcDoc.clusters[0] as (typeof kcDoc.clusters)[0]).cluster.server.replace(/\/+$/, '');
  const b64 = (s: string) => Buffer.from(s, 'base64');
  const adminTls = {
    ca: b64((kcDoc.clusters[0] as (typeof kcDoc.clusters)[0]).cluster['certificate-authority-data']),
    cert: b64((kcDoc.users[0] as (typeof kcDoc.users)[0]).user['client-certificate-data']),
    key: b64((kcDoc.users[0] as (typeof kcDoc.users)[0]).user['client-key-data']),
  };
  const maxSockets = Math.max(...CONCURRENCY, 1);
  const directAgent = new HttpsAgent({ keepAlive: true, maxSockets, ...adminTls });
  const metricsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 1, ...adminTls });
  // as the agent's API server client gets it from the kubeconfig (`new https.Agent(...)` without
  // keepAlive): a TCP connection and a TLS handshake with the client certificate for every request
  const freshAgent = new HttpsAgent({ keepAlive: false, maxSockets, ...adminTls });
  const platformAgent = new HttpAgent({ keepAlive: true, maxSockets });
  const refusalAgent = new HttpAgent({ keepAlive: true, maxSockets });

  // the platform, as a deployment runs it
  const started = await startPlatform({
    workDir,
    postgres,
    nats,
    logLevel: 'warn',
    cpuProf: CPU_PROF,
    env: NOTHING_SCHEDULED,
    children,
  });
  platform = started.child;
  const { base, port, pid: platformPid } = started;
  const api = async <T>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
    const r = await platformApi<T>(base, token, method, path, body);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path}: HTTP ${r.status} ${r.text}`);
    return r.body;
  };
  const login = (username: string, password: string) => loginAs(base, username, password);
  const ownerToken = await signInAsOwner(started);
  log(`platform PID ${platformPid} at ${base}`);

  // the cluster and its agent, a process of its own
  const clusterName = 'kube-proxy';
  const imported = await api<{ cluster: { id: string }; agent_token: string }>(
    ownerToken,
    'POST',
    '/clusters',
    {
      definition: `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${clusterName}\nspec:\n  stacks: []\n`,
    },
  );
  const clusterId = imported.cluster.id;
  agentProc = await startCheckedInAgent({
    kit: kit.info,
    base,
    ownerToken,
    clusterId,
    agentToken: imported.agent_token,
    workDir,
    ...(CPU_PROF ? { cpuProf: CPU_PROF } : {}),
  });
  log(`agent PID ${agentProc.pid} online`);

  // a namespace with N pods; the cluster's RBAC for Mooring's view group
  const ns = `bench-kp-${Date.now().toString(36)}`;
  const pods = Array.from({ length: OBJECTS }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${i}`, namespace: ns, labels: { app: 'bench', index: String(i) } },
    spec: { containers: [{ name: 'c', image: 'registry.example.test/none:1' }] },
  }));
  const manifest = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `mooring-bench-view-${ns}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'mooring:view' }],
    },
    ...pods,
  ];
  const applied = await run(kubectl, ['--kubeconfig', kubeconfigPath, 'apply', '-f', '-'], {
    stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifest }),
  });
  if (applied.code !== 0) throw new Error(`kubectl apply: ${applied.stderr}`);
  for (let i = 0; ; i++) {
    const r = await run(kubectl, [
      '--kubeconfig',
      kubeconfigPath,
      'get',
      'pods',
      '-n',
      ns,
      '-o',
      'jsonpath={.items[*].status.phase}',
    ]);
    if (r.stdout.split(' ').filter((p) => p === 'Running').length === OBJECTS) break;
    if (i > 120) throw new Error(`the ${OBJECTS} pods are not Running after 60 s: ${r.stdout} ${r.stderr}`);
    await sleep(500);
  }
  log(`namespace ${ns}: ${OBJECTS} pods running`);

  // users: one with a view grant, one without
  const password = 'bench-password-0123456789';
  const viewer = await api<{ id: string }>(ownerToken, 'POST', '/users', {
    username: 'viewer',
    password,
    role: 'viewer',
  });
  await api(ownerToken, 'PUT', `/clusters/${clusterId}/grants/${viewer.id}`, { role: 'view' });
  await api<{ id: string }>(ownerToken, 'POST', '/users', { username: 'nogrant', password, role: 'viewer' });
  const viewerSession = await login('viewer', password);
  const nograntSession = await login('nogrant', password);
  const kubeToken = (session: string) =>
    api<{ token: string }>(session, 'POST', `/clusters/${clusterId}/kube-token`, {}).then((r) => r.token);

  // --- 1. raw API requests --------------------------------------------------------------------------
  const viewerToken = await kubeToken(viewerSession);
  const nograntToken = await kubeToken(nograntSession);
  const kubePath = (kind: Kind) =>
    kind === 'get' ? `/api/v1/namespaces/${ns}/pods/p0` : `/api/v1/namespaces/${ns}/pods`;
  const accept = { accept: 'application/json', 'user-agent': 'mooring-bench/kube-proxy' };
  const target = (v: Variant, kind: Kind) => {
    const path = kubePath(kind);
    switch (v) {
      case 'direct':
        return { url: new URL(server + path), agent: directAgent, headers: accept, want: 200 };
      case 'direct + impersonation':
        return {
          url: new URL(server + path),
          agent: directAgent,
          headers: {
            ...accept,
            'impersonate-user': 'mooring:viewer',
            'impersonate-group': ['mooring:view', 'system:authenticated'],
          },
          want: 200,
        };
      case 'direct, new TLS connection each':
        return { url: new URL(server + path), agent: freshAgent, headers: accept, want: 200 };
      case 'platform refusal (no bus)':
        return {
          url: new URL(`${base}/api/v1/clusters/${clusterId}/k8s${path}`),
          agent: refusalAgent,
          headers: { ...accept, authorization: `Bearer ${nograntToken}` },
          want: 403,
        };
      case 'through the platform':
        return {
          url: new URL(`${base}/api/v1/clusters/${clusterId}/k8s${path}`),
          agent: platformAgent,
          headers: { ...accept, authorization: `Bearer ${viewerToken}` },
          want: 200,
        };
    }
  };
  const kitPids = kitProcesses(kit.info.workDir);
  // comm is cut at 15 characters: `kube-apiserver-` for the versioned binary
  const apiserverPid = [...kitPids].find(([, n]) => n.startsWith('kube-apiserver'))?.[0];
  const cpuNow = (): Record<string, number> => ({
    platform: procCpu(platformPid),
    agent: procCpu(agentProc?.pid ?? -1),
    'kube-apiserver': apiserverPid ? procCpu(apiserverPid) : 0,
    'nats-server': procCpu(nats.process.pid as number),
    postgres: treeCpu(postgres.process.pid as number),
    'bench (client)': selfCpuSeconds(),
  });
  const platformMetricsUrl = new URL(`${base}/metrics`);
  const apiserverMetricsUrl = new URL(`${server}/metrics`);
  const metricsHttp = new HttpAgent({ keepAlive: true, maxSockets: 1 });

  /** `n` requests of one path at `c` at once: latencies (ms) and wall time; checks every status. */
  const block = async (v: Variant, kind: Kind, n: number, c: number) => {
    const t = target(v, kind);
    const lat: number[] = [];
    let bytes = 0;
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(c, n) }, async () => {
        while (next < n) {
          next++;
          const s = performance.now();
          const a = await get(t.url, t.agent, t.headers);
          lat.push(performance.now() - s);
          if (a.status !== t.want)
            throw new Error(`${v} ${kind}: HTTP ${a.status}, want ${t.want}: ${a.body}`);
          bytes = a.bytes;
        }
      }),
    );
    return { lat, wallMs: performance.now() - start, bytes };
  };

  const results: {
    kind: Kind;
    concurrency: number;
    bodyBytes: Record<string, number>;
    variants: Record<string, ReturnType<typeof stats> & Record<string, unknown>>;
  }[] = [];
  for (const c of CONCURRENCY) {
    for (const kind of KINDS) {
      log(`${kind} at concurrency ${c}: ${REQUESTS} requests per path in blocks of ${BLOCK}`);
      for (const v of VARIANTS) await block(v, kind, WARMUP, c);
      const acc = new Map<Variant, VariantAcc>(
        VARIANTS.map((v) => [
          v,
          { latencies: [], wallMs: 0, bytes: 0, platform: {}, apiserver: {}, cpu: {} },
        ]),
      );
      for (let done = 0; done < REQUESTS; done += BLOCK) {
        const n = Math.min(BLOCK, REQUESTS - done);
        for (const v of VARIANTS) {
          const a = acc.get(v) as VariantAcc;
          const pm0 = platformRoute(await metricsText(platformMetricsUrl, metricsHttp));
          const am0 = apiserverPods(await metricsText(apiserverMetricsUrl, metricsAgent));
          const cpu0 = cpuNow();
          const b = await block(v, kind, n, c);
          const cpu1 = cpuNow();
          const pm1 = platformRoute(await metricsText(platformMetricsUrl, metricsHttp));
          const am1 = apiserverPods(await metricsText(apiserverMetricsUrl, metricsAgent));
          a.latencies.push(...b.lat);
          a.wallMs += b.wallMs;
          a.bytes = b.bytes;
          for (const [k, d] of Object.entries(delta(pm0, pm1))) {
            add(a.platform, k, 'count', d.count);
            add(a.platform, k, 'sum', d.sum);
          }
          for (const [k, d] of Object.entries(delta(am0, am1))) {
            add(a.apiserver, k, 'count', d.count);
            add(a.apiserver, k, 'sum', d.sum);
          }
          for (const k of Object.keys(cpu1)) a.cpu[k] = (a.cpu[k] ?? 0) + ((cpu1[k] ?? 0) - (cpu0[k] ?? 0));
        }
      }
      const verb = kind === 'get' ? 'GET' : 'LIST';
      const variants: Record<string, ReturnType<typeof stats> & Record<string, unknown>> = {};
      for (const v of VARIANTS) {
        const a = acc.get(v) as VariantAcc;
        const n = a.latencies.length;
        const serverStatus = v === 'platform refusal (no bus)' ? '403' : '200';
        const ps = a.platform[serverStatus];
        const as = a.apiserver[verb];
        variants[v] = {
          ...stats(a.latencies),
          requestsPerSecond: round(n / (a.wallMs / 1000), 0),
          platformServerMeanMs: ps ? ms1((ps.sum / ps.count) * 1000) : Number.NaN,
          apiserverMeanMs: as ? ms1((as.sum / as.count) * 1000) : Number.NaN,
          apiserverRequests: as?.count ?? 0,
          cpuMsPerRequest: Object.fromEntries(
            Object.entries(a.cpu).map(([k, s]) => [k, ms1((s * 1000) / n)]),
          ),
        };
      }
      results.push({
        kind,
        concurrency: c,
        bodyBytes: Object.fromEntries(VARIANTS.map((v) => [v, (acc.get(v) as VariantAcc).bytes])),
        variants,
      });
    }
  }

  for (const r of results) {
    const d = r.variants.direct as ReturnType<typeof stats>;
    table(
      `${r.kind === 'get' ? `GET pods/p0` : `LIST pods (${OBJECTS})`} at concurrency ${r.concurrency}: latency in ms over ${REQUESTS} requests per path (body ${r.bodyBytes.direct} bytes)`,
      [
        'path',
        'p50',
        'p95',
        'p99',
        'max',
        'mean',
        'req/s',
        'added p50',
        'added p99',
        'ratio p50',
        'ratio p99',
      ],
      VARIANTS.map((v) => {
        const s = r.variants[v] as ReturnType<typeof stats> & { requestsPerSecond: number };
        return [
          v === 'direct' ? 'direct (baseline)' : v,
          fmt(s.p50),
          fmt(s.p95),
          fmt(s.p99),
          fmt(s.max),
          fmt(s.mean),
          s.requestsPerSecond,
          v === 'direct' ? '' : signed(s.p50 - d.p50),
          v === 'direct' ? '' : signed(s.p99 - d.p99),
          v === 'direct' ? 1 : ratio(s.p50, d.p50),
          v === 'direct' ? 1 : ratio(s.p99, d.p99),
        ];
      }),
    );
  }
  table(
    'Where the time and CPU go (means; server times from the platform’s and the API server’s /metrics, CPU from /proc)',
    [
      'request',
      'c',
      'path',
      'client mean ms',
      'platform server ms',
      'API server ms',
      'CPU ms/req: platform',
      'agent',
      'kube-apiserver',
      'nats',
      'postgres',
    ],
    results.flatMap((r) =>
      VARIANTS.map((v) => {
        const s = r.variants[v] as unknown as {
          mean: number;
          platformServerMeanMs: number;
          apiserverMeanMs: number;
          cpuMsPerRequest: Record<string, number>;
        };
        return [
          r.kind,
          r.concurrency,
          v,
          fmt(s.mean),
          fmt(s.platformServerMeanMs),
          fmt(s.apiserverMeanMs),
          fmt(s.cpuMsPerRequest.platform as number),
          fmt(s.cpuMsPerRequest.agent as number),
          fmt(s.cpuMsPerRequest['kube-apiserver'] as number),
          fmt(s.cpuMsPerRequest['nats-server'] as number),
          fmt(s.cpuMsPerRequest.postgres as number),
        ];
      }),
    ),
  );
  // the added mean, split: platform's own handling (refusal), the API server's extra for impersonation,
  // the rest (bus round trip, agent, forwarding)
  const breakdown = results.map((r) => {
    const m = (v: Variant) => (r.variants[v] as { mean: number }).mean;
    const through = m('through the platform');
    const direct = m('direct');
    const imp = m('direct + impersonation');
    const fresh = m('direct, new TLS connection each');
    const refusal = m('platform refusal (no bus)');
    return {
      kind: r.kind,
      concurrency: r.concurrency,
      addedMeanMs: ms1(through - direct),
      platformOwnMs: ms1(refusal),
      impersonationMs: ms1(imp - direct),
      newConnectionMs: ms1(fresh - direct),
      busAgentForwardMs: ms1(through - direct - refusal - (imp - direct) - (fresh - direct)),
    };
  });
  table(
    'The added mean latency, split (ms): through − direct = the platform’s own handling (the refusal’s whole round trip: HTTP, token, cluster, grant) + impersonation at the API server + a new TLS connection to the API server per request (as the agent’s client makes them) + the rest (forwarding, NATS both ways, the agent’s own work)',
    [
      'request',
      'c',
      'added (through − direct)',
      'platform own (HTTP, auth, grant)',
      'impersonation (API server)',
      'new TLS connection',
      'rest: bus + agent + forwarding',
    ],
    breakdown.map((b) => [
      b.kind,
      b.concurrency,
      fmt(b.addedMeanMs),
      fmt(b.platformOwnMs),
      fmt(b.impersonationMs),
      fmt(b.newConnectionMs),
      fmt(b.busAgentForwardMs),
    ]),
  );

  // --- 1b. the bus alone -------------------------------------------------------------------------------
  // Two connections of this process to the same nats-server (a user signed with the account's signing
  // key, as the platform signs its own): a request with a reply as large as the proxied get's and list's
  // (base64, as the agent sends it), alone and in the forwarder's pattern (subscribe to the stream's data
  // subject and wait for the server's flush, request, unsubscribe).
  log('the bus alone: request/reply round trips');
  const signer = fromSeed(new TextEncoder().encode(nats.account.signingKeySeed));
  const busUser = createUser();
  const busJwt = await encodeUser('bench-kube-proxy', busUser, nats.account.publicKey, {}, { signer });
  const authenticator = credsAuthenticator(fmtCreds(busJwt, busUser));
  const ncServe = await natsConnect({ servers: nats.url, authenticator, name: 'bench-kube-proxy-responder' });
  const ncAsk = await natsConnect({ servers: nats.url, authenticator, name: 'bench-kube-proxy-requester' });
  const busResults: Record<string, unknown>[] = [];
  try {
    const enc = new TextEncoder();
    for (const kind of KINDS) {
      const bytes = (results.find((r) => r.kind === kind)?.bodyBytes.direct as number) ?? 4000;
      const reply = enc.encode(
        JSON.stringify({
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: Buffer.alloc(bytes, 97).toString('base64'),
          more: false,
        }),
      );
      const subject = `bench.kube.${kind}.req`;
      const sub = ncServe.subscribe(subject, {
        callback: (_err, m) => {
          m.respond(reply);
        },
      });
      await ncServe.flush();
      const ask = enc.encode(
        JSON.stringify({
          method: 'GET',
          path: kubePath(kind),
          headers: accept,
          impersonate: { user: 'mooring:viewer', groups: ['mooring:view', 'system:authenticated'] },
          stream: false,
          stream_id: 'x'.repeat(32),
        }),
      );
      for (const pattern of ['request/reply', 'subscribe + flush, request/reply, unsubscribe'] as const) {
        for (const c of CONCURRENCY) {
          const one = async () => {
            const s = performance.now();
            if (pattern === 'request/reply') await ncAsk.request(subject, ask, { timeout: 10_000 });
            else {
              const data = ncAsk.subscribe(`bench.kube.data.${Math.random().toString(36).slice(2)}`);
              await ncAsk.flush();
              await ncAsk.request(subject, ask, { timeout: 10_000 });
              data.unsubscribe();
            }
            return performance.now() - s;
          };
          for (let i = 0; i < WARMUP; i++) await one();
          const lat: number[] = [];
          let next = 0;
          await Promise.all(
            Array.from({ length: Math.min(c, REQUESTS) }, async () => {
              while (next < REQUESTS) {
                next++;
                lat.push(await one());
              }
            }),
          );
          busResults.push({ kind, replyBytes: reply.length, pattern, concurrency: c, ...stats(lat) });
        }
      }
      sub.unsubscribe();
    }
  } finally {
    await ncAsk.close();
    await ncServe.close();
  }
  table(
    `The bus alone: NATS round trips in ms over ${REQUESTS} requests (both ends in the bench process)`,
    ['reply as', 'reply bytes', 'pattern', 'c', 'p50', 'p95', 'p99', 'max', 'mean'],
    busResults.map((b) => [
      b.kind as string,
      b.replyBytes as number,
      b.pattern as string,
      b.concurrency as number,
      fmt(b.p50 as number),
      fmt(b.p95 as number),
      fmt(b.p99 as number),
      fmt(b.max as number),
      fmt(b.mean as number),
    ]),
  );

  // --- 2. kubectl -------------------------------------------------------------------------------------
  log(`kubectl: ${KUBECTL_RUNS} runs per path`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      'tls.key',
      '-out',
      'tls.crt',
    ],
    { cwd: workDir, stdio: 'ignore' },
  );
  // TLS in front of the platform (kubectl sends no credentials to a plain-HTTP server), a TCP pipe
  tls = createTlsServer(
    { cert: readFileSync(join(workDir, 'tls.crt')), key: readFileSync(join(workDir, 'tls.key')) },
    (s) => {
      const up = tcpConnect(port, '127.0.0.1');
      s.pipe(up).pipe(s);
      s.on('error', () => up.destroy());
      up.on('error', () => s.destroy());
    },
  );
  await new Promise<void>((r) => (tls as TlsServer).listen(0, '127.0.0.1', r));
  const httpsUrl = `https://127.0.0.1:${(tls.address() as { port: number }).port}`;
  const homeOf = (name: string) => {
    const h = join(workDir, 'homes', name);
    mkdirSync(join(h, '.config'), { recursive: true });
    return h;
  };
  const cli = async (home: string, args: string[], stdin?: string) => {
    const r = await run(process.execPath, [MOORING_CLI, ...args], {
      env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
      ...(stdin !== undefined ? { stdin } : {}),
    });
    if (r.code !== 0) throw new Error(`mooring ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
    return r;
  };
  const execHome = homeOf('exec');
  await cli(execHome, ['login', base, '--username', 'viewer', '--password-stdin'], password);
  await cli(execHome, [
    'cluster',
    'kubeconfig',
    clusterName,
    '-f',
    join(execHome, 'kubeconfig'),
    '--server',
    httpsUrl,
    '--certificate-authority',
    join(workDir, 'tls.crt'),
  ]);
  const staticHome = homeOf('static');
  const staticToken = await kubeToken(viewerSession);
  const execKc = parseYaml(readFileSync(join(execHome, 'kubeconfig'), 'utf8')) as {
    users: { name: string; user: Record<string, unknown> }[];
  };
  for (const u of execKc.users) u.user = { token: staticToken };
  writeFileSync(join(staticHome, 'kubeconfig'), JSON.stringify(execKc), { mode: 0o600 });
  const directHome = homeOf('direct');
  const KUBECTL_PATHS = [
    { name: 'direct', home: directHome, kubeconfig: kubeconfigPath },
    {
      name: 'through the platform, static token',
      home: staticHome,
      kubeconfig: join(staticHome, 'kubeconfig'),
    },
    { name: 'through the platform, exec plugin', home: execHome, kubeconfig: join(execHome, 'kubeconfig') },
  ] as const;
  const kubectlRun = async (p: (typeof KUBECTL_PATHS)[number]) => {
    const cpu0 = childrenCpuSeconds();
    const r = await run(kubectl, ['get', 'pod', 'p0', '-n', ns, '-o', 'name'], {
      env: {
        PATH: `${kit.info.binDir}:${process.env.PATH}`,
        HOME: p.home,
        XDG_CONFIG_HOME: join(p.home, '.config'),
        KUBECONFIG: p.kubeconfig,
      },
    });
    const cpu = childrenCpuSeconds() - cpu0;
    if (r.code !== 0 || r.stdout.trim() !== 'pod/p0')
      throw new Error(`kubectl (${p.name}): exit ${r.code}: ${r.stdout} ${r.stderr}`);
    return { ms: r.ms, cpuMs: cpu * 1000 };
  };
  // warm-up: kubectl's discovery cache (~/.kube/cache) in every home, the plugin's compile
  for (const p of KUBECTL_PATHS) for (let i = 0; i < 2; i++) await kubectlRun(p);
  const kubectlRuns = new Map<string, { ms: number[]; cpuMs: number[] }>(
    KUBECTL_PATHS.map((p) => [p.name, { ms: [], cpuMs: [] }]),
  );
  for (let i = 0; i < KUBECTL_RUNS; i++)
    for (const p of KUBECTL_PATHS) {
      const r = await kubectlRun(p);
      const acc = kubectlRuns.get(p.name) as { ms: number[]; cpuMs: number[] };
      acc.ms.push(r.ms);
      acc.cpuMs.push(r.cpuMs);
    }
  const kubectlStats = KUBECTL_PATHS.map((p) => {
    const acc = kubectlRuns.get(p.name) as { ms: number[]; cpuMs: number[] };
    return { path: p.name, ...stats(acc.ms), cpuMsP50: ms1(quantile(acc.cpuMs, 0.5)) };
  });
  const kd = kubectlStats[0] as (typeof kubectlStats)[0];
  table(
    `kubectl get pod p0 -o name: wall time per run in ms over ${KUBECTL_RUNS} runs (process start, kubeconfig, TLS, the request; the exec plugin's node process where it is used)`,
    [
      'path',
      'p50',
      'p95',
      'p99',
      'max',
      'mean',
      'CPU ms p50 (kubectl + plugin)',
      'added p50',
      'added p99',
      'ratio p50',
    ],
    kubectlStats.map((s) => [
      s.path === 'direct' ? 'direct (baseline)' : s.path,
      fmt(s.p50),
      fmt(s.p95),
      fmt(s.p99),
      fmt(s.max),
      fmt(s.mean),
      fmt(s.cpuMsP50),
      s.path === 'direct' ? '' : signed(s.p50 - kd.p50),
      s.path === 'direct' ? '' : signed(s.p99 - kd.p99),
      s.path === 'direct' ? 1 : ratio(s.p50, kd.p50),
    ]),
  );

  const uptimeEnd = uptime();
  log(`load at the end: ${uptimeEnd}`);
  const file = writeResults('kube-proxy', {
    date: new Date().toISOString(),
    command: `npx node bench/kube-proxy.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(),
    uptimeStart,
    uptimeEnd,
    requests: REQUESTS,
    kubectlRuns: KUBECTL_RUNS,
    concurrency: CONCURRENCY,
    objects: OBJECTS,
    blockSize: BLOCK,
    api: results,
    addedMeanBreakdown: breakdown,
    bus: busResults,
    kubectl: kubectlStats,
    wallSeconds: Math.round((Date.now() - t0) / 1000),
  });
  log(`results in ${file}`);
  for (const a of [directAgent, freshAgent, metricsAgent, platformAgent, refusalAgent, metricsHttp])
    a.destroy();
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  tls?.close();
  await agentProc?.stop(15_000).catch(() => undefined);
  await stopPlatform(platform);
  await kit.stop().catch(() => undefined);
  await nats.stop().catch(() => undefined);
  await postgres.stop().catch(() => undefined);
  // the logs stay for a failed run
  if (exitCode === 0) rmSync(workDir, { recursive: true, force: true, maxRetries: 2 });
}
process.exit(exitCode);
