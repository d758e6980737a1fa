// The platform as a deployment runs it (`node packages/platform/src/main.ts`, a child process) on the
// test kit's PostgreSQL and an operator-mode nats-server, for the benchmarks that measure it from
// outside: the work directory, the start and the wait for /api/v1/health, the first owner's sign-in,
// API calls, the stop, the log's tail on a failure.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type AgentProcess,
  freePort,
  type KitInfo,
  type NatsOperatorServer,
  type PostgresServer,
  startAgentProcess,
} from '@mooring/testkit';
import { BENCH_DIR, sleep } from './lib.ts';

const PLATFORM_MAIN = resolve(BENCH_DIR, '../packages/platform/src/main.ts');

/** Settings for a platform that starts nothing by itself: no Git polls, no sweeps, no default registries. */
export const NOTHING_SCHEDULED = {
  MOORING_GIT_POLL_SECONDS: '86400',
  MOORING_SWEEP_INTERVAL_SECONDS: '86400',
  MOORING_DEFAULT_REGISTRIES: 'false',
};

/** A temporary work directory `mooring-bench-<name>-…` with `logs/` in it. */
export function benchWorkDir(name: string): string {
  const workDir = mkdtempSync(join(tmpdir(), `mooring-bench-${name}-`));
  // PostgreSQL runs as the postgres account under root: it must reach its directory
  chmodSync(workDir, 0o711);
  mkdirSync(join(workDir, 'logs'), { recursive: true });
  return workDir;
}

/** Kills (SIGKILL) the processes of `children` still running when this process exits. */
export function killOnExit(children: ChildProcess[]): void {
  process.once('exit', () => {
    for (const c of children) if (c.pid && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
}

export interface BenchPlatform {
  child: ChildProcess;
  pid: number;
  port: number;
  /** `http://127.0.0.1:PORT` */
  base: string;
  dataDir: string;
  /** Its stdout and stderr: `<workDir>/logs/platform.log`. */
  logFile: string;
}

/**
 * Starts the platform on `postgres` and `nats` (operator mode), data in `<workDir>/platform`, and waits
 * until it answers /api/v1/health (90 s at the most; its log in the error). `env` adds to or overrides
 * the settings; `cpuProf` is a directory for a V8 CPU profile written when it stops.
 */
export async function startPlatform(o: {
  workDir: string;
  postgres: PostgresServer;
  nats: NatsOperatorServer;
  logLevel: string;
  env?: Record<string, string>;
  cpuProf?: string;
  /** The child is added here as soon as it runs (see killOnExit). */
  children?: ChildProcess[];
}): Promise<BenchPlatform> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = join(o.workDir, 'platform');
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(o.workDir, 'logs', 'platform.log');
  const fd = openSync(logFile, 'a');
  const profArgs = o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resolve(o.cpuProf)}`] : [];
  const child = spawn(process.execPath, [...profArgs, PLATFORM_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      MOORING_DATA_DIR: dataDir,
      MOORING_DATABASE_URL: o.postgres.url,
      MOORING_LISTEN: '127.0.0.1',
      MOORING_PORT: String(port),
      MOORING_LOG_LEVEL: o.logLevel,
      MOORING_NATS_URL: o.nats.url,
      MOORING_NATS_ACCOUNT: o.nats.account.publicKey,
      MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED: o.nats.account.signingKeySeed,
      MOORING_NATS_SYSTEM_CREDS: o.nats.system.userCreds,
      ...o.env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  o.children?.push(child);
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`the platform exited:\n${readFileSync(logFile, 'utf8')}`);
      const ok = await fetch(`${base}/api/v1/health`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
      if (i > 360) throw new Error('the platform did not answer /api/v1/health within 90 s');
      await sleep(250);
    }
  } catch (e) {
    await stopPlatform(child);
    throw e;
  }
  return { child, pid: child.pid as number, port, base, dataDir, logFile };
}

/** One API call; the answer's status, its JSON body and its text. */
export async function platformApi<T>(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text };
}

/** A session token of `username`. */
export async function login(base: string, username: string, password: string): Promise<string> {
  const r = await platformApi<{ token: string }>(base, '', 'POST', '/auth/login', { username, password });
  if (r.status !== 200) throw new Error(`login: HTTP ${r.status}`);
  return r.body.token;
}

/** A session token of the first owner (`admin`, its password from the first start's credentials file). */
export function signInAsOwner(p: BenchPlatform): Promise<string> {
  const password = /^password: (.+)$/m.exec(
    readFileSync(join(p.dataDir, 'initial-admin-credentials.txt'), 'utf8'),
  )?.[1];
  return login(p.base, 'admin', password as string);
}

/** SIGTERM, and SIGKILL when it has not exited 15 s later. */
export async function stopPlatform(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<boolean>((r) => child.once('exit', () => r(true)));
  process.kill(child.pid, 'SIGTERM');
  const ok = await Promise.race([gone, sleep(15_000).then(() => false)]);
  if (!ok) process.kill(child.pid, 'SIGKILL');
}

/** Prints the last 30 lines of the platform's log in `workDir`, if there is one. */
export function printPlatformLogTail(workDir: string): void {
  try {
    const tail = readFileSync(join(workDir, 'logs', 'platform.log'), 'utf8')
      .split('\n')
      .slice(-30);
    console.error(`--- last lines of the platform's log ---\n${tail.join('\n')}`);
  } catch {
    /* no log */
  }
}

/**
 * The agent of `clusterId` as a process of its own (`node packages/agent/src/main.ts`), checked in
 * with its token at the platform `base`, against the kit's cluster; waits until the platform shows
 * the cluster online (2 min at the most; the agent's log in the error). Its log is
 * `<workDir>/logs/agent.log`; `cpuProf` is a directory for a V8 CPU profile written when it stops.
 */
export async function startCheckedInAgent(o: {
  kit: KitInfo;
  base: string;
  ownerToken: string;
  clusterId: string;
  agentToken: string;
  workDir: string;
  cpuProf?: string;
  /** More of the agent's settings (e.g. `POD_LOGS_HTTP2_ENABLED`). */
  env?: Record<string, string>;
}): Promise<AgentProcess> {
  const logFile = join(o.workDir, 'logs', 'agent.log');
  const agent = await startAgentProcess({
    env: {
      ...o.kit.env,
      MOORING_CLUSTER_ID: o.clusterId,
      MOORING_TOKEN: o.agentToken,
      MOORING_PLATFORM_URL: o.base,
      MOORING_KUBECONFIG: o.kit.kubeconfig,
      MOORING_HELM: o.kit.helm,
      MOORING_CHART_CACHE: mkdtempSync(join(o.workDir, 'charts-')),
      MOORING_RECONCILE_INTERVAL_SECONDS: '3600',
      MOORING_LOG_LEVEL: 'WARNING',
      ...o.env,
      ...(o.cpuProf ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(o.cpuProf)}` } : {}),
    },
    logFile,
  });
  for (let i = 0; ; i++) {
    const c = await platformApi<{ state: string }>(o.base, o.ownerToken, 'GET', `/clusters/${o.clusterId}`);
    if (c.body?.state === 'online') return agent;
    if (i > 240)
      throw new Error(
        `the agent did not come online within 2 min:\n${readFileSync(logFile, 'utf8').slice(-3000)}`,
      );
    await sleep(500);
  }
}
