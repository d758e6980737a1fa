import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Database } from '../db/types.ts';
import type { GitopsTables } from '../gitops/tables.ts';

type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type StackDraftsTable = {
  id: string;
  organization_id: string;
  cluster_id: string;
  title: string;
  /** `open`, `publishing` (one publish holds it, migration 0075) or `published`. */
  state: Generated<string>;
  repository_url: string;
  /** The branch the draft was read from (the cluster's configured branch). */
  branch: string;
  /** The ImportCluster file. */
  path: string;
  base_commit: string;
  /** JSON: repository path → text of every file the definition read at `base_commit`. */
  base_files: string;
  /** JSON of path → text | null (removed), sealed with AES-256-GCM (plaintext secrets until publish). */
  changes_sealed: string;
  revision: Generated<number>;
  created_by: string | null;
  created_by_name: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  published_at: NullableTimestamp;
  published_by: string | null;
  published_commit: string | null;
  published_branch: string | null;
  pull_request_url: string | null;
  /** When the publish holding the draft began (state `publishing`). */
  publishing_since: NullableTimestamp;
};

export type DraftsTables = GitopsTables & {
  stack_drafts: StackDraftsTable;
};

export type DraftRow = Selectable<StackDraftsTable>;

export function draftsDb(db: Database) {
  return db.withTables<DraftsTables>();
}
