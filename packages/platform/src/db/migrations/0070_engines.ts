import { type Kysely, sql } from 'kysely';

/**
 * Engines per cluster: the cluster's default engine and when Argo CD was
 * decommissioned; per-add-on engine choices made by migrations and rollbacks;
 * migrations (to native, or one add-on back to Argo CD) with one item per add-on.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cluster_engines')
    .addColumn('cluster_id', 'text', (c) => c.primaryKey().references('clusters.id').onDelete('cascade'))
    .addColumn('default_engine', 'text', (c) =>
      c.notNull().check(sql`default_engine in ('native', 'argocd')`),
    )
    .addColumn('decommissioned_at', 'timestamptz')
    .addColumn('decommissioned_by', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('addon_engines')
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('addon', 'text', (c) => c.notNull())
    .addColumn('engine', 'text', (c) => c.notNull().check(sql`engine in ('native', 'argocd')`))
    .addColumn('migration_id', 'text')
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('addon_engines_pk', ['cluster_id', 'addon'])
    .execute();
  await db.schema
    .createTable('engine_migrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('native', 'argocd')`))
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('running', 'succeeded', 'failed', 'cancelled')`),
    )
    .addColumn('concurrency', 'integer', (c) => c.notNull())
    .addColumn('decommission', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('engine_migrations_cluster')
    .on('engine_migrations')
    .columns(['cluster_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('engine_migration_items')
    .addColumn('migration_id', 'text', (c) =>
      c.notNull().references('engine_migrations.id').onDelete('cascade'),
    )
    .addColumn('addon', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('pending', 'running', 'succeeded', 'failed')`),
    )
    .addColumn('operation_id', 'text')
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('report', 'text')
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addPrimaryKeyConstraint('engine_migration_items_pk', ['migration_id', 'addon'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('engine_migration_items').execute();
  await db.schema.dropTable('engine_migrations').execute();
  await db.schema.dropTable('addon_engines').execute();
  await db.schema.dropTable('cluster_engines').execute();
}
