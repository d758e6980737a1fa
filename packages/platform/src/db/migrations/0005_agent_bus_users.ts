import { type Kysely, sql } from 'kysely';

/**
 * Bus users issued to agents at check-in (public keys only: the seeds go to the agent and
 * nowhere else), so those of a replaced token or a deleted cluster can be disconnected
 * until their credentials expire.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agent_bus_users')
    .addColumn('user_public_key', 'text', (c) => c.primaryKey())
    .addColumn('cluster_id', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('agent_bus_users_cluster')
    .on('agent_bus_users')
    .columns(['cluster_id', 'expires_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('agent_bus_users').execute();
}
