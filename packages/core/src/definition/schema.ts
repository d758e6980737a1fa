/**
 * The format as data: known fields of every object (for "unknown field" and
 * "did you mean"), examples shown with missing fields, allowed values, name
 * rules, limits and defaults. See /FORMAT.md.
 */
import type { Duration, Engine, GitProvider } from './model.ts';

export const TOP_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec'] as const;
export const METADATA_FIELDS = ['name', 'description'] as const;
export const SPEC_FIELDS = [
  'git_repository',
  'helm_registries',
  'stacks',
  'prometheus_metrics',
  'log_source',
] as const;
export const PROMETHEUS_METRICS_FIELDS = ['endpoint', 'credential_name', 'flavor', 'verify_ssl'] as const;
export const PROMETHEUS_FLAVORS = ['self_hosted', 'grafana_cloud', 'victoria_metrics'] as const;
export const LOG_SOURCE_FIELDS = [
  'provider',
  'endpoint',
  'credential_name',
  'tenant_id',
  'index_pattern',
  'field_mappings',
  'verify_ssl',
] as const;
export const LOG_PROVIDERS = ['loki', 'elasticsearch', 'opensearch'] as const;
/** Keys refused by name in `prometheus_metrics` and `log_source`: credentials never live in Git. */
export const CREDENTIAL_KEYS = ['username', 'password', 'token', 'auth_scheme'] as const;
export const GIT_REPOSITORY_FIELDS = [
  'provider',
  'credential_name',
  'repository',
  'branch',
  'workspace',
  'repo_slug',
  'project_key',
  'instance_url',
] as const;
export const HELM_REGISTRY_FIELDS = ['name', 'url', 'credential_name', 'exclude_charts'] as const;
export const STACK_FIELDS = [
  'name',
  'description',
  'description_from_file',
  'deploy_wave',
  'variables',
  'manifests',
  'addons',
  'applications',
] as const;
export const APPLICATION_FIELDS = [
  'name',
  'platform_application_id',
  'platform_application_version',
  'namespace',
  'parameters',
  'parents',
  'group',
] as const;
export const MANIFEST_FIELDS = [
  'name',
  'from_file',
  'manifest',
  'manifest_base64',
  'namespace',
  'parents',
  'encrypted_paths',
  'force',
  'auto_remediate',
  'group',
  'agents_md',
  'agents_md_from_file',
  'dependencies_override',
] as const;
export const ADDON_FIELDS = [
  'name',
  'chart_name',
  'chart_version',
  'namespace',
  'registry_name',
  'registry_url',
  'repository_url',
  'registry_credential_name',
  'parents',
  'settings',
  'group',
  'job_configuration',
  'configuration',
  'configuration_type',
  'encrypted_paths',
  'agents_md',
  'agents_md_from_file',
  'namespace_migration_strategy',
] as const;
export const NAMESPACE_MIGRATION_STRATEGIES = ['keep_data', 'delete_data', 'leave_old'] as const;
/** `group`: a display label of at most 63 characters. */
export const GROUP_MAX = 63;
export const CONFIGURATION_FIELDS = [
  'values',
  'values_base64',
  'from_file',
  'values_files',
  'encrypted_paths',
  'configuration_type',
] as const;
export const JOB_CONFIGURATION_FIELDS = [
  'read_job_timeout',
  'update_job_timeout',
  'delete_job_timeout',
] as const;
export const INCLUDE_FIELDS = ['include'] as const;
export const PARENT_FIELDS = ['manifest', 'addon', 'application', 'name', 'kind'] as const;
export const SETTINGS_FIELDS = [
  'engine',
  'sync_policy',
  'retry_policy',
  'strict_health_check',
  'revision_history_limit',
  'sync_window',
  'ignore_differences',
] as const;
export const SYNC_POLICY_FIELDS = ['automated', 'self_heal', 'auto_prune', 'sync_options'] as const;
export const RETRY_POLICY_FIELDS = ['limit', 'backoff_duration', 'backoff_factor', 'backoff_max'] as const;
export const SYNC_WINDOW_FIELDS = ['enabled', 'schedule', 'duration', 'timezone'] as const;
export const IGNORE_DIFFERENCE_FIELDS = [
  'group',
  'kind',
  'name',
  'namespace',
  'json_pointers',
  'jq_path_expressions',
  'managed_fields_managers',
] as const;

