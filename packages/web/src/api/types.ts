/** The platform's answers, as the UI reads them (see packages/platform/README.md). */

export type Role = 'viewer' | 'operator' | 'admin' | 'owner';
export type Scope = 'read' | 'write' | 'admin';

export interface Page<T> {
  items: T[];
  page: number;
  page_size: number;
  total: number;
}

export interface User {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  created_at: string;
}

export interface Me {
  user: User;
  role: Role;
  scopes: Scope[];
}

export interface LoginAnswer {
  token: string;
  expires_at: string;
  user: User;
}

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

export interface Cluster {
  id: string;
  name: string;
  description: string;
  state: 'online' | 'offline';
  agent_version: string | null;
  kubernetes_version: string | null;
  node_count: number | null;
  region: string | null;
  last_check_in: string | null;
  definition_path: string;
  created_at: string;
  updated_at: string;
}

export interface Diagnostic {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  path: string;
  code: string;
  message: string;
  hint?: string;
}

export interface ImportAnswer {
  cluster: Cluster;
  warnings: Diagnostic[];
  agent_token: string;
  install_command: string;
}

export interface AgentTokenAnswer {
  agent_token: string;
  install_command: string;
}

export interface Addon {
  name: string;
  kind: 'addon' | 'manifest';
  chart: string | null;
  version: string | null;
  namespace: string | null;
  stack: string;
  state: string;
  health: string;
  engine: string;
  revision: number | null;
  message: string;
  last_updated: string | null;
  last_inspected: string | null;
  in_definition: boolean;
}

export type OperationState = 'pending' | 'running' | 'success' | 'failed' | 'cancelled' | 'timeout';

