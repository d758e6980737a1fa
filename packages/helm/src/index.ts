export {
  CHART_FILE_LIMIT,
  type ChartFiles,
  type ChartMetadata,
  metadataOf,
  readChartFiles,
} from './chartArchive.ts';
export { ChartCache, type ChartCacheOptions, type ResolvedChart } from './chartCache.ts';
export { type ChartRef, isOci, ociLocation, ociScheme } from './chartRef.ts';
export { authorizationHeader, type Credentials } from './credentials.ts';
export {
  ChartNotFoundError,
  ChartSourceError,
  HelmError,
  HelmTimeoutError,
  RegistryAuthError,
  ReleaseLockedError,
  ReleaseNotFoundError,
} from './errors.ts';
export { Helm } from './helm.ts';
export { type HttpAnswer, type HttpRequestInit, httpFetch } from './http.ts';
export { HELM_INSTALL_HINT, HelmNotFoundError, locateHelm } from './locate.ts';
export { applyMirrors, type Mirror } from './mirrors.ts';
export {
  HELM_CHART_LAYER,
  listOciRepositories,
  listOciTags,
  ociManifestDigest,
  pullOciChart,
} from './oci.ts';
export { type IndexEntry, RepoIndexCache } from './repoIndex.ts';
export {
  downloadChartArchive,
  fetchRepoIndex,
  type RepoIndexFetch,
  type RepoIndexVersion,
} from './repoIndexFetch.ts';
export { HelmRunner, type HelmRunnerOptions, type RunOptions } from './runner.ts';
export type {
  HistoryEntry,
  ReleaseStatus,
  ReleaseSummary,
  ServerSide,
  UpgradeOptions,
  WaitStrategy,
} from './types.ts';
export { closestVersions, pickVersion, sortVersionsDesc } from './versions.ts';
