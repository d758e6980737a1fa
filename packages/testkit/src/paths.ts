import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSIONS } from './versions.ts';

export const TESTKIT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(TESTKIT_ROOT, '..', '..');
/** Upstream charts for tests: `../shared/charts` beside the repository, or `$MOORING_SHARED_DIR/charts`. */
export const SHARED_CHARTS = resolve(
  process.env.MOORING_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared'),
  'charts',
);

export function binCache(): string {
  return process.env.MOORING_BIN_CACHE ?? join(homedir(), '.cache', 'mooring', 'bin');
}

export type BinaryName =
  | 'etcd'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kubectl'
  | 'kwok'
  | 'helm'
  | 'sops'
  | 'nats-server'
  | 'argocd';

export function binaryPath(name: BinaryName): string {
  const version =
    name === 'etcd'
      ? VERSIONS.etcd
      : name === 'kwok'
        ? VERSIONS.kwok
        : name === 'helm'
          ? VERSIONS.helm
          : name === 'sops'
            ? VERSIONS.sops
            : name === 'nats-server'
              ? VERSIONS.nats
              : name === 'argocd'
                ? VERSIONS.argocd
                : VERSIONS.kubernetes;
  return join(binCache(), `${name}-${version}`);
}

export function kwokStagesDir(): string {
  return join(binCache(), `kwok-${VERSIONS.kwok}-stages`);
}

/** Argo CD's CRDs (`manifests/crds` of its module), kept beside its binary. */
export function argocdCrdsDir(): string {
  return join(binCache(), `argocd-${VERSIONS.argocd}-crds`);
}

export const ALL_BINARIES: BinaryName[] = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
  'kwok',
  'helm',
  'sops',
  'nats-server',
  'argocd',
];

/** Binaries not in the cache yet (kwok counts as missing while its stage files are). */
export function missingBinaries(): BinaryName[] {
  return ALL_BINARIES.filter(
    (b) =>
      !existsSync(binaryPath(b)) ||
      (b === 'kwok' && !existsSync(kwokStagesDir())) ||
      (b === 'argocd' && !existsSync(argocdCrdsDir())),
  );
}
