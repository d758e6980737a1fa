import { type Kysely, sql } from 'kysely';

/** Imported clusters with their definition, agent token hash and the agent's last check-in. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('clusters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('definition_text', 'text', (c) => c.notNull())
    .addColumn('definition_path', 'text', (c) => c.notNull())
    .addColumn('definition_files', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('agent_token_hash', 'text', (c) => c.unique())
    .addColumn('agent_connected', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('agent_version', 'text')
    .addColumn('kubernetes_version', 'text')
    .addColumn('node_count', 'integer')
    .addColumn('region', 'text')
    .addColumn('last_check_in', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  // a name is taken only by a cluster that is not deleted
  await sql`create unique index clusters_org_name on clusters (organization_id, name) where deleted_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('clusters').execute();
}
