import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PackagedChart, publishCharts } from './charts.ts';
import { startControlPlane } from './controlplane.ts';
import { startGitServer } from './gitserver.ts';
import { startNats } from './nats.ts';
import { binaryPath, REPO_ROOT } from './paths.ts';
import { startPostgres } from './postgres.ts';
import { installExitHooks, type ManagedProcess } from './process.ts';
import { startRegistry } from './registry.ts';
import { serveDirectory } from './staticserver.ts';

export type KitService = 'kubernetes' | 'nats' | 'postgres' | 'registry' | 'git' | 'charts';
export const ALL_SERVICES: KitService[] = ['kubernetes', 'nats', 'postgres', 'registry', 'git', 'charts'];

/** Plain data describing a running kit: safe to pass to test workers (vitest `provide`). */
export interface KitInfo {
  workDir: string;
  logDir: string;
  /** Directory holding helm, sops and kubectl; prepend to PATH. */
  binDir: string;
  helm: string;
  sops: string;
  /** Environment for helm/sops/kubectl-like programs: KUBECONFIG, HELM_* dirs, SOPS_AGE_KEY_FILE. */
  env: Record<string, string>;
  kubeconfig?: string;
  apiServer?: string;
  natsUrl?: string;
  postgresUrl?: string;
  ociHost?: string;
  chartRepoUrl?: string;
  charts?: PackagedChart[];
  gitUrl?: string;
  gitRoot?: string;
  ageKeyFile: string;
  agePublicKey: string;
  timings: Record<string, number>;
}

export interface Kit {
  info: KitInfo;
  /** Peak resident memory (MiB) of each control-plane process so far. */
  controlPlanePeakMiB(): Record<string, number>;
  /** The process ID of each running control-plane process (etcd, kube-apiserver, kwok...). */
  controlPlanePids(): Record<string, number>;
  stop(opts?: { keepLogs?: boolean }): Promise<void>;
}

/** Starts the requested services, each on free ports in its own work directory. */
export async function startKit(services: KitService[] = ALL_SERVICES): Promise<Kit> {
  installExitHooks();
  const workDir = mkdtempSync(join(tmpdir(), 'mooring-kit-'));
  // traversable (not listable) by others: PostgreSQL runs as its own account
  chmodSync(workDir, 0o711);
  const logDir = join(workDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  let controlPlane: ManagedProcess[] = [];
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const r = await fn();
    timings[name] = Date.now() - t;
    return r;
  };

  const binDir = join(workDir, 'bin');
  mkdirSync(binDir);
  symlinkSync(binaryPath('helm'), join(binDir, 'helm'));
  symlinkSync(binaryPath('sops'), join(binDir, 'sops'));
  symlinkSync(binaryPath('kubectl'), join(binDir, 'kubectl'));
  const ageKeyFile = join(workDir, 'age.key');
  execFileSync('age-keygen', ['-o', ageKeyFile], { stdio: 'ignore' });
  const agePublicKey = /# public key: (\S+)/.exec(readFileSync(ageKeyFile, 'utf8'))?.[1] ?? '';
  const env: Record<string, string> = {
    HELM_CACHE_HOME: join(workDir, 'helm', 'cache'),
    HELM_CONFIG_HOME: join(workDir, 'helm', 'config'),
    HELM_DATA_HOME: join(workDir, 'helm', 'data'),
    SOPS_AGE_KEY_FILE: ageKeyFile,
  };
  const info: KitInfo = {
    workDir,
    logDir,
    binDir,
    helm: join(binDir, 'helm'),
    sops: join(binDir, 'sops'),
    env,
    ageKeyFile,
    agePublicKey,
    timings,
  };
  const stop = async (opts: { keepLogs?: boolean } = {}) => {
    for (const s of stops.reverse()) {
      try {
        await s();
      } catch {
        /* keep stopping the rest */
      }
    }
    if (opts.keepLogs !== false) keepLogs(logDir);
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const jobs: Promise<unknown>[] = [];
    if (services.includes('kubernetes')) {
      jobs.push(
        timed('kubernetes', async () => {
          const cp = await startControlPlane({ workDir: join(workDir, 'kube') });
          stops.push(cp.stop);
          controlPlane = cp.processes;
          info.kubeconfig = cp.kubeconfig;
          info.apiServer = cp.server;
          env.KUBECONFIG = cp.kubeconfig;
        }),
      );
    }
    if (services.includes('nats')) {
      jobs.push(
        timed('nats', async () => {
          const n = await startNats(workDir);
          stops.push(n.stop);
          info.natsUrl = n.url;
        }),
      );
    }
    if (services.includes('postgres')) {
      jobs.push(
        timed('postgres', async () => {
          const p = await startPostgres(workDir);
          stops.push(p.stop);
          info.postgresUrl = p.url;
        }),
      );
    }
    if (services.includes('git')) {
      jobs.push(
        timed('git', async () => {
          const g = await startGitServer(workDir);
          stops.push(g.stop);
          info.gitUrl = g.url;
          info.gitRoot = g.root;
        }),
      );
    }
    const charts = services.includes('charts');
    if (services.includes('registry') || charts) {
      jobs.push(
        timed('registry+charts', async () => {
          const reg = services.includes('registry') ? await startRegistry(workDir) : undefined;
          if (reg) {
            stops.push(reg.stop);
            info.ociHost = reg.host;
          }
          if (charts) {
            const repoDir = join(workDir, 'chart-repo');
            mkdirSync(repoDir);
            const srv = await serveDirectory(repoDir);
            stops.push(srv.stop);
            info.chartRepoUrl = srv.url;
            info.charts = publishCharts(repoDir, srv.url, reg?.host, env);
          }
        }),
      );
    }
    const results = await Promise.allSettled(jobs);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed && failed.status === 'rejected') throw failed.reason;
  } catch (err) {
    await stop({ keepLogs: true });
    throw err;
  }
  const controlPlanePeakMiB = () =>
    Object.fromEntries(controlPlane.map((p) => [p.name, Math.round((p.peakRssBytes() ?? 0) / 1048576)]));
  const controlPlanePids = () =>
    Object.fromEntries(
      controlPlane.flatMap((p) => (p.pid === undefined ? [] : [[p.name, p.pid] as [string, number]])),
    );
  return { info, stop, controlPlanePeakMiB, controlPlanePids };
}

/** Copies the logs of a run to .mooring/test-logs/ in the repository (the last five runs are kept). */
function keepLogs(logDir: string): void {
  try {
    const base = join(REPO_ROOT, '.mooring', 'test-logs');
    mkdirSync(base, { recursive: true });
    cpSync(logDir, join(base, new Date().toISOString().replace(/[:.]/g, '-')), { recursive: true });
    const runs = readdirSync(base).sort();
    for (const old of runs.slice(0, Math.max(0, runs.length - 5)))
      rmSync(join(base, old), { recursive: true, force: true });
  } catch {
    /* logs are a convenience */
  }
}
