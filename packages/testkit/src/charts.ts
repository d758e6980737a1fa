import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath, SHARED_CHARTS, TESTKIT_ROOT } from './paths.ts';

/** A chart packaged for the kit: in the HTTP repository and pushed to the OCI registry. */
export interface PackagedChart {
  name: string;
  version: string;
}

const OWN_CHARTS = join(TESTKIT_ROOT, 'charts');

/** Charts the kit serves, with extra versions packaged from the same source for upgrade tests. */
export const KIT_CHARTS: { source: string; versions?: string[] }[] = [
  { source: join(SHARED_CHARTS, 'podinfo') },
  { source: join(OWN_CHARTS, 'crd-demo') },
  { source: join(OWN_CHARTS, 'failing-hook') },
  { source: join(OWN_CHARTS, 'slow-rollout'), versions: ['0.1.0', '0.2.0'] },
  { source: join(OWN_CHARTS, 'keep-pvc') },
];

function helm(args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(binaryPath('helm'), args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();
}

/**
 * Packages the kit's charts into `repoDir`, writes index.yaml for `repoUrl`, and
 * pushes every package to the OCI registry at `ociHost` under `charts/`.
 */
export function publishCharts(
  repoDir: string,
  repoUrl: string,
  ociHost: string | undefined,
  helmEnv: NodeJS.ProcessEnv,
): PackagedChart[] {
  mkdirSync(repoDir, { recursive: true });
  if (!existsSync(SHARED_CHARTS)) {
    throw new Error(
      `the upstream test charts are not at ${SHARED_CHARTS}: clone the repository beside shared/, or set MOORING_SHARED_DIR`,
    );
  }
  for (const c of KIT_CHARTS) {
    const versions = c.versions ?? [undefined];
    for (const v of versions) {
      helm(['package', c.source, '-d', repoDir, ...(v ? ['--version', v] : [])], helmEnv);
    }
  }
  helm(['repo', 'index', repoDir, '--url', repoUrl], helmEnv);
  const packaged: PackagedChart[] = [];
  for (const f of readdirSync(repoDir).filter((x) => x.endsWith('.tgz'))) {
    const m = /^(.*)-(\d+\.\d+\.\d+.*)\.tgz$/.exec(f);
    if (!m) continue;
    packaged.push({ name: m[1]!, version: m[2]! });
    if (ociHost) helm(['push', join(repoDir, f), `oci://${ociHost}/charts`, '--plain-http'], helmEnv);
  }
  return packaged;
}