export interface Operation {
  id: string;
  cluster_id: string;
  type: string;
  state: OperationState;
  message: string;
  created_by: string;
  retry_of: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface OperationStep {
  id: string;
  position: number;
  name: string;
  kind: string;
  state: OperationState;
  message: string;
  sends: number;
  started_at: string | null;
  finished_at: string | null;
}

export interface OperationDetail extends Operation {
  steps: OperationStep[];
}

export interface SyncError {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  path?: string;
  hint?: string;
}

export interface GitopsStatus {
  cluster_id: string;
  status: 'Synced' | 'Syncing' | 'Error' | 'NotConfigured';
  phase: 'Fetching' | 'Validating' | 'Applying' | 'Completed' | null;
  message: string;
  retry_count: number;
  repository: {
    id: string;
    provider: string;
    url: string;
    full_name: string;
    branch: string;
    path: string;
    credential_name: string | null;
    head_commit: string | null;
    polled_at: string | null;
  } | null;
  commits: { syncing: string | null; pending: string | null; synced: string | null };
  observed: {
    provider: string;
    url: string;
    branch: string;
    path: string;
    commit: string;
    commit_url: string | null;
  } | null;
  warnings: string[];
  updated_at: string;
}

export interface SyncRun {
  id: string;
  status: 'success' | 'failed' | 'running';
  source: 'webhook' | 'poll' | 'manual';
  phase: string;
  message: string;
  commit_sha: string | null;
  commit_url: string | null;
  repository_url: string | null;
  branch: string | null;
  started_at: string;
  finished_at: string | null;
  triggered_by: string;
  triggered_by_kind: 'user' | 'token' | 'provider';
  retry_count: number;
  error_count: number;
  errors: SyncError[];
  changed_members: string[];
  operation_id: string | null;
}

export interface DriftedObject {
  ref: string;
  missing: boolean;
  fields: string[];
  text?: string;
}

export interface StackMember {
  id: string;
  kind: 'addon' | 'manifest';
  name: string;
  namespace: string | null;
  chart: string | null;
  version: string | null;
  parents: string[];
  layer: number;
  state: string;
  health: string;
  message: string;
}

export interface StacksAnswer {
  waves: {
    wave: number | null;
    stacks: { name: string; deploy_wave: number | null; applications: string[]; members: StackMember[] }[];
  }[];
  member_count: number;
}

export interface HelmRevision {
  revision: number;
  status: string;
  chart: string;
  chart_version: string;
  app_version?: string;
  updated?: string;
  description?: string;
}

export interface AddonEvent {
  type: string;
  reason: string;
  message: string;
  object: string;
  count: number;
  last_seen: string;
}

export interface ResourceNode {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  health: string;
  message?: string;
  children: ResourceNode[];
}

export interface AddonDetail extends Addon {
  drifted_objects: number | null;
  drift: DriftedObject[];
  registry: string | null;
  values: unknown;
  encrypted_paths: string[];
  history: HelmRevision[] | null;
  events: AddonEvent[] | null;
  tree: ResourceNode[] | null;
  live_errors: string[];
}

export interface AcceptDrift {
  changes: {
    object: string;
    field: string;
    git: unknown;
    cluster: unknown;
    managers: string[];
    values_path: string | null;
  }[];
  values: Record<string, unknown>;
  patch: string;
  file: string | null;
}

export type GrantRole = 'view' | 'edit' | 'admin' | 'cluster-admin';

export interface Grant {
  cluster_id: string;
  user_id: string;
  username: string;
  role: GrantRole;
  namespace: string | null;
  created_by: string;
  updated_at: string;
}

export type EngineName = 'native' | 'argocd';

/** `GET /clusters/:id/engines`: the default engine and each add-on's, with where it comes from. */
export interface EnginesView {
  cluster_id: string;
  default_engine: EngineName;
  decommissioned_at: string | null;
  argocd_connected: boolean;
  /** Argo CD is connected, not decommissioned, and no add-on runs on it. */
  decommission_offered: boolean;
  addons: {
    name: string;
    namespace: string;
    stack: string;
    engine: EngineName;
    source: 'file' | 'default' | 'migration';
  }[];
}

export type KindCoverage = 'rule' | 'none-needed' | 'generic';

/** `GET /clusters/:id/migration/eligibility`: each add-on on Argo CD and what stands in the way. */
export interface EligibilityView {
  cluster_id: string;
  eligible: boolean;
  addons: {
    addon: string;
    namespace: string;
    application?: string;
    eligible: boolean;
    blockers: string[];
    warnings: string[];
    kinds: { group: string; kind: string; count: number; coverage: KindCoverage }[];
    inFlightSync: boolean;
    multiSource: boolean;
    sync?: string;
    health?: string;
  }[];
}

export type MigrationItemState = 'pending' | 'running' | 'succeeded' | 'failed';

/** What moving one add-on did (the agent's report). */
export interface MigrationReport {
  replaced?: string[];
  pods_before?: string[];
  pods_after?: string[];
  metadata_changed?: string[];
  objects?: number;
  already?: boolean;
}

export interface MigrationItem {
  addon: string;
  namespace: string;
  state: MigrationItemState;
  operation_id: string | null;
  message: string;
  report: MigrationReport | null;
  started_at: string | null;
  finished_at: string | null;
}

/** One engine migration (to native, or back to Argo CD for one add-on). */
export interface Migration {
  id: string;
  cluster_id: string;
  direction: EngineName;
  state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  concurrency: number;
  decommission: boolean;
  message: string;
  created_by: string;
  created_at: string;
  finished_at: string | null;
  items: MigrationItem[];
}

/** `POST /clusters/:id/argocd/decommission`. */
export interface DecommissionAnswer {
  state: 'decommissioned' | 'migrating';
  message: string;
  migration?: Migration;
  manual_cleanup: string[];
}

/** A chart registry of the catalogue (`GET /registries`). */
export interface Registry {
  id: string;
  name: string;
  url: string;
  kind: 'helm' | 'oci';
  credential_name: string | null;
  default: boolean;
  indexing: boolean;
  last_success_at: string | null;
  last_error: string | null;
  chart_count: number;
  version_count: number;
}

/** A chart found in the catalogue (`GET /charts`). */
export interface Chart {
  registry: string;
  registry_id: string;
  name: string;
  description: string | null;
  icon: string | null;
  home: string | null;
  latest_version: string | null;
  app_version: string | null;
  deprecated: boolean;
  version_count: number;
}

export interface ChartVersion {
  registry: string;
  chart: string;
  version: string;
  app_version: string | null;
  description: string | null;
  deprecated: boolean;
  digest: string | null;
  created: string | null;
  state: 'pending' | 'indexed' | 'failed';
  error: string | null;
  has_values: boolean;
  has_schema: boolean;
  has_readme: boolean;
}

export interface ChartVersionDetail extends ChartVersion {
  values: string | null;
  values_schema: unknown;
  values_schema_error: string | null;
  readme: string | null;
}

export type DraftParent =
  | { manifest: string }
  | { addon: string }
  | { name: string; kind: 'addon' | 'manifest' };

export interface DraftMember {
  kind: 'addon' | 'manifest';
  name: string;
  stack: string;
  file: string;
  fields: Record<string, unknown>;
  values?: string;
  manifest?: string;
  content_file?: string;
  encrypted_paths: string[];
}

export interface DraftStack {
  name: string;
  fields: Record<string, unknown>;
  addons: DraftMember[];
  manifests: DraftMember[];
}

export interface DraftSummary {
  id: string;
  cluster_id: string;
  title: string;
  state: 'open' | 'publishing' | 'published';
  repository_url: string;
  branch: string;
  path: string;
  base_commit: string;
  revision: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  changed_files: { path: string; change: 'added' | 'modified' | 'deleted' }[];
  published: {
    at: string;
    by: string | null;
    commit: string;
    branch: string;
    pull_request_url: string | null;
  } | null;
}

export interface Draft extends DraftSummary {
  stacks: DraftStack[];
}

export interface DraftIssue {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  path: string;
  code: string;
  message: string;
  hint?: string;
}

export interface DraftPreview {
  valid: boolean;
  commit: string;
  errors: Partial<DraftIssue>[];
  members:
    | {
        id: string;
        stack: string;
        kind: 'addon' | 'manifest';
        name: string;
        action: 'install' | 'upgrade' | 'apply' | 'unchanged' | 'remove' | 'error';
        objects: { ref: string; change: 'create' | 'update' | 'delete' | 'unchanged'; text?: string }[];
        message: string;
      }[]
    | null;
  summary: { create: number; update: number; delete: number; unchanged: number };
  agent_error: string | null;
}

export interface DraftPublished {
  draft: DraftSummary;
  commit: string;
  branch: string;
  rebased: boolean;
  unchanged: boolean;
  encrypted: { path: string; paths: string[] }[];
  pull_request: { number: number; url: string } | null;
  pull_request_error: string | null;
  sync_requested: boolean;
}
