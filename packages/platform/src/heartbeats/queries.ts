import type { HeartbeatMessage } from '@mooring/bus';
import { sql } from 'kysely';
import { pageWithTotal } from '../db/pageQuery.ts';
import type { ClusterHeartbeatRow, Database } from '../db/types.ts';
import { type PageRequest, pageOffset, sortModifier } from '../http/pagination.ts';
import type { HeartbeatSortField } from './views.ts';

/** Heartbeats answered by `heartbeatHistory` when no limit is given. */
export const HEARTBEAT_HISTORY_SIZE = 100;

/** One heartbeat as received, for `recordHeartbeats`. */
export interface ReceivedHeartbeat {
  heartbeat: HeartbeatMessage;
  receivedAt: Date;
}

/**
 * Stores many heartbeats in one transaction of two statements: each as a history row, and the
 * newest of each cluster as its last. Heartbeats of unknown or deleted clusters are dropped.
 * Answers the ids of the clusters stored. (The history is trimmed by age: `pruneHistory`.)
 */
export async function recordHeartbeats(db: Database, items: ReceivedHeartbeat[]): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const newest = new Map<string, ReceivedHeartbeat>();
  for (const i of items) {
    const seen = newest.get(i.heartbeat.cluster_id);
    if (!seen || seen.heartbeat.last_sweep_at <= i.heartbeat.last_sweep_at)
      newest.set(i.heartbeat.cluster_id, i);
  }
  const values = (list: ReceivedHeartbeat[]) =>
    sql.join(
      list.map(
        ({ heartbeat: h, receivedAt }) =>
          sql`(${h.cluster_id}::text, ${h.last_sweep_at}::timestamptz, ${h.sweep_duration_seconds}::double precision, ${h.addons_inspected}::integer, ${receivedAt.toISOString()}::timestamptz)`,
      ),
    );
  const columns = sql`cluster_id, last_sweep_at, sweep_duration_seconds, addons_inspected, received_at`;
  const known = sql`join clusters c on c.id = v.cluster_id and c.deleted_at is null`;
  return db.transaction().execute(async (tx) => {
    const stored = await sql<{ cluster_id: string }>`
      insert into heartbeat_history (${columns})
      select v.cluster_id, v.last_sweep_at, v.sweep_duration_seconds, v.addons_inspected, v.received_at
      from (values ${values(items)}) as v(${columns}) ${known}
      returning cluster_id`.execute(tx);
    await sql`
      insert into cluster_heartbeats (${columns})
      select v.cluster_id, v.last_sweep_at, v.sweep_duration_seconds, v.addons_inspected, v.received_at
      from (values ${values([...newest.values()])}) as v(${columns}) ${known}
      on conflict (cluster_id) do update set
        last_sweep_at = excluded.last_sweep_at,
        sweep_duration_seconds = excluded.sweep_duration_seconds,
        addons_inspected = excluded.addons_inspected,
        received_at = excluded.received_at`.execute(tx);
    return new Set(stored.rows.map((r) => r.cluster_id));
  });
}

/** Deletes history rows received before `before`; answers how many. */
export async function pruneHeartbeatHistory(db: Database, before: Date): Promise<number> {
  const r = await db.deleteFrom('heartbeat_history').where('received_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function lastHeartbeat(
  db: Database,
  clusterId: string,
): Promise<ClusterHeartbeatRow | undefined> {
  return db
    .selectFrom('cluster_heartbeats')
    .selectAll()
    .where('cluster_id', '=', clusterId)
    .executeTakeFirst();
}

export async function heartbeatHistory(db: Database, clusterId: string, limit = HEARTBEAT_HISTORY_SIZE) {
  return db
    .selectFrom('heartbeat_history')
    .selectAll()
    .where('cluster_id', '=', clusterId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** One page of a cluster's heartbeat history, and how many it has. */
export async function heartbeatPage(db: Database, clusterId: string, p: PageRequest<HeartbeatSortField>) {
  const base = db.selectFrom('heartbeat_history').where('cluster_id', '=', clusterId);
  return pageWithTotal(
    base
      .selectAll()
      .orderBy(p.sort.field, sortModifier(p.sort.direction, false)) // every sort field is NOT NULL
      .orderBy('id', p.sort.direction)
      .limit(p.pageSize)
      .offset(pageOffset(p)),
    base.select(sql<string>`count(*)`.as('total')),
  );
}

/** Every cluster (not deleted) with its last check-in and last heartbeat, for metrics and the scheduler. */
export async function clusterLiveness(
  db: Database,
): Promise<{ id: string; last_check_in: Date | null; last_sweep_at: Date | null }[]> {
  return db
    .selectFrom('clusters')
    .leftJoin('cluster_heartbeats', 'cluster_heartbeats.cluster_id', 'clusters.id')
    .select([
      'clusters.id as id',
      'clusters.last_check_in as last_check_in',
      'cluster_heartbeats.last_sweep_at as last_sweep_at',
    ])
    .where('clusters.deleted_at', 'is', null)
    .orderBy('clusters.id')
    .execute();
}
