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
  /** The path of the ImportCluster file (its text and the files it read: `cluster_definitions`). */
  definition_path: string;
  /** sha256 (hex) of the agent token; null once the cluster is deleted. */
  agent_token_hash: string | null;
  agent_connected: Generated<boolean>;
  agent_version: string | null;
  kubernetes_version: string | null;
  node_count: number | null;
  region: string | null;
  /** The public egress IP the agent reported (only with `public_ip.reporting_enabled`). */
  public_ip: string | null;
  last_check_in: NullableTimestamp;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  deleted_at: NullableTimestamp;
}

/** A cluster's definition, apart from the row agents rewrite: the ImportCluster text and the files it read (JSON object text). */
export interface ClusterDefinitionsTable {
  cluster_id: string;
  definition_text: string;
  definition_files: string;
}

/** When each cluster's newest sweep operation was created (the scheduler's look reads it). */
export interface SweepScheduleTable {
  cluster_id: string;
  last_created_at: ColumnType<Date, Date | string, Date | string>;
}

export interface OperationsTable {
  id: string;
  organization_id: string;
  cluster_id: string;
  /** `import`, `apply`, `sync`, `rollback`, `uninstall`, `sweep`. */
  type: string;
  /** `OperationState`. */
  state: string;
  /** JSON object text. */
  payload: string;
  message: string;
  /** A user id, or `scheduler@<instance>`. */
  created_by: string;
  /** The operation this one retries. */
  retry_of: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

export interface OperationStepsTable {
  operation_id: string;
  id: string;
  position: number;
  name: string;
  /** The command kind sent to the agent (`apply`, `sweep`, ...). */
  kind: string;
  /** JSON object text: the command's payload. */
  payload: string;
  state: string;
  timeout_seconds: number;
  /** `{operation_id}:{step_id}`: the agent runs the step at most once per key. */
  idempotency_key: string;
  /** How many times its command was sent. */
  sends: ColumnType<number, number | undefined, number>;
  last_command_id: string | null;
  message: string;
  /** JSON text: the agent's result (per-member outcomes, drift detail). */
  result: string | null;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

export interface ClusterHeartbeatsTable {
  cluster_id: string;
  last_sweep_at: ColumnType<Date, Date | string, Date | string>;
  sweep_duration_seconds: number;
  addons_inspected: number;
  received_at: DefaultTimestamp;
}

export interface HeartbeatHistoryTable {
  id: Generated<string>;
  cluster_id: string;
  last_sweep_at: ColumnType<Date, Date | string, Date | string>;
  sweep_duration_seconds: number;
  addons_inspected: number;
  received_at: DefaultTimestamp;
}

export interface AgentBusUsersTable {
  /** The NATS user's public key (`U...`); its seed went to the agent only. */
  user_public_key: string;
  cluster_id: string;
  issued_at: DefaultTimestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  /** Set when the cluster's token was replaced or the cluster deleted: disconnected on sight until it expires. */
  revoked_at: NullableTimestamp;
}

/** One add-on or manifest of a cluster as the agent last reported it. */
export interface AddonStatesTable {
  cluster_id: string;
  /** `addon` or `manifest`. */
  kind: string;
  name: string;
  stack: string;
  namespace: string | null;
  /** `AddonState` (Pending, Deploying, Synced, Degraded, OutOfSync, Unknown). */
  state: string;
  /** The last apply's phase for it. */
  phase: string | null;
  message: string;
  revision: number | null;
  drifted_objects: number | null;
  /** JSON: the drifted objects (`ref, missing, fields, text?`). */
  drift: string | null;
  behind_git: boolean | null;
  updated_at: ColumnType<Date, Date | string, Date | string>;
  inspected_at: NullableTimestamp;
}

export interface Tables {
  organizations: OrganizationsTable;
  users: UsersTable;
  tokens: TokensTable;
  clusters: ClustersTable;
  cluster_definitions: ClusterDefinitionsTable;
  sweep_schedule: SweepScheduleTable;
  agent_bus_users: AgentBusUsersTable;
  addon_states: AddonStatesTable;
  operations: OperationsTable;
  operation_steps: OperationStepsTable;
  cluster_heartbeats: ClusterHeartbeatsTable;
  heartbeat_history: HeartbeatHistoryTable;
}

export type Database = Kysely<Tables>;
export type UserRow = Selectable<UsersTable>;
export type TokenRow = Selectable<TokensTable>;
/** A cluster's row with its definition (`findCluster`, `findClusterByName`). */
export type ClusterRow = Selectable<ClustersTable> & Omit<Selectable<ClusterDefinitionsTable>, 'cluster_id'>;
export type OperationRow = Selectable<OperationsTable>;
export type OperationStepRow = Selectable<OperationStepsTable>;
export type ClusterHeartbeatRow = Selectable<ClusterHeartbeatsTable>;
export type AddonStateRow = Selectable<AddonStatesTable>;
