import { sql } from 'kysely';
import type { ClusterRow, Database } from '../db/types.ts';
import { type PageRequest, pageOffset, sortModifier } from '../http/pagination.ts';

export const CLUSTER_SORT_FIELDS = ['name', 'created_at', 'last_check_in'] as const;
export type ClusterSortField = (typeof CLUSTER_SORT_FIELDS)[number];

export async function findCluster(
  db: Database,
  organizationId: string,
  id: string,
): Promise<ClusterRow | undefined> {
  return db
    .selectFrom('clusters')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function findClusterByName(
  db: Database,
  organizationId: string,
  name: string,
): Promise<ClusterRow | undefined> {
  return db
    .selectFrom('clusters')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('name', '=', name)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function findClusterByAgentToken(db: Database, hash: string): Promise<ClusterRow | undefined> {
  return db
    .selectFrom('clusters')
    .selectAll()
    .where('agent_token_hash', '=', hash)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function listClusters(
  db: Database,
  organizationId: string,
  p: PageRequest<ClusterSortField>,
): Promise<{ rows: ClusterRow[]; total: number }> {
  const base = db
    .selectFrom('clusters')
    .where('organization_id', '=', organizationId)
    .where('deleted_at', 'is', null);
  const rows = await base
    .selectAll()
    .orderBy(p.sort.field, sortModifier(p.sort.direction))
    .orderBy('id')
    .limit(p.pageSize)
    .offset(pageOffset(p))
    .execute();
  const { total } = await base.select(sql<string>`count(*)`.as('total')).executeTakeFirstOrThrow();
  return { rows, total: Number(total) };
}
