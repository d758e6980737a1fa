// Cluster definition (ImportCluster): loading, validation, plan. See README.md.

export { cronError, isValidTimeZone } from './cron.ts';
export type { Diagnostic, DiagnosticCode, Location, Severity } from './diagnostics.ts';
export {
  countBySeverity,
  DefinitionValidationError,
  DiagnosticSink,
  formatDiagnostic,
  hasErrors,
  sortDiagnostics,
} from './diagnostics.ts';
export type { FileSource } from './fileSource.ts';
export { InvalidRepoPathError, MemoryFileSource, normalizeRepoPath } from './fileSource.ts';
export { canonicalJson, hashInput, memberContentHash } from './hash.ts';
export type { LoadOptions, LoadResult } from './load.ts';
export { loadDefinition, loadDefinitionOrThrow, validateDefinition } from './load.ts';
export type {
  AddonMember,
  AddonSettings,
  AddonValues,
  AgentsMd,
  ApplicationEntry,
  ChartRef,
  ChartRegistry,
  ClusterDefinition,
  Duration,
  Engine,
  GitProvider,
  GitRepository,
  HelmRegistry,
  IgnoreDifference,
  JobConfiguration,
  KubeObject,
  LogSource,
  ManifestMember,
  Member,
  MemberKind,
  NamespaceMigrationStrategy,
  ParentKind,
  ParentRef,
  PrometheusMetrics,
  RetryPolicy,
  SourceRef,
  Stack,
  SyncPolicy,
  SyncWindow,
} from './model.ts';
export { memberId } from './model.ts';
export type {
  Plan,
  PlanLayer,
  PlanMember,
  PlanMember as PlanStep,
  PlanStack,
  PlanWave,
  PlanWave as Wave,
} from './plan.ts';
export { buildPlan, contentHashes, PlanCycleError, stackLayers } from './plan.ts';
export { DEFAULTS, ENGINE_ALIASES, parseDuration } from './schema.ts';
export { isSecretKey, isSopsEncryptedValue, parseEncryptedPath } from './secrets.ts';
export { sha256Hex } from './sha256.ts';
export { editDistance, suggest } from './suggest.ts';
export { substituteVariables } from './variables.ts';
