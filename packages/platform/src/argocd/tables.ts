import type { ColumnType, Selectable } from 'kysely';
import type { Database } from '../db/types.ts';

type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type ClusterArgocdTable = {
  cluster_id: string;
  organization_id: string;
  url: string;
  namespace: string;
  /** `foreground`, `background` or `non-cascading`: how removed add-ons' Applications are deleted. */
  deletion: string;
  account: string;
  /** The account's API token, sealed with AES-256-GCM (the gitops SecretBox); never plaintext. */
  token_sealed: string;
  /** The token's id (`jti`) in Argo CD: what a rotation revokes. */
  token_id: string;
  connected_by: string | null;
  connected_at: DefaultTimestamp;
  rotated_at: NullableTimestamp;
};

export type ArgocdTables = { cluster_argocd: ClusterArgocdTable };
export type ClusterArgocdRow = Selectable<ClusterArgocdTable>;

/** The platform's database with the Argo CD table. */
export function argocdDb(db: Database) {
  return db.withTables<ArgocdTables>();
}
