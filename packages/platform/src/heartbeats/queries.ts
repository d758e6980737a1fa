import type { HeartbeatMessage } from '@mooring/bus';
import type { ClusterHeartbeatRow, Database } from '../db/types.ts';

/** Heartbeats kept per cluster in the history (the newest). */
export const HEARTBEAT_HISTORY_SIZE = 100;

/** Stores a heartbeat as the cluster's last and in its history, trimmed to `keep`; false for an unknown cluster. */
export async function recordHeartbeat(
  db: Database,
  hb: HeartbeatMessage,
  receivedAt: Date,
  keep = HEARTBEAT_HISTORY_SIZE,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const cluster = await tx
      .selectFrom('clusters')
      .select('id')
      .where('id', '=', hb.cluster_id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!cluster) return false;
    const row = {
      cluster_id: hb.cluster_id,
      last_sweep_at: hb.last_sweep_at,
      sweep_duration_seconds: hb.sweep_duration_seconds,
      addons_inspected: hb.addons_inspected,
      received_at: receivedAt,
    };
    await tx
      .insertInto('cluster_heartbeats')
      .values(row)
      .onConflict((oc) =>
        oc.column('cluster_id').doUpdateSet({
          last_sweep_at: row.last_sweep_at,
          sweep_duration_seconds: row.sweep_duration_seconds,
          addons_inspected: row.addons_inspected,
          received_at: row.received_at,
        }),
      )
      .execute();
    await tx.insertInto('heartbeat_history').values(row).execute();
    const cutoff = await tx
      .selectFrom('heartbeat_history')
      .select('id')
      .where('cluster_id', '=', hb.cluster_id)
      .orderBy('id', 'desc')
      .offset(keep)
      .limit(1)
      .executeTakeFirst();
    if (cutoff) {
      await tx
        .deleteFrom('heartbeat_history')
        .where('cluster_id', '=', hb.cluster_id)
        .where('id', '<=', cutoff.id)
        .execute();
    }
    return true;
  });
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
