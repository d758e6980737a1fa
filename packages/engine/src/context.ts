import type { ChartCache, Helm } from '@mooring/helm';
import type { Inventory, KubeConfig, ReleaseStore, WatchCache } from '@mooring/kube';
import type { ArgoCdEngine } from './argocd/engine.ts';
import type { EnginePolicy } from './engines.ts';
import type { HealthSource } from './health.ts';

/** Everything the engine needs to act on one cluster. All I/O goes through these. */
export interface EngineContext {
  /** The cluster's name (ImportCluster metadata.name); labels what Mooring manages. */
  cluster: string;
  kc: KubeConfig;
  helm: Helm;
  charts: ChartCache;
  releases: ReleaseStore;
  inventory: Inventory;
  /** Decrypts SOPS-encrypted text in memory. */
  decrypt?: (text: string) => Promise<string>;
  /** Credentials by `credential_name`, for chart registries. */
  credentials?: (name: string) => { username: string; password: string } | { token: string } | undefined;
  /** A shared watch cache of live objects for health waits; without one, objects are read from the API. */
  objects?: WatchCache;
  /** The cluster's Argo CD, for add-ons with `settings.engine: argocd`; without it they are refused. */
  argocd?: ArgoCdEngine;
  /** The cluster's engine choices (default engine, migrated add-ons); without one, each file's `settings.engine` decides. */
  engines?: EnginePolicy;
  now?: () => number;
}

/** Labels Mooring puts on what it manages (release storage Secrets, applied objects, inventories). */
export const LABEL_CLUSTER = 'mooring.dev/cluster';
export const LABEL_STACK = 'mooring.dev/stack';
export const LABEL_MEMBER = 'mooring.dev/member';
export const LABEL_HASH = 'mooring.dev/hash';

/** The content hash as stored in a label (label values are at most 63 characters). */
export function hashLabel(hash: string): string {
  return hash.replace(/^sha256:/, '').slice(0, 40);
}

/** Where health waits read live objects: the shared cache when there is one. */
export function healthSource(ctx: EngineContext): HealthSource {
  return ctx.objects ? { cache: ctx.objects } : { kc: ctx.kc };
}
