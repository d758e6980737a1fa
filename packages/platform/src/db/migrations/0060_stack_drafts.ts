import { type Kysely, sql } from 'kysely';

/**
 * Stack Builder drafts: edits to a cluster's definition over the commit they began from,
 * kept until they are published to Git (one commit) or discarded. The edited files are
 * sealed with AES-256-GCM: values chosen for encryption are plaintext until publish.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stack_drafts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().defaultTo('open').check(sql`state in ('open', 'published')`),
    )
    .addColumn('repository_url', 'text', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('base_commit', 'text', (c) => c.notNull())
    .addColumn('base_files', 'text', (c) => c.notNull())
    .addColumn('changes_sealed', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text')
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('published_at', 'timestamptz')
    .addColumn('published_by', 'text')
    .addColumn('published_commit', 'text')
    .addColumn('published_branch', 'text')
    .addColumn('pull_request_url', 'text')
    .execute();
  await db.schema
    .createIndex('stack_drafts_cluster')
    .on('stack_drafts')
    .columns(['cluster_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('stack_drafts').execute();
}
