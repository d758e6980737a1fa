/**
 * The typed, normalised cluster definition that `loadDefinition` returns when
 * a definition has no errors. Defaults are applied, engine aliases are
 * normalised, every member carries the file and line it came from.
 */

/** Where an element of the model was defined (repository-relative file, 1-based). */
export interface SourceRef {
  file: string;
  line: number;
  column: number;
  /** Field path, e.g. `spec.stacks[0].addons[1]`. */
  path: string;
}

/** `github | bitbucket_cloud | bitbucket_data_center` as documented; Mooring adds plain `git`. */
export type GitProvider = 'github' | 'bitbucket_cloud' | 'bitbucket_data_center' | 'git';

export interface GitRepository {
  provider: GitProvider;
  credentialName?: string;
  repository?: string;
  branch?: string;
  workspace?: string;
  repoSlug?: string;
  projectKey?: string;
  instanceUrl?: string;
}

export interface HelmRegistry {
  name: string;
  url: string;
  /** True for `oci://` URLs. */
  oci: boolean;
  credentialName?: string;
  excludeCharts: string[];
  source: SourceRef;
}

/** `native` drives Helm directly; `argocd` writes Argo CD Applications. (`ankra_native` / `argo_cd` are accepted aliases.) */
export type Engine = 'native' | 'argocd';

/** The two kinds of stack members. */
export type MemberKind = 'manifest' | 'addon';

/** What a parent may be: a member, or an application from the original platform's catalogue (never deployed by Mooring). */
export type ParentKind = MemberKind | 'application';

export interface ParentRef {
  kind: ParentKind;
  name: string;
}

/**
 * What happens to the old namespace when an add-on's `namespace` changes:
 * - `keep_data` (default): install in the new namespace, remove the old
 *   release and its objects, keep its PersistentVolumeClaims and report them;
 * - `delete_data`: the same, and delete those PersistentVolumeClaims;
 * - `leave_old`: install in the new namespace and leave the old release
 *   untouched (reported), for a manual cut-over.
 */
export type NamespaceMigrationStrategy = 'keep_data' | 'delete_data' | 'leave_old';

/** Operational notes in Markdown (`agents_md` / `agents_md_from_file`): shown, never deployed, never hashed. */
export interface AgentsMd {
  text: string;
  /** The file it came from, for `agents_md_from_file`. */
  file?: string;
}

/**
 * An entry of `stacks[].applications[]`: an application of the original
 * platform's catalogue. Mooring has no such catalogue: it validates and plans
 * the entry, warns that it is not deployed, and blocks members that name it as
 * a parent.
 */
export interface ApplicationEntry {
  kind: 'application';
  name: string;
  stack: string;
  platformApplicationId?: string;
  platformApplicationVersion?: string;
  namespace?: string;
  parameters: Record<string, unknown>;
  parents: ParentRef[];
  group?: string;
  source: SourceRef;
}

/** `spec.prometheus_metrics`: where the platform reads the cluster's metrics. Credentials never live in Git. */
export interface PrometheusMetrics {
  endpoint: string;
  credentialName?: string;
  flavor: 'self_hosted' | 'grafana_cloud' | 'victoria_metrics';
  verifySsl: boolean;
}

/** `spec.log_source`: where the platform reads the cluster's logs. Credentials never live in Git. */
export interface LogSource {
  provider: 'loki' | 'elasticsearch' | 'opensearch';
  endpoint: string;
  credentialName?: string;
  tenantId?: string;
  indexPattern?: string;
  fieldMappings: Record<string, string>;
  verifySsl: boolean;
}

/** A duration as written (`5s`, `3m`, `1h30m`) and in seconds. */
export interface Duration {
  text: string;
  seconds: number;
}

export interface SyncPolicy {
  automated: boolean;
  selfHeal: boolean;
  autoPrune: boolean;
  syncOptions: string[];
}

export interface RetryPolicy {
  /** 0-100 attempts. */
  limit: number;
  backoffDuration: Duration;
  /** 1-10. */
  backoffFactor: number;
  backoffMax: Duration;
}

export interface SyncWindow {
  enabled: boolean;
  /** Cron expression; present when enabled. */
  schedule?: string;
  duration?: Duration;
  /** IANA zone; `UTC` when not given. */
  timezone: string;
}

export interface IgnoreDifference {
  group?: string;
  kind: string;
  name?: string;
  namespace?: string;
  jsonPointers: string[];
  jqPathExpressions: string[];
  managedFieldsManagers: string[];
}

