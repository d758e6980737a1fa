import { type Kysely, sql } from 'kysely';

/**
 * Pruning by age (heartbeat history, finished sweep operations) gets its indexes; and one
 * lease row per cluster whose GitOps sync runs, so that replicas on one database never run
 * the same cluster's sync at once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('heartbeat_history_received')
    .on('heartbeat_history')
    .column('received_at')
    .execute();
  await db.schema
    .createIndex('operations_sweeps_finished')
    .on('operations')
    .column('finished_at')
    .where(sql.ref('type'), '=', 'sweep')
    .execute();
  await db.schema
    .createTable('sync_leases')
    .addColumn('cluster_id', 'text', (c) => c.primaryKey().references('clusters.id').onDelete('cascade'))
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sync_leases').execute();
  await db.schema.dropIndex('operations_sweeps_finished').execute();
  await db.schema.dropIndex('heartbeat_history_received').execute();
}
