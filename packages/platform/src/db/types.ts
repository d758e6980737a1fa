import type { ColumnType, Generated, Kysely, Selectable } from 'kysely';

/** A timestamp column: a `Date` when read, a `Date` or ISO text when written. */
/** A timestamp column with a database default. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface OrganizationsTable {
  id: string;
  name: string;
  created_at: DefaultTimestamp;
}

export interface UsersTable {
  id: string;
  organization_id: string;
  username: string;
  display_name: string;
  /** argon2id, PHC string format. */
  password_hash: string;
  role: string;
  created_at: DefaultTimestamp;
}

export interface TokensTable {
  id: string;
  organization_id: string;
  user_id: string;
  /** `session` (from login) or `api` (made with POST /tokens). */
  kind: string;
  name: string;
  /** sha256 (hex) of the secret; the secret itself is never stored. */
  token_hash: string;
  /** The first characters of the secret, to recognise it in a list. */
  prefix: string;
  /** Comma-separated `read`, `write`, `admin`. */
  scopes: string;
  expires_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: DefaultTimestamp;
}

export interface ClustersTable {
  id: string;
  organization_id: string;
  name: string;
  description: string;
  /** The ImportCluster text as imported and the files it read (JSON object text). */
  definition_text: string;
  definition_path: string;
  definition_files: string;
  /** sha256 (hex) of the agent token; null once the cluster is deleted. */
  agent_token_hash: string | null;
  agent_connected: Generated<boolean>;
  agent_version: string | null;
  kubernetes_version: string | null;
  node_count: number | null;
  region: string | null;
  last_check_in: NullableTimestamp;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  deleted_at: NullableTimestamp;
}

export interface Tables {
  organizations: OrganizationsTable;
  users: UsersTable;
  tokens: TokensTable;
  clusters: ClustersTable;
}

export type Database = Kysely<Tables>;
export type UserRow = Selectable<UsersTable>;
export type TokenRow = Selectable<TokensTable>;
export type ClusterRow = Selectable<ClustersTable>;
