// Shared helpers for the benchmarks: CPU and memory accounting, tables, results files.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const RESULTS_DIR = join(BENCH_DIR, 'results');

const CLK_TCK = 100; // USER_HZ on Linux

/** Parses `--name value` / `--name=value` arguments. */
export function arg(name: string, fallback: string): string {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}`) return argv[i + 1] ?? fallback;
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return fallback;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Samples process.memoryUsage() every `everyMs`; `peak()` since the last `reset()`. */
export class MemorySampler {
  private timer?: NodeJS.Timeout;
  private peakRss = 0;
  private peakHeapUsed = 0;
  private peakHeapTotal = 0;
  samples = 0;
  private readonly everyMs: number;
  constructor(everyMs = 100) {
    this.everyMs = everyMs;
  }
  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
  reset(): void {
    this.peakRss = 0;
    this.peakHeapUsed = 0;
    this.peakHeapTotal = 0;
    this.samples = 0;
    this.sample();
  }
  sample(): void {
    const m = process.memoryUsage();
    this.samples++;
    this.peakRss = Math.max(this.peakRss, m.rss);
    this.peakHeapUsed = Math.max(this.peakHeapUsed, m.heapUsed);
    this.peakHeapTotal = Math.max(this.peakHeapTotal, m.heapTotal);
  }
  peak(): { rssMiB: number; heapUsedMiB: number; heapTotalMiB: number; samples: number } {
    this.sample();
    return {
      rssMiB: mib(this.peakRss),
      heapUsedMiB: mib(this.peakHeapUsed),
      heapTotalMiB: mib(this.peakHeapTotal),
      samples: this.samples,
    };
  }
}

/** The value at quantile `q` (0 to 1) of `values`, by nearest rank; NaN when there are none. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

/** The `p`th percentile (0 to 100) of `values`, by nearest rank; NaN when there are none. */
export const percentile = (values: number[], p: number) => quantile(values, p / 100);

export const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** CPU seconds of this process (user+system). */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU seconds of waited-for children of this process (cutime+cstime): every helm the engine spawned and reaped. */
export function childrenCpuSeconds(): number {
  const f = readFileSync('/proc/self/stat', 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  // fields after ")" start at field 3 (state); cutime is field 16, cstime 17
  return (Number(rest[13]) + Number(rest[14])) / CLK_TCK;
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

/** The kit's programs (etcd, kube-apiserver, ...) by PID: processes whose command line mentions the kit's work directory. */
export function kitProcesses(workDir: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (!cmd.includes(workDir)) continue;
      const comm = readFileSync(`/proc/${d}/comm`, 'utf8').trim();
      if (comm === 'helm' || Number(d) === process.pid) continue;
      out.set(Number(d), comm);
    } catch {
      /* gone */
    }
  }
  return out;
}

function procCpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

export interface CpuSnapshot {
  at: number;
  self: number;
  children: number;
  machine: { busy: number; total: number };
  kit: Record<string, number>;
}

/** A CPU accounting of one phase: this process, helm children, each kit program, the machine. */
export class CpuMeter {
  private readonly procs: Map<number, string>;
  constructor(procs: Map<number, string>) {
    this.procs = procs;
  }
  snapshot(): CpuSnapshot {
    const kit: Record<string, number> = {};
    for (const [pid, name] of this.procs) kit[name] = (kit[name] ?? 0) + procCpuSeconds(pid);
    return {
      at: performance.now(),
      self: selfCpuSeconds(),
      children: childrenCpuSeconds(),
      machine: machineCpu(),
      kit,
    };
  }
  /** CPU seconds spent between two snapshots, by consumer, and the machine's utilisation. */
  static delta(a: CpuSnapshot, b: CpuSnapshot): CpuBreakdown {
    const wall = (b.at - a.at) / 1000;
    const kit: Record<string, number> = {};
    for (const k of Object.keys(b.kit)) kit[k] = round(b.kit[k]! - (a.kit[k] ?? 0));
    const busy = b.machine.busy - a.machine.busy;
    const total = b.machine.total - a.machine.total;
    return {
      wallSeconds: round(wall),
      engineNodeCpuSeconds: round(b.self - a.self),
      helmChildrenCpuSeconds: round(b.children - a.children),
      kitCpuSeconds: kit,
      machineBusyCpuSeconds: round(busy),
      machineUtilisation: total > 0 ? round(busy / total, 3) : 0,
    };
  }
}

export interface CpuBreakdown {
  wallSeconds: number;
  engineNodeCpuSeconds: number;
  helmChildrenCpuSeconds: number;
  kitCpuSeconds: Record<string, number>;
  machineBusyCpuSeconds: number;
  /** Busy share of all cores during the phase (1 = every core busy all the time). */
  machineUtilisation: number;
}

/** Runs a program and resolves with wall time, stdout and exit code (never throws on a non-zero exit). */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; stdin?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { env: { ...process.env, ...opts.env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({
          code: typeof code === 'number' ? code : 1,
          stdout: String(stdout),
          stderr: String(stderr),
          ms: performance.now() - t0,
        });
      },
    );
    child.stdin?.end(opts.stdin ?? '');
  });
}

/** Runs `fn` over `items` with at most `limit` at once. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** A verdict for a target: met or MISSED, with the figure. */
export function verdict(ok: boolean): 'met' | 'MISSED' {
  return ok ? 'met' : 'MISSED';
}

/** Prints rows as an aligned table. */
export function table(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${title}`);
  console.log(line(cells[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

export function writeResults(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  // in the repository's format (npm run lint checks bench/results too)
  try {
    execFileSync(join(BENCH_DIR, '..', 'node_modules', '.bin', 'biome'), ['format', '--write', file], {
      stdio: 'ignore',
    });
  } catch {
    /* formatting is a convenience */
  }
  return file;
}

/** Machine facts recorded with every result. */
export function machine(): Record<string, unknown> {
  const cpus = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpus)?.[1];
  const cores = (cpus.match(/^processor\s*:/gm) ?? []).length;
  const mem = /MemTotal:\s*(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
  return {
    cpuModel: model,
    cores,
    memTotalGiB: mem ? round(Number(mem) / 1048576, 1) : undefined,
    node: process.version,
    gcExposed: typeof globalThis.gc === 'function',
    // other work on the machine during the run skews the figures: the load when the results were written
    loadAverage: loadavg().map((x) => round(x)),
  };
}

/** Forces a full GC when node runs with --expose-gc; returns whether it could. */
export async function fullGc(): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(50);
  }
  return true;
}

export function log(msg: string): void {
  const t = new Date().toISOString().slice(11, 19);
  console.log(`[${t}] ${msg}`);
}

/** Reads kube-apiserver's request counters (apiserver_request_total) as `VERB resource[/sub]` → count. */
export async function apiserverRequests(
  kc: import('@kubernetes/client-node').KubeConfig,
): Promise<Map<string, number>> {
  const { request } = await import('node:https');
  const server = kc.getCurrentCluster()!.server;
  const opts: import('node:https').RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(`${server}/metrics`, { ...opts, method: 'GET' }, (r) => {
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
  const out = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    const res = labels.resource
      ? `${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`
      : '(non-resource)';
    const key = `${labels.verb} ${res}`;
    out.set(key, (out.get(key) ?? 0) + value);
  }
  return out;
}

/** The difference of two apiserverRequests() readings, largest first, without zeroes. */
export function requestDelta(a: Map<string, number>, b: Map<string, number>): Record<string, number> {
  const d: [string, number][] = [];
  for (const [k, v] of b) {
    const x = v - (a.get(k) ?? 0);
    if (x > 0) d.push([k, x]);
  }
  d.sort((p, q) => q[1] - p[1]);
  return Object.fromEntries(d);
}

export const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