/** Example values shown in "missing required field" messages. */
export const EXAMPLES: Readonly<Record<string, string>> = {
  apiVersion: 'apiVersion: v1',
  kind: 'kind: ImportCluster',
  metadata: 'metadata: { name: my-cluster }',
  'metadata.name': 'name: my-cluster',
  spec: 'spec: { stacks: [] }',
  'git_repository.provider': 'provider: github',
  'helm_registry.name': 'name: bitnami',
  'helm_registry.url': 'url: https://charts.bitnami.com/bitnami',
  'stack.name': 'name: logging',
  'manifest.name': 'name: namespace-logging',
  'manifest.content': 'from_file: manifests/namespace.yaml',
  'addon.name': 'name: fluent-bit',
  'addon.chart_name': 'chart_name: fluent-bit',
  'addon.chart_version': 'chart_version: "0.49.1"',
  'addon.namespace': 'namespace: fluent-bit',
  'addon.registry_name': 'registry_name: fluent',
  'addon.registry_url': 'registry_url: https://fluent.github.io/helm-charts',
  'addon.registry': 'registry_name: fluent + registry_url: https://fluent.github.io/helm-charts',
  'parent.kind': 'kind: manifest',
  'parent.name': 'name: namespace-logging',
  'sync_window.schedule': 'schedule: "0 22 * * *"',
  'sync_window.duration': 'duration: 4h',
  'ignore_difference.kind': 'kind: Deployment',
  'application.name': 'name: my-application',
  'prometheus_metrics.endpoint': 'endpoint: https://prometheus.example.com',
  'log_source.provider': 'provider: loki',
  'log_source.endpoint': 'endpoint: https://loki.example.com',
};

export const GIT_PROVIDERS: readonly GitProvider[] = [
  'github',
  'bitbucket_cloud',
  'bitbucket_data_center',
  'git',
];

/** Engine names as written in files → the engine Mooring runs. */
export const ENGINE_ALIASES: Readonly<Record<string, Engine>> = {
  native: 'native',
  argocd: 'argocd',
  ankra_native: 'native',
  argo_cd: 'argocd',
};

/** Lowercase RFC 1123 label: namespaces and add-on names (Helm release names). */
export const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const RFC1123_LABEL_MAX = 63;
/** Helm limits release names to 53 characters. */
export const ADDON_NAME_MAX = 53;
/** `metadata.name`: letters, digits, hyphens. */
export const CLUSTER_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;
/** Stack and manifest names: letters, digits, `-`, `_`, `.` (manifest names come from file names). */
export const MEMBER_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
export const MEMBER_NAME_MAX = 253;
/** Variable names used in `${{ ankra.NAME }}`. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export interface IntLimits {
  min: number;
  max: number;
}

export const LIMITS = {
  retryLimit: { min: 0, max: 100 },
  backoffFactor: { min: 1, max: 10 },
  revisionHistoryLimit: { min: 1, max: 100 },
  deployWave: { min: 0, max: Number.MAX_SAFE_INTEGER },
} as const satisfies Record<string, IntLimits>;

/**
 * Defaults applied when a setting is absent. Chosen to match what a Helm
 * user expects: automated sync with self-heal, no pruning unless asked, five
 * retries from 5s doubling up to 3m, ten revisions of history.
 */
export const DEFAULTS = {
  engine: 'native' as Engine,
  automated: true,
  selfHeal: true,
  autoPrune: false,
  retryLimit: 5,
  backoffDuration: '5s',
  backoffFactor: 2,
  backoffMax: '3m',
  strictHealthCheck: false,
  revisionHistoryLimit: 10,
  syncWindowTimezone: 'UTC',
  readJobTimeout: '5m',
  updateJobTimeout: '10m',
  deleteJobTimeout: '10m',
} as const;

const UNIT_SECONDS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses `500ms`, `30s`, `5m`, `4h`, `1d`, `1h30m`. Returns undefined for
 * anything else (a bare number is not a duration: write `30s`).
 */
export function parseDuration(text: string): Duration | undefined {
  const t = text.trim();
  if (!/^(\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/.test(t)) return undefined;
  let seconds = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) seconds += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  return { text: t, seconds: Math.round(seconds * 1000) / 1000 };
}

/** Keys whose literal values look like secrets (compared lowercase, without `_` and `-`, as a suffix). */
export const SECRET_KEY_SUFFIXES = [
  'password',
  'passwd',
  'passphrase',
  'token',
  'secret',
  'apikey',
  'privatekey',
  'clientsecret',
  'secretkey',
] as const;
