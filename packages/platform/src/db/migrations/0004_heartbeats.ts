import { type Kysely, sql } from 'kysely';

/** The native engine's reconcile heartbeats: the last per cluster and a short history. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cluster_heartbeats')
    .addColumn('cluster_id', 'text', (c) => c.primaryKey().references('clusters.id').onDelete('cascade'))
    .addColumn('last_sweep_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sweep_duration_seconds', 'double precision', (c) => c.notNull())
    .addColumn('addons_inspected', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('heartbeat_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('last_sweep_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sweep_duration_seconds', 'double precision', (c) => c.notNull())
    .addColumn('addons_inspected', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('heartbeat_history_cluster')
    .on('heartbeat_history')
    .columns(['cluster_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('heartbeat_history').execute();
  await db.schema.dropTable('cluster_heartbeats').execute();
}
