import type { ColumnType, Selectable } from 'kysely';
import type { Database } from '../db/types.ts';

type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DefaultText = ColumnType<string, string | undefined, string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type Engine = 'native' | 'argocd';

export type ClusterEnginesTable = {
  cluster_id: string;
  default_engine: Engine;
  /** Set once Argo CD is decommissioned: the default can no longer be `argocd`. */
  decommissioned_at: NullableTimestamp;
  decommissioned_by: string | null;
  updated_at: DefaultTimestamp;
};

export type AddonEnginesTable = {
  cluster_id: string;
  addon: string;
  engine: Engine;
  migration_id: string | null;
  changed_at: DefaultTimestamp;
};

export type EngineMigrationState = 'running' | 'succeeded' | 'failed' | 'cancelled';
export type MigrationItemState = 'pending' | 'running' | 'succeeded' | 'failed';

export type EngineMigrationsTable = {
  id: string;
  organization_id: string;
  cluster_id: string;
  /** `native`: add-ons leave Argo CD; `argocd`: an add-on goes back (a rollback). */
  direction: Engine;
  state: EngineMigrationState;
  concurrency: number;
  /** Decommission Argo CD once every add-on moved. */
  decommission: boolean;
  message: DefaultText;
  created_by: string;
  created_at: DefaultTimestamp;
  finished_at: NullableTimestamp;
};

export type EngineMigrationItemsTable = {
  migration_id: string;
  addon: string;
  namespace: string;
  state: MigrationItemState;
  /** The operation whose one step moves the add-on (`argocd.migrate` or `argocd.return`). */
  operation_id: string | null;
  message: DefaultText;
  /** The agent's report as JSON (UIDs, Pods, metadata changed). */
  report: string | null;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
};

export type EngineTables = {
  cluster_engines: ClusterEnginesTable;
  addon_engines: AddonEnginesTable;
  engine_migrations: EngineMigrationsTable;
  engine_migration_items: EngineMigrationItemsTable;
};
export type EngineMigrationRow = Selectable<EngineMigrationsTable>;
export type MigrationItemRow = Selectable<EngineMigrationItemsTable>;

/** The platform's database with the engine tables. */
export function enginesDb(db: Database) {
  return db.withTables<EngineTables>();
}
