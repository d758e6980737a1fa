import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Database } from '../db/types.ts';

type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type ChartRegistriesTable = {
  id: string;
  organization_id: string;
  name: string;
  /** `https://…` / `http://…` (a Helm repository) or `oci://host/path`. */
  url: string;
  /** `helm` or `oci`. */
  kind: string;
  credential_name: string | null;
  /** JSON: chart names or `*` patterns never indexed. */
  excluded_charts: Generated<string>;
  /** JSON: for an OCI registry that does not list its repositories, the charts to index. */
  charts: Generated<string>;
  /** null: indexed only on request. */
  interval_seconds: number | null;
  is_default: Generated<boolean>;
  /** Validators of the last index.yaml fetched (Helm repositories). */
  etag: string | null;
  last_modified: string | null;
  /** Set while a job runs (the claim); a stale one is taken over. */
  indexing_since: NullableTimestamp;
  index_requested: Generated<boolean>;
  last_indexed_at: NullableTimestamp;
  last_success_at: NullableTimestamp;
  last_error: string | null;
  failures: Generated<number>;
  next_index_at: NullableTimestamp;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
};

export type CatalogueSeedsTable = {
  organization_id: string;
  seeded_at: DefaultTimestamp;
};

export type CatalogueChartsTable = {
  registry_id: string;
  name: string;
  description: string | null;
  icon: string | null;
  home: string | null;
  latest_version: string | null;
  app_version: string | null;
  deprecated: Generated<boolean>;
  version_count: Generated<number>;
  updated_at: DefaultTimestamp;
};

export type CatalogueVersionsTable = {
  registry_id: string;
  chart: string;
  version: string;
  app_version: string | null;
  description: string | null;
  deprecated: Generated<boolean>;
  /** The archive's digest (`sha256:…`). */
  digest: string | null;
  /** What tells a changed version: the index's digest (Helm) or the tag's manifest digest (OCI). */
  source_digest: string | null;
  created: string | null;
  /** JSON: download URLs (Helm repositories). */
  urls: Generated<string>;
  /** `pending`, `indexed` or `failed`. */
  state: string;
  attempts: Generated<number>;
  next_attempt_at: NullableTimestamp;
  error: string | null;
  values_yaml: string | null;
  values_schema: string | null;
  readme: string | null;
  indexed_at: NullableTimestamp;
};

export type CatalogueJobsTable = {
  id: string;
  registry_id: string;
  /** `schedule`, `manual` or `created`. */
  trigger: string;
  /** `running`, `success`, `unchanged`, `partial` or `failed`. */
  state: string;
  started_at: Date;
  finished_at: NullableTimestamp;
  error: string | null;
  charts: Generated<number>;
  versions_indexed: Generated<number>;
  versions_failed: Generated<number>;
  versions_removed: Generated<number>;
  versions_unchanged: Generated<number>;
  downloads: Generated<number>;
  /** JSON: `[{chart, version, result, error?}]` for every version the job fetched or failed. */
  versions: Generated<string>;
};

export type CatalogueTables = {
  chart_registries: ChartRegistriesTable;
  catalogue_seeds: CatalogueSeedsTable;
  catalogue_charts: CatalogueChartsTable;
  catalogue_versions: CatalogueVersionsTable;
  catalogue_jobs: CatalogueJobsTable;
};

export type RegistryRow = Selectable<ChartRegistriesTable>;
export type VersionRow = Selectable<CatalogueVersionsTable>;
export type ChartRow = Selectable<CatalogueChartsTable>;
export type JobRow = Selectable<CatalogueJobsTable>;
export type CatalogueDatabase = ReturnType<typeof catalogueDb>;

/** The platform's database with the catalogue's tables. */
export function catalogueDb(db: Database) {
  return db.withTables<CatalogueTables>();
}
