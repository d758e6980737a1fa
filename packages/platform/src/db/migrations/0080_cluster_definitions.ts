import { type Kysely, sql } from 'kysely';

/**
 * A cluster's definition (the main file's text and every file it read) moves out of its row into
 * `cluster_definitions`. The `clusters` row is what agents rewrite every few seconds (check-ins,
 * sweeps) and what the clusters list pages and counts: with the texts in it, 2,000 clusters took
 * about 400 pages of heap (a row of ~1.5 KB, under PostgreSQL's 2 KB threshold for moving values
 * out of a row), and a page of the list or its count read most of them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cluster_definitions')
    .addColumn('cluster_id', 'text', (c) => c.primaryKey().references('clusters.id').onDelete('cascade'))
    .addColumn('definition_text', 'text', (c) => c.notNull())
    .addColumn('definition_files', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await sql`insert into cluster_definitions (cluster_id, definition_text, definition_files)
            select id, definition_text, definition_files from clusters`.execute(db);
  await db.schema.alterTable('clusters').dropColumn('definition_text').execute();
  await db.schema.alterTable('clusters').dropColumn('definition_files').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('clusters')
    .addColumn('definition_text', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('clusters')
    .addColumn('definition_files', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await sql`update clusters c set definition_text = d.definition_text, definition_files = d.definition_files
            from cluster_definitions d where d.cluster_id = c.id`.execute(db);
  await db.schema.dropTable('cluster_definitions').execute();
}
