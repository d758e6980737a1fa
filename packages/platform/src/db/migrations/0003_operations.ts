import { type Kysely, sql } from 'kysely';

/**
 * Operations (every change to a cluster: import, apply, sync, rollback, uninstall, sweep)
 * and their steps, each a command to the cluster's agent. States, both:
 * pending, running, success, failed, cancelled, timeout.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const states = sql`('pending', 'running', 'success', 'failed', 'cancelled', 'timeout')`;
  await db.schema
    .createTable('operations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ${states}`))
    .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('retry_of', 'text', (c) => c.references('operations.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('operations_cluster_created')
    .on('operations')
    .columns(['cluster_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('operations_org_created')
    .on('operations')
    .columns(['organization_id', 'created_at'])
    .execute();
  // the operations still to drive (resume at start, timeouts)
  await sql`create index operations_active on operations (state) where state in ('pending', 'running')`.execute(
    db,
  );
  await db.schema
    .createTable('operation_steps')
    .addColumn('operation_id', 'text', (c) => c.notNull().references('operations.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ${states}`))
    .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('sends', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_command_id', 'text')
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('result', 'text')
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addPrimaryKeyConstraint('operation_steps_pk', ['operation_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('operation_steps').execute();
  await db.schema.dropTable('operations').execute();
}
