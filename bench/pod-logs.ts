// Pod logs through the platform: N fake pods (kwok serves each one's log from a file) each
// writing L lines per second, every log followed at once through the platform
// (GET /clusters/{id}/pods/{ns}/{pod}/logs?follow=true: HTTP → platform → NATS in operator
// mode → the real agent → the API server → kwok's kubelet → the file, and back), measured
// against the same logs followed straight from the API server in the same run (the baseline:
// what kwok's file follow and the API server add by themselves).
//
// Per line: delay = time read by the client − time written (both taken in this process);
// lost = lines written that never arrived (or arrived twice or out of order). The platform,
// the agent, the writers and the readers share this process (and the 2 cores with the kit).
//
// Run: npx node bench/pod-logs.ts [--pods 50] [--rate 100] [--seconds 60] [--baseline-seconds 20]
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { criLogLine, servePodLogs, startKit, testNamespace } from '@mooring/testkit';
import { startAgentPlatform } from '../packages/platform/test/support/agentPlatform.ts';
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

const PODS = Number(arg('pods', '50'));
const RATE = Number(arg('rate', '100'));
const SECONDS = Number(arg('seconds', '60'));
const BASELINE_SECONDS = Number(arg('baseline-seconds', '20'));
const TARGET_P99_MS = 300;

interface Follower {
  delays: number[];
  /** The next sequence number expected per pod; anything else is a loss or a repeat. */
  next: Map<number, number>;
  lost: number;
  outOfOrder: number;
  received: number;
  stops: (() => void)[];
  stop(): void;
}

/** Reads `pod-<i> <seq> <t>` lines from streams, one per pod. */
function follower(): Follower & { feed(pod: number, text: string): void } {
  const f = {
    delays: [] as number[],
    next: new Map<number, number>(),
    lost: 0,
    outOfOrder: 0,
    received: 0,
    partial: new Map<number, string>(),
    stops: [] as (() => void)[],
    feed(pod: number, text: string) {
      const now = Date.now();
      const all = (f.partial.get(pod) ?? '') + text;
      const cut = all.lastIndexOf('\n') + 1;
      f.partial.set(pod, all.slice(cut));
      for (const line of all.slice(0, cut).split('\n')) {
        const m = /^p(\d+) (\d+) (\d+)$/.exec(line);
        if (!m) continue;
        const seq = Number(m[2]);
        const want = f.next.get(pod) ?? 0;
        if (seq > want) f.lost += seq - want;
        else if (seq < want) f.outOfOrder++;
        f.next.set(pod, Math.max(want, seq + 1));
        f.received++;
        f.delays.push(now - Number(m[3]));
      }
    },
    stop() {
      for (const s of f.stops) s();
    },
  };
  return f;
}

/** Appends one line per pod every 1000/RATE ms for `seconds`; resolves with the lines written per pod. */
async function write(files: string[], seconds: number, seqs: number[]): Promise<void> {
  const period = 1000 / RATE;
  const start = Date.now();
  let tick = 0;
  while (Date.now() - start < seconds * 1000) {
    const now = new Date();
    for (let i = 0; i < files.length; i++) {
      appendFileSync(files[i] as string, criLogLine(`p${i} ${seqs[i]} ${now.getTime()}`, now));
      seqs[i] = (seqs[i] as number) + 1;
    }
    tick++;
    const wait = start + tick * period - Date.now();
    if (wait > 0) await sleep(wait);
  }
}

function summary(name: string, f: Follower, written: number, seconds: number) {
  const lost = written - f.received;
  return {
    name,
    written,
    received: f.received,
    lost: Math.max(lost, f.lost),
    outOfOrder: f.outOfOrder,
    linesPerSecond: round(f.received / seconds, 0),
    p50: quantile(f.delays, 0.5),
    p95: quantile(f.delays, 0.95),
    p99: quantile(f.delays, 0.99),
    max: quantile(f.delays, 1),
  };
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

async function main() {
  const t0 = Date.now();
  log(`starting the kit (kubernetes) for ${PODS} pods × ${RATE} lines/s`);
  const inotifyInstances = ensureInotifyInstances(2 * PODS + 28);
  const kit = await startKit(['kubernetes']);
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
  const h = await startAgentPlatform(kit.info, { namespace: ns });
  const seqs = files.map(() => 0);
  const results: ReturnType<typeof summary>[] = [];
  try {
    // baseline: straight from the API server
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const server = kc.getCurrentCluster()?.server as string;
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
    await sleep(1000);
    const before0 = [...seqs];
    for (let i = 0; i < PODS; i++) direct.next.set(i, before0[i] as number);
    log(`baseline: ${PODS} logs followed from the API server for ${BASELINE_SECONDS}s`);
    const cpu0 = selfCpuSeconds();
    await write(files, BASELINE_SECONDS, seqs);
    await sleep(3000);
    direct.stop();
    const cpuBaseline = selfCpuSeconds() - cpu0;
    results.push(
      summary(
        'API server directly (baseline)',
        direct,
        seqs.reduce((a, b) => a + b, 0) - before0.reduce((a, b) => a + b, 0),
        BASELINE_SECONDS,
      ),
    );

    // through the platform
    const through = follower();
    await Promise.all(
      files.map(async (_, i) => {
        const abort = new AbortController();
        through.stops.push(() => abort.abort());
        // a first line so a kubelet that sends headers with its first line answers
        const res = await fetch(
          `${h.baseUrl}/api/v1/clusters/${h.clusterId}/pods/${ns}/p${i}/logs?container=c&follow=true&tail_lines=0`,
          { headers: { authorization: `Bearer ${h.adminToken}` }, signal: abort.signal },
        );
        if (res.status !== 200) throw new Error(`p${i}: ${res.status} ${await res.text()}`);
        void (async () => {
          const decoder = new TextDecoder();
          try {
            for await (const chunk of res.body as ReadableStream<Uint8Array>)
              through.feed(i, decoder.decode(chunk, { stream: true }));
          } catch {}
        })();
      }),
    );
    await sleep(2000);
    const before = [...seqs];
    for (let i = 0; i < PODS; i++) through.next.set(i, before[i] as number);
    log(`through the platform: ${PODS} logs followed for ${SECONDS}s`);
    const cpu1 = selfCpuSeconds();
    await write(files, SECONDS, seqs);
    await sleep(5000);
    through.stop();
    const cpuPlatform = selfCpuSeconds() - cpu1;
    const written = seqs.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0);
    results.push(summary('through the platform', through, written, SECONDS));

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
    const r = results[1] as ReturnType<typeof summary>;
    const b = results[0] as ReturnType<typeof summary>;
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
    table(
      'CPU of this process (platform + agent + writers + readers)',
      ['phase', 'cpu seconds', 'cores'],
      [
        ['baseline', round(cpuBaseline), round(cpuBaseline / (BASELINE_SECONDS + 3))],
        ['through the platform', round(cpuPlatform), round(cpuPlatform / (SECONDS + 5))],
      ],
    );
    const file = writeResults(`pod-logs-${PODS}x${RATE}`, {
      machine: machine(),
      pods: PODS,
      rate: RATE,
      seconds: SECONDS,
      baselineSeconds: BASELINE_SECONDS,
      inotifyInstances,
      results,
      cpu: { baseline: round(cpuBaseline), platform: round(cpuPlatform) },
      targets: { p99Ms: TARGET_P99_MS },
      wallSeconds: Math.round((Date.now() - t0) / 1000),
    });
    log(`results in ${file}`);
  } finally {
    await h.close();
    await kit.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
