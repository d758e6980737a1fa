import type { HelmReleaseStatus } from '@mooring/core';

/** Helm's release statuses (helm.sh/helm/v4 release/common Status). */
export type ReleaseStatus = HelmReleaseStatus;

export interface ReleaseSummary {
  name: string;
  namespace: string;
  revision: number;
  status: ReleaseStatus;
  chart: string;
  appVersion?: string;
  updated?: string;
}

export interface HistoryEntry {
  revision: number;
  status: ReleaseStatus;
  chart: string;
  appVersion?: string;
  description: string;
  updated?: string;
}

export type ServerSide = 'true' | 'false' | 'auto';

/** Helm 4's --wait strategies. */
export type WaitStrategy = 'watcher' | 'hookOnly' | 'legacy';

export interface UpgradeOptions {
  release: string;
  namespace: string;
  /** Local chart archive or directory (resolved through ChartCache). */
  chartPath: string;
  /** Values as YAML text, passed on stdin, never as a file or argument. */
  values?: string;
  createNamespace?: boolean;
  /** --rollback-on-failure (Helm 4's name for --atomic); implies waiting. */
  rollbackOnFailure?: boolean;
  /**
   * What helm waits for: `watcher` (resources ready, kstatus), `hookOnly` (hooks
   * only), `legacy`; `true` means `watcher`. With rollbackOnFailure and no
   * strategy, helm waits with `watcher`.
   */
  wait?: boolean | WaitStrategy;
  /** Skip validating rendered objects against the cluster's OpenAPI schema (server-side apply validates them anyway). */
  disableOpenapiValidation?: boolean;
  takeOwnership?: boolean;
  historyMax?: number;
  /** Helm's --timeout, e.g. "5m0s" or milliseconds. */
  timeoutMs?: number;
  serverSide?: ServerSide;
  forceReplace?: boolean;
  /** With server-side apply, take fields that another field manager owns (`--force-conflicts`). */
  forceConflicts?: boolean;
  description?: string;
  /** Labels on the release's storage Secret (`--labels`), readable without decoding the release. */
  labels?: Record<string, string>;
}
