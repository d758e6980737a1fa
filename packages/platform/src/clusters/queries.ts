import { sql } from 'kysely';
import { pageWithTotal } from '../db/pageQuery.ts';
import type { ClusterRow, Database } from '../db/types.ts';
import { type PageRequest, pageOffset, sortModifier } from '../http/pagination.ts';
import { CLUSTER_VIEW_COLUMNS, type ClusterViewRow } from './views.ts';

export const CLUSTER_SORT_FIELDS = ['name', 'created_at', 'last_check_in'] as const;
export type ClusterSortField = (typeof CLUSTER_SORT_FIELDS)[number];

/** An organisation's live clusters, each row with its definition (`cluster_definitions`). */
function withDefinition(db: Database, organizationId: string) {
  return db
    .selectFrom('clusters')
    .innerJoin('cluster_definitions', 'cluster_definitions.cluster_id', 'clusters.id')
    .selectAll('clusters')
    .select(['cluster_definitions.definition_text', 'cluster_definitions.definition_files'])
    .where('clusters.organization_id', '=', organizationId)
    .where('clusters.deleted_at', 'is', null);
}

export async function findCluster(
  db: Database,
  organizationId: string,
  id: string,
): Promise<ClusterRow | undefined> {
  return withDefinition(db, organizationId).where('clusters.id', '=', id).executeTakeFirst();
}

/** A cluster's view columns only (no definition text, no token hash): what a read of the cluster needs. */
export async function findClusterView(
  db: Database,
  organizationId: string,
  id: string,
): Promise<ClusterViewRow | undefined> {
  return db
    .selectFrom('clusters')
    .select(CLUSTER_VIEW_COLUMNS)
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
  return withDefinition(db, organizationId).where('clusters.name', '=', name).executeTakeFirst();
}

/** The cluster of an agent token (its ids only: a check-in's authentication reads no more). */
export async function findClusterByAgentToken(
  db: Database,
  hash: string,
): Promise<Pick<ClusterRow, 'id' | 'organization_id'> | undefined> {
  return db
    .selectFrom('clusters')
    .select(['id', 'organization_id'])
    .where('agent_token_hash', '=', hash)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function listClusters(
  db: Database,
  organizationId: string,
  p: PageRequest<ClusterSortField>,
): Promise<{ rows: ClusterViewRow[]; total: number }> {
  const base = db
    .selectFrom('clusters')
    .where('organization_id', '=', organizationId)
    .where('deleted_at', 'is', null);
  let page = base
    .select(CLUSTER_VIEW_COLUMNS)
    .orderBy(p.sort.field, sortModifier(p.sort.direction, p.sort.field === 'last_check_in'));
  // a name is unique among an organisation's clusters (`clusters_org_name`): that index gives the
  // page in order without sorting every cluster; the other fields need the id to break ties
  if (p.sort.field !== 'name') page = page.orderBy('id');
  return pageWithTotal(
    page.limit(p.pageSize).offset(pageOffset(p)),
    base.select(sql<string>`count(*)`.as('total')),
  );
}
