import type { ColumnType } from 'kysely';

/** One user's access to one cluster through the kubectl proxy. */
export interface ClusterGrantsTable {
  cluster_id: string;
  user_id: string;
  /** `GrantRole`. */
  role: string;
  namespace: string | null;
  /** The user name of the admin who set it. */
  created_by: string;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

declare module '../db/types.ts' {
  interface Tables {
    cluster_grants: ClusterGrantsTable;
  }
}
