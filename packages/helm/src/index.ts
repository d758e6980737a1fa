export { Helm } from './helm.ts';
export { HelmRunner, type HelmRunnerOptions, type RunOptions } from './runner.ts';
export { ChartCache, type ChartCacheOptions, type ResolvedChart } from './chartCache.ts';
export { RepoIndexCache, type IndexEntry } from './repoIndex.ts';
export { pullOciChart, HELM_CHART_LAYER } from './oci.ts';
export { type ChartRef, isOci, ociLocation, ociScheme } from './chartRef.ts';
export { type Credentials, authorizationHeader } from './credentials.ts';
export { applyMirrors, type Mirror } from './mirrors.ts';
export { redact } from './redact.ts';
export {
  HelmError,
  ReleaseNotFoundError,
  ReleaseLockedError,
  HelmTimeoutError,
  ChartNotFoundError,
  RegistryAuthError,
  ChartSourceError,
} from './errors.ts';
export type { ReleaseStatus, ReleaseSummary, HistoryEntry, UpgradeOptions, ServerSide } from './types.ts';
