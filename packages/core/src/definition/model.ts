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

export interface ParentRef {
  kind: MemberKind;
  name: string;
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
  engine: Engine;
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
  group?: string;
  source: SourceRef;
}

export interface AddonValues {
  /** Values YAML after variable substitution. */
  text: string;
  /** Parsed values; `{}` when none are given. */
  parsed: Record<string, unknown>;
  /** The `configuration.from_file` file, if any. */
  file?: string;
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
  group?: string;
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
  /** The main file (repository-relative). */
  file: string;
  /** Every file read while loading, sorted. */
  files: string[];
}

/** `manifest/NAME` or `addon/NAME`: unique across a definition. */
export function memberId(m: { kind: MemberKind; name: string }): string {
  return `${m.kind}/${m.name}`;
}
