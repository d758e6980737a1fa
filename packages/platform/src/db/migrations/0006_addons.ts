import { type Kysely, sql } from 'kysely';

/** The add-ons and manifests of each cluster as the agent last reported them (apply results, sweeps, heartbeats). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('addon_states')
    .addColumn('cluster_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('stack', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('namespace', 'text')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('Unknown'))
    .addColumn('phase', 'text')
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('revision', 'integer')
    .addColumn('drifted_objects', 'integer')
    .addColumn('behind_git', 'boolean')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('inspected_at', 'timestamptz')
    .addPrimaryKeyConstraint('addon_states_pk', ['cluster_id', 'kind', 'name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('addon_states').execute();
}
