import { type Kysely, sql } from 'kysely';

/** Each user's access to each cluster through the kubectl proxy (`view`, `edit`, `admin`, `cluster-admin`, optionally one namespace). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cluster_grants')
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('cluster_grants_pk', ['cluster_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('cluster_grants').execute();
}
