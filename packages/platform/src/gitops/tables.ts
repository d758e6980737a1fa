import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Database } from '../db/types.ts';

type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type GitCredentialsTable = {
  id: string;
  organization_id: string;
  name: string;
  /** `token`, `basic`, `ssh_key` or `bitbucket_oauth`. */
  kind: string;
  /** The secret fields as JSON, sealed with AES-256-GCM (see secretBox.ts); never plaintext. */
  sealed: string;
  created_by: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  last_used_at: NullableTimestamp;
};

export type GitRepositoriesTable = {
  id: string;
  organization_id: string;
  provider: string;
  /** What is fetched (no credentials inside). */
  url: string;
  /** What webhooks name: `owner/repo`, `workspace/slug`, `PROJECT/slug`, or a URL's path. */
  full_name: string;
  branch: string;
  credential_name: string | null;
  webhook_secret_sealed: string | null;
  /** The branch's head when last seen (poll or webhook). */
  head_commit: string | null;
  head_seen_at: NullableTimestamp;
  polled_at: NullableTimestamp;
  poll_error: string | null;
  created_at: DefaultTimestamp;
};

export type ClusterGitopsTable = {
  cluster_id: string;
  organization_id: string;
  /** Null: not connected (`NotConfigured`). */
  repository_id: string | null;
  /** The ImportCluster's path in the repository. */
  path: string;
  /** The connection as the stored definition configures it (JSON). */
  configured: Generated<string>;
  status: string;
  phase: string | null;
  message: Generated<string>;
  syncing_commit: string | null;
  pending_commit: string | null;
  synced_commit: string | null;
  /** What the last sync really read (JSON: url, branch, commit, path, cluster). */
  observed: string | null;
  /** Member id → content hash last applied (JSON). */
  applied_hashes: Generated<string>;
  retry_count: Generated<number>;
  updated_at: DefaultTimestamp;
};

export type SyncRunsTable = {
  id: string;
  organization_id: string;
  cluster_id: string;
  status: string;
  source: string;
  phase: string;
  message: Generated<string>;
  commit_sha: string | null;
  commit_url: string | null;
  repository_url: string | null;
  branch: string | null;
  started_at: Date;
  finished_at: NullableTimestamp;
  triggered_by: string;
  /** `user`, `token` or `provider`. */
  triggered_by_kind: string;
  retry_count: Generated<number>;
  /** JSON: every diagnostic or error of the sync. */
  errors: Generated<string>;
  error_count: Generated<number>;
  /** JSON: the member ids sent to the agent. */
  changed_members: Generated<string>;
  operation_id: string | null;
};

export type WebhookDeliveriesTable = {
  provider: string;
  delivery_id: string;
  received_at: DefaultTimestamp;
};

export type GitopsTables = {
  git_credentials: GitCredentialsTable;
  git_repositories: GitRepositoriesTable;
  cluster_gitops: ClusterGitopsTable;
  sync_runs: SyncRunsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  sync_leases: SyncLeasesTable;
};

/** The replica running a cluster's sync, until `expires_at` (renewed while it runs). */
export type SyncLeasesTable = {
  cluster_id: string;
  holder: string;
  expires_at: Date;
};

export type GitopsDatabase = ReturnType<typeof gitopsDb>;
export type CredentialRow = Selectable<GitCredentialsTable>;
export type RepositoryRow = Selectable<GitRepositoriesTable>;
export type ClusterGitopsRow = Selectable<ClusterGitopsTable>;
export type SyncRunRow = Selectable<SyncRunsTable>;

/** The platform's database with the GitOps tables. */
export function gitopsDb(db: Database) {
  return db.withTables<GitopsTables>();
}
