import type { KubeConfig } from '@kubernetes/client-node';
import type { ChartCache, Helm } from '@mooring/helm';
import type { Inventory, ReleaseStore } from '@mooring/kube';

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
  /** Helm mirrors are configured on the ChartCache. */
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
