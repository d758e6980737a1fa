import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KitInfo } from './kit.ts';
import { argocdCrdsDir, binaryPath } from './paths.ts';
import { freePort } from './ports.ts';
import { installExitHooks, ManagedProcess, waitUntil } from './process.ts';

/** A running Argo CD beside the kit's cluster. */
export interface ArgoCd {
  /** The API server, plain HTTP on loopback (`http://127.0.0.1:PORT`). */
  url: string;
  /** The namespace of its Applications and config objects. */
  namespace: string;
  admin: { username: 'admin'; password: string };
  /** An admin session token (Bearer), fresh at start. */
  adminToken: string;
  /** The local account for Mooring declared in argocd-cm (`accounts.<name>: apiKey`) with a policy line. */
  mooringAccount: string;
  processes: ManagedProcess[];
  /** Resident memory now (MiB) of each process. */
  rssMiB(): Record<string, number>;
  stop(): Promise<void>;
}

export interface ArgoCdOptions {
  /** Namespace for Argo CD (default `argocd`). */
  namespace?: string;
  /** Where the logs go (default the kit's log dir, under `argocd/`). */
  logDir?: string;
}

function kubectl(kit: KitInfo, args: string[], input?: string): string {
  return execFileSync(binaryPath('kubectl'), args, {
    env: { ...process.env, ...kit.env },
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  }).toString();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ok(url: string): Promise<boolean> {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await r.body?.cancel();
  return r.ok;
}

/**
 * Starts a real Argo CD for a suite that needs one: its CRDs from the module's
 * `manifests/crds`, namespace, `argocd-cm` (with `accounts.mooring: apiKey`),
 * `argocd-rbac-cm` (`g, mooring, role:admin`), `argocd-secret` (admin password),
 * then redis, repo-server, application-controller and server as processes on
 * free loopback ports with `ARGOCD_FAKE_IN_CLUSTER=true` and the kit's kubeconfig.
 * Costs about 0.5 GiB of memory: start it once per test file and stop it in `afterAll`.
 */
export async function startArgoCd(kit: KitInfo, opts: ArgoCdOptions = {}): Promise<ArgoCd> {
  if (!kit.kubeconfig) throw new Error('Argo CD needs the kit started with kubernetes');
  installExitHooks();
  const namespace = opts.namespace ?? 'argocd';
  const work = join(kit.workDir, `argocd-${randomBytes(3).toString('hex')}`);
  const logDir = opts.logDir ?? join(kit.logDir, 'argocd');
  for (const d of ['tmp', 'tls', 'ssh', 'home', 'static', 'bin'])
    mkdirSync(join(work, d), { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const bin = binaryPath('argocd');

  // CRDs and config objects
  const crds = readdirSync(argocdCrdsDir()).filter((f) => f.endsWith('.yaml'));
  kubectl(kit, [
    'apply',
    '--server-side',
    '--force-conflicts',
    ...crds.flatMap((f) => ['-f', join(argocdCrdsDir(), f)]),
  ]);
  // `kubectl wait` fails while a new CRD has no conditions yet: poll for Established
  for (const crd of ['applications.argoproj.io', 'appprojects.argoproj.io']) {
    await waitUntil(undefined, `CRD ${crd} established`, async () =>
      kubectl(kit, [
        'get',
        'crd',
        crd,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Established")].status}',
      ]).includes('True'),
    );
  }
  const password = randomBytes(12).toString('base64url');
  const hash = execFileSync(bin, ['account', 'bcrypt', '--password', password], {
    env: { ...process.env, HOME: join(work, 'home') },
  })
    .toString()
    .trim();
  const labels = (name: string) => ({
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': 'argocd',
  });
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-cm', namespace, labels: labels('argocd-cm') },
      data: { 'accounts.mooring': 'apiKey', 'timeout.reconciliation': '180s' },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-rbac-cm', namespace, labels: labels('argocd-rbac-cm') },
      data: { 'policy.csv': 'g, mooring, role:admin\n' },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'argocd-secret', namespace, labels: labels('argocd-secret') },
      type: 'Opaque',
      stringData: {
        'server.secretkey': randomBytes(32).toString('base64'),
        'admin.password': hash,
        'admin.passwordMtime': new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    },
  ];
  kubectl(
    kit,
    ['apply', '--server-side', '--force-conflicts', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
  );

  const [redisPort, repoPort, repoMetrics, ctrlMetrics, serverPort, serverMetrics] = await uniquePorts(6);
  const processes: ManagedProcess[] = [];
  const stop = async () => {
    for (const p of [...processes].reverse()) await p.stop(10_000);
  };
  try {
    const common = {
      PATH: `${kit.binDir}:${process.env.PATH ?? ''}`,
      HOME: join(work, 'home'),
      TMPDIR: join(work, 'tmp'),
      ARGOCD_GPG_ENABLED: 'false',
      ARGOCD_TLS_DATA_PATH: join(work, 'tls'),
      ARGOCD_SSH_DATA_PATH: join(work, 'ssh'),
      ARGOCD_ASK_PASS_SOCK: join(work, 'askpass.sock'),
      HELM_CACHE_HOME: join(work, 'helm', 'cache'),
      HELM_CONFIG_HOME: join(work, 'helm', 'config'),
      HELM_DATA_HOME: join(work, 'helm', 'data'),
    };
    const inCluster = { ARGOCD_FAKE_IN_CLUSTER: 'true', KUBECONFIG: kit.kubeconfig };
    const redis = new ManagedProcess({
      name: 'argocd-redis',
      command: 'redis-server',
      args: ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no'],
      logDir,
      cwd: work,
    });
    processes.push(redis);
    const redisAddr = `127.0.0.1:${redisPort}`;
    const repo = new ManagedProcess({
      name: 'argocd-repo-server',
      command: bin,
      args: [
        '--address',
        '127.0.0.1',
        '--port',
        String(repoPort),
        '--metrics-port',
        String(repoMetrics),
        '--redis',
        redisAddr,
      ],
      env: { ...common, ARGOCD_BINARY_NAME: 'argocd-repo-server' },
      logDir,
      cwd: work,
    });
    processes.push(repo);
    const repoAddr = `127.0.0.1:${repoPort}`;
    const controller = new ManagedProcess({
      name: 'argocd-application-controller',
      command: bin,
      args: [
        '--kubeconfig',
        kit.kubeconfig,
        '--namespace',
        namespace,
        '--redis',
        redisAddr,
        '--repo-server',
        repoAddr,
        '--metrics-port',
        String(ctrlMetrics),
      ],
      env: { ...common, ...inCluster, ARGOCD_BINARY_NAME: 'argocd-application-controller' },
      logDir,
      cwd: work,
    });
    processes.push(controller);
    const server = new ManagedProcess({
      name: 'argocd-server',
      command: bin,
      args: [
        '--kubeconfig',
        kit.kubeconfig,
        '--namespace',
        namespace,
        '--insecure',
        '--address',
        '127.0.0.1',
        '--port',
        String(serverPort),
        '--metrics-port',
        String(serverMetrics),
        '--staticassets',
        join(work, 'static'),
        '--redis',
        redisAddr,
        '--repo-server',
        repoAddr,
      ],
      env: { ...common, ...inCluster, ARGOCD_BINARY_NAME: 'argocd-server' },
      logDir,
      cwd: work,
    });
    processes.push(server);
    await waitUntil(repo, 'the repo-server metrics endpoint', () =>
      ok(`http://127.0.0.1:${repoMetrics}/metrics`),
    );
    await waitUntil(controller, 'the controller /healthz', () =>
      ok(`http://127.0.0.1:${ctrlMetrics}/healthz`),
    );
    const url = `http://127.0.0.1:${serverPort}`;
    await waitUntil(server, 'the server /healthz', () => ok(`${url}/healthz`));
    let adminToken = '';
    await waitUntil(server, 'an admin session', async () => {
      const r = await fetch(`${url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      if (!r.ok) return false;
      adminToken = ((await r.json()) as { token: string }).token;
      return !!adminToken;
    });
    return {
      url,
      namespace,
      admin: { username: 'admin', password },
      adminToken,
      mooringAccount: 'mooring',
      processes,
      rssMiB: () =>
        Object.fromEntries(processes.map((p) => [p.name, Math.round(currentRssKiB(p.pid) / 1024)])),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function uniquePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) {
    out.add(await freePort());
    if (out.size < n) await sleep(1);
  }
  return [...out];
}

function currentRssKiB(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
