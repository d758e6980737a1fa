import { type Kysely, sql } from 'kysely';

/**
 * When each cluster's newest sweep was created, kept beside the operations (written by the
 * statement that creates a sweep). The scheduler reads it at every look: asking the operations
 * instead meant an index probe per cluster into a table that holds every sweep of the retention
 * window (2,000 clusters × 60 sweeps an hour: 35 ms of PostgreSQL every 5 s at one hour).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sweep_schedule')
    .addColumn('cluster_id', 'text', (c) => c.primaryKey().references('clusters.id').onDelete('cascade'))
    .addColumn('last_created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`insert into sweep_schedule (cluster_id, last_created_at)
            select cluster_id, max(created_at) from operations where type = 'sweep' group by cluster_id`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sweep_schedule').execute();
}