export interface AddonSettings {
  /** The engine: as written, else `native` (a cluster default, when the platform has one, replaces an unwritten engine). */
  engine: Engine;
  /** True when the file names the engine (`settings.engine`); false when `engine` is the default. */
  engineSet?: boolean;
  syncPolicy: SyncPolicy;
  retryPolicy: RetryPolicy;
  strictHealthCheck: boolean;
  /** 1-100, default 10. */
  revisionHistoryLimit: number;
  syncWindow?: SyncWindow;
  ignoreDifferences: IgnoreDifference[];
}

export interface JobConfiguration {
  readJobTimeout: Duration;
  updateJobTimeout: Duration;
  deleteJobTimeout: Duration;
}

export interface ChartRegistry {
  /** The registry name (`registry_name`), or derived from the URL for `repository_url`. */
  name: string;
  url: string;
  oci: boolean;
  credentialName?: string;
}

export interface ChartRef {
  name: string;
  /** Always a string (`"1.20"`, never the number 1.2). */
  version: string;
  registry: ChartRegistry;
  /** Where `chart_name` and `chart_version` are written (for reports about the chart in its registry). */
  nameSource?: SourceRef;
  versionSource?: SourceRef;
}

/** A Kubernetes object as parsed from YAML. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; generateName?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ManifestMember {
  kind: 'manifest';
  name: string;
  stack: string;
  namespace?: string;
  parents: ParentRef[];
  /** The content after variable substitution (all documents). */
  text: string;
  objects: KubeObject[];
  /** The file holding the content (`from_file` or an included file), if not inline. */
  contentFile?: string;
  encryptedPaths: string[];
  force: boolean;
  autoRemediate: boolean;
  /** Display only (at most 63 characters): never hashed, never a redeploy. */
  group?: string;
  agentsMd?: AgentsMd;
  /**
   * `dependencies_override`: when given, these are the member's dependencies
   * instead of `parents` (same forms; `[]` means none).
   */
  dependenciesOverride?: ParentRef[];
  source: SourceRef;
}

export interface AddonValues {
  /** Values YAML after variable substitution. */
  text: string;
  /** Parsed values; `{}` when none are given. */
  parsed: Record<string, unknown>;
  /** The `configuration.from_file` file, if any. */
  file?: string;
  /**
   * `configuration.values_files`: values files from other paths of the
   * repository, layered in order under the values above (Helm's `-f a -f b`;
   * the values above win). Absent when none are given.
   */
  layers?: { file: string; text: string; parsed: Record<string, unknown> }[];
}

export interface AddonMember {
  kind: 'addon';
  name: string;
  stack: string;
  /** The Helm release is named after the add-on and lives here. */
  namespace: string;
  chart: ChartRef;
  parents: ParentRef[];
  values: AddonValues;
  encryptedPaths: string[];
  settings: AddonSettings;
  jobConfiguration: JobConfiguration;
  /** True when the file said `configuration_type: standalone`. */
  standalone: boolean;
  /** Display only (at most 63 characters): never hashed, never a redeploy. */
  group?: string;
  agentsMd?: AgentsMd;
  namespaceMigrationStrategy: NamespaceMigrationStrategy;
  source: SourceRef;
}

export type Member = ManifestMember | AddonMember;

export interface Stack {
  name: string;
  description?: string;
  /** Integer >= 0; undefined means "not ordered" (see plan.ts). */
  deployWave?: number;
  variables: Record<string, string>;
  manifests: ManifestMember[];
  addons: AddonMember[];
  /** Catalogue applications: validated and planned, never deployed (see ApplicationEntry). */
  applications: ApplicationEntry[];
  source: SourceRef;
}

export interface ClusterDefinition {
  apiVersion: 'v1';
  kind: 'ImportCluster';
  name: string;
  description?: string;
  gitRepository?: GitRepository;
  helmRegistries: HelmRegistry[];
  stacks: Stack[];
  prometheusMetrics?: PrometheusMetrics;
  logSource?: LogSource;
  /** The main file (repository-relative). */
  file: string;
  /** Every file read while loading, sorted. */
  files: string[];
}

/** `manifest/NAME`, `addon/NAME` or `application/NAME`: unique across a definition. */
export function memberId(m: { kind: ParentKind; name: string }): string {
  return `${m.kind}/${m.name}`;
}
