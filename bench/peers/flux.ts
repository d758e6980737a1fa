// Flux (helm-controller and source-controller) beside the kit's cluster, for the peers benchmark:
// their CRDs from the Go module cache, both controllers as plain processes out of cluster with the
// kit's KUBECONFIG, source-controller's artifact storage served on loopback, metrics and health on
// free loopback ports; stopped by PID. The binaries come from bench/peers/build-flux.sh.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KitInfo } from '@mooring/testkit';
import {
  binaryPath,
  binCache,
  freePort,
  installExitHooks,
  ManagedProcess,
  waitUntil,
} from '@mooring/testkit';

export const FLUX_VERSIONS = { helmController: 'v1.6.4', sourceController: 'v1.9.6' } as const;

export const fluxBinary = (name: 'helm-controller' | 'source-controller') =>
  join(
    binCache(),
    `flux-${name}-${name === 'helm-controller' ? FLUX_VERSIONS.helmController : FLUX_VERSIONS.sourceController}`,
  );

/** The Flux binaries the cache lacks (empty when both are built). */
export function missingFluxBinaries(): string[] {
  return (['helm-controller', 'source-controller'] as const).map(fluxBinary).filter((p) => !existsSync(p));
}

/** `config/crd/bases` of a controller's module in the Go module cache (downloaded if absent). */
function crdDir(module: string, version: string): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `${module}@${version}`]).toString();
  const dir = (JSON.parse(out) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download ${module}@${version}: no module directory`);
  return join(dir, 'config', 'crd', 'bases');
}

function kubectl(kit: KitInfo, args: string[]): string {
  return execFileSync(binaryPath('kubectl'), args, {
    env: { ...process.env, ...kit.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();
}

/** Applies the CRDs of both controllers and waits until the three the benchmark uses are established. */
export function applyFluxCrds(kit: KitInfo): void {
  const dirs = [
    crdDir('github.com/fluxcd/source-controller', FLUX_VERSIONS.sourceController),
    crdDir('github.com/fluxcd/helm-controller', FLUX_VERSIONS.helmController),
  ];
  kubectl(kit, ['apply', '--server-side', '--force-conflicts', ...dirs.flatMap((d) => ['-f', d])]);
  kubectl(kit, [
    'wait',
    '--for',
    'condition=established',
    '--timeout=60s',
    'crd/helmreleases.helm.toolkit.fluxcd.io',
    'crd/helmrepositories.source.toolkit.fluxcd.io',
    'crd/helmcharts.source.toolkit.fluxcd.io',
  ]);
}

export interface FluxController {
  name: string;
  process: ManagedProcess;
  pid: number;
  stop(): Promise<void>;
}

async function healthy(url: string): Promise<boolean> {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await r.body?.cancel();
  return r.ok;
}

/** Starts one controller and waits until /readyz answers and the named controllers' workers started. */
async function startController(
  kit: KitInfo,
  name: string,
  binary: string,
  args: string[],
  workers: string[],
): Promise<FluxController> {
  installExitHooks();
  if (!kit.kubeconfig) throw new Error('Flux needs the kit started with kubernetes');
  const work = join(kit.workDir, name);
  for (const d of ['home', 'tmp']) mkdirSync(join(work, d), { recursive: true });
  const [metrics, health] = [await freePort(), await freePort()];
  const proc = new ManagedProcess({
    name,
    command: binary,
    // --kubeconfig is not read by these programs (it is registered on Go's flag set, they parse
    // pflag): the kubeconfig comes from KUBECONFIG
    args: [
      '--enable-leader-election=false',
      `--metrics-addr=127.0.0.1:${metrics}`,
      `--health-addr=127.0.0.1:${health}`,
      '--log-level=info',
      ...args,
    ],
    env: { KUBECONFIG: kit.kubeconfig, HOME: join(work, 'home'), TMPDIR: join(work, 'tmp') },
    logDir: kit.logDir,
  });
  await waitUntil(proc, 'ready', () => healthy(`http://127.0.0.1:${health}/readyz`), 120_000);
  // /readyz answers before the informer caches sync: wait for the workers too
  await waitUntil(
    proc,
    `workers of ${workers.join(', ')}`,
    async () => {
      const text = readFileSync(proc.logFile, 'utf8');
      return workers.every((w) => new RegExp(`Starting workers[^\\n]*"controller":"${w}"`).test(text));
    },
    120_000,
  );
  return { name, process: proc, pid: proc.pid!, stop: () => proc.stop() };
}

/** source-controller with its artifact storage in the kit's work directory, served on loopback. */
export async function startSourceController(kit: KitInfo): Promise<FluxController> {
  const storage = join(kit.workDir, 'flux-storage');
  mkdirSync(storage, { recursive: true });
  const port = await freePort();
  return startController(
    kit,
    'source-controller',
    fluxBinary('source-controller'),
    [`--storage-path=${storage}`, `--storage-addr=127.0.0.1:${port}`, `--storage-adv-addr=127.0.0.1:${port}`],
    ['helmrepository', 'helmchart'],
  );
}

/**
 * helm-controller at `concurrent` workers (its default is 4). `labelSelector` limits it to the
 * HelmReleases with that label (--watch-label-selector), so runs of the benchmark do not mix.
 */
export async function startHelmController(
  kit: KitInfo,
  opts: { concurrent?: number; labelSelector?: string; name?: string } = {},
): Promise<FluxController> {
  const args: string[] = [];
  if (opts.concurrent) args.push(`--concurrent=${opts.concurrent}`);
  if (opts.labelSelector) args.push(`--watch-label-selector=${opts.labelSelector}`);
  return startController(kit, opts.name ?? 'helm-controller', fluxBinary('helm-controller'), args, [
    'helmrelease',
  ]);
}
